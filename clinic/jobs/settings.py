"""What the jobs need from the configuration, read once per run into plain values.

SMTP and the clinic's zone come from the app config (``clinic.config``). The tuning knobs below have
defaults that suit a clinic; each can be set in the app config or, until ``clinic.config`` reads them,
in the environment of the scheduler process (the crash tests use that to shorten the lease).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..services.outbox import RetryPolicy


def _number(config: Mapping, name: str, default: float) -> float:
    value = config.get(name)
    if value in (None, ""):
        value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 25
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    sender: str = "termine@schmerzzentrum.example"
    timeout: float = 30.0  # seconds, for each step of the SMTP conversation

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        return cls(
            host=config.get("SMTP_HOST") or "",
            port=int(config.get("SMTP_PORT") or 25),
            user=config.get("SMTP_USER") or "",
            password=config.get("SMTP_PASSWORD") or "",
            starttls=bool(config.get("SMTP_STARTTLS")),
            sender=config.get("MAIL_FROM") or cls.sender,
            timeout=_number(config, "SMTP_TIMEOUT_SECONDS", 30.0),
        )


@dataclass(frozen=True)
class JobSettings:
    zone: str  # the clinic's (CLINIC_TIMEZONE): handed in, never assumed
    mail: MailSettings = field(default_factory=MailSettings)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    batch_size: int = 200  # messages per sender run, so that one run ends and a stop is never far
    keep_job_runs: dt.timedelta = dt.timedelta(days=30)
    lock_poll_seconds: float = 5.0  # how often a waiting scheduler tries the lock, and the holder checks it
    secret_key: str = field(default="", repr=False)  # writes patient links into their emails when sent

    @classmethod
    def from_config(cls, config: Mapping) -> JobSettings:
        defaults = RetryPolicy()
        retry = RetryPolicy(
            max_attempts=int(_number(config, "OUTBOX_MAX_ATTEMPTS", defaults.max_attempts)),
            base_delay=dt.timedelta(
                seconds=_number(config, "OUTBOX_RETRY_SECONDS", defaults.base_delay.total_seconds())
            ),
            max_delay=dt.timedelta(
                seconds=_number(config, "OUTBOX_RETRY_MAX_SECONDS", defaults.max_delay.total_seconds())
            ),
            lease=dt.timedelta(seconds=_number(config, "OUTBOX_LEASE_SECONDS", defaults.lease.total_seconds())),
        )
        return cls(
            zone=config["CLINIC_TIMEZONE"],
            mail=MailSettings.from_config(config),
            retry=retry,
            batch_size=int(_number(config, "OUTBOX_BATCH_SIZE", cls.batch_size)),
            keep_job_runs=dt.timedelta(days=_number(config, "JOB_RUNS_KEEP_DAYS", cls.keep_job_runs.days)),
            lock_poll_seconds=_number(config, "SCHEDULER_LOCK_POLL_SECONDS", cls.lock_poll_seconds),
            secret_key=config.get("SECRET_KEY") or "",
        )
