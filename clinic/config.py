"""Settings, read from the environment, with defaults that run on SQLite on one machine."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def normalise_database_url(url: str) -> str:
    """Let operators write the usual postgres:// form; we always talk through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into the instance folder."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def from_environment(instance_path: Path) -> dict:
    default_db = f"sqlite:///{instance_path / 'clinic.db'}"
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(os.environ.get("DATABASE_URL", default_db)),
        "SECRET_KEY": secret_key(instance_path),
        "CLINIC_TIMEZONE": os.environ.get("CLINIC_TIMEZONE", "Europe/Berlin"),
        "CLINIC_LOCALE": os.environ.get("CLINIC_LOCALE", "de_DE"),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(instance_path / "uploads")),
        "UPLOAD_MAX_FILE_MB": _int("UPLOAD_MAX_FILE_MB", 100),
        "UPLOAD_MAX_REQUEST_MB": _int("UPLOAD_MAX_REQUEST_MB", 300),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_MINUTES": _int("LOGIN_LOCKOUT_MINUTES", 15),
        "LOGIN_ADDRESS_MAX_FAILURES": _int("LOGIN_ADDRESS_MAX_FAILURES", 30),
        "LOGIN_ACCOUNT_MAX_FAILURES": _int("LOGIN_ACCOUNT_MAX_FAILURES", 50),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "BOOKING_HOLD_MINUTES": _int("BOOKING_HOLD_MINUTES", 5),
        # The patient's link (/p/<token>): see clinic/portal and README "The patient's link".
        "PORTAL_BASE_URL": os.environ.get("PORTAL_BASE_URL", ""),
        "PORTAL_MAX_BIRTH_DATE_FAILURES": _int("PORTAL_MAX_BIRTH_DATE_FAILURES", 5),
        "PORTAL_IDLE_MINUTES": _int("PORTAL_IDLE_MINUTES", 30),
        "PORTAL_LEAD_HOURS": _int("PORTAL_LEAD_HOURS", 24),
        "PORTAL_HOLD_MINUTES": _int("PORTAL_HOLD_MINUTES", 10),
        "PORTAL_TOKEN_RATE": os.environ.get("PORTAL_TOKEN_RATE", "60 per minute"),
        "PORTAL_ADDRESS_RATE": os.environ.get("PORTAL_ADDRESS_RATE", "300 per minute"),
        "PORTAL_ADDRESS_BIRTH_DATE_FAILURES": os.environ.get("PORTAL_ADDRESS_BIRTH_DATE_FAILURES", "20 per hour"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "termine@schmerzzentrum.example"),
        "SMTP_TIMEOUT_SECONDS": _float("SMTP_TIMEOUT_SECONDS", 30),
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", 8),
        "OUTBOX_RETRY_SECONDS": _float("OUTBOX_RETRY_SECONDS", 60),
        "OUTBOX_RETRY_MAX_SECONDS": _float("OUTBOX_RETRY_MAX_SECONDS", 3600),
        "OUTBOX_LEASE_SECONDS": _float("OUTBOX_LEASE_SECONDS", 600),
        "OUTBOX_BATCH_SIZE": _int("OUTBOX_BATCH_SIZE", 200),
        "JOB_RUNS_KEEP_DAYS": _int("JOB_RUNS_KEEP_DAYS", 30),
        "SQL_LOG_PARAMETERS": _bool("SQL_LOG_PARAMETERS", False),
        "SCHEDULER_LOCK_POLL_SECONDS": _float("SCHEDULER_LOCK_POLL_SECONDS", 5),
        # DICOM (``flask --app clinic dicom``): our own AE, and the PACS prior studies are fetched from.
        "DICOM_AE_TITLE": os.environ.get("DICOM_AE_TITLE", "PAINCLINIC"),
        "DICOM_HOST": os.environ.get("DICOM_HOST", "127.0.0.1"),
        "DICOM_PORT": _int("DICOM_PORT", 11112),
        "DICOM_STORAGE_PORT": _int("DICOM_STORAGE_PORT", 11113),
        "DICOM_SPOOL_DIR": os.environ.get("DICOM_SPOOL_DIR", str(instance_path / "dicom-spool")),
        "DICOM_POLL_SECONDS": _float("DICOM_POLL_SECONDS", 2),
        "PACS_HOST": os.environ.get("PACS_HOST", ""),
        "PACS_PORT": _int("PACS_PORT", 104),
        "PACS_AE_TITLE": os.environ.get("PACS_AE_TITLE", "PACS"),
        "PACS_TIMEOUT_SECONDS": _float("PACS_TIMEOUT_SECONDS", 10),
        "PACS_RETRIEVE_TIMEOUT_SECONDS": _float("PACS_RETRIEVE_TIMEOUT_SECONDS", 300),
        # How often the observation board refreshes its timers and beds (cards being edited keep their forms).
        "OBSERVATION_REFRESH_SECONDS": _float("OBSERVATION_REFRESH_SECONDS", 30),
    }


class Defaults:
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    PATIENTS_PER_PAGE = 25
    RATELIMIT_HEADERS_ENABLED = True  # a throttled answer says when to come back (Retry-After)
