"""Staff accounts: passwords, login with lockout, roles, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ApiToken, User
from ..models.base import utcnow
from ..models.vocab import Role
from . import audit
from .errors import InvalidInput, NotFound

MIN_PASSWORD_LENGTH = 10
# Werkzeug's default (scrypt). The test suite lowers the cost through the environment; production never should.
PASSWORD_METHOD = os.environ.get("CLINIC_PASSWORD_HASH_METHOD", "scrypt")
# Verifying against a real hash for unknown names keeps the response time from revealing which
# usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout_minutes: int = 15


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def check_password_strength(password: str, *, demo: bool = False) -> None:
    if demo:
        return
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def authenticate(session: Session, username: str, password: str, policy: LoginPolicy) -> User:
    """Check a login. Failed attempts count towards a temporary lockout of the account."""
    user = find_user(session, username)
    now = utcnow()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise LoginRefused("Unknown user name or wrong password.")
    if user.is_locked(now):
        audit.record(session, "login.refused_locked", "users", user.id, actor=user)
        raise LoginRefused(
            "This account is locked after repeated failed logins. Try again later or ask an administrator."
        )
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        summary = {"failed_logins": user.failed_logins}
        if user.failed_logins >= policy.max_failures:
            user.locked_until = now + dt.timedelta(minutes=policy.lockout_minutes)
            user.failed_logins = 0
            summary["locked_until"] = user.locked_until.isoformat()
        audit.record(session, "login.failed", "users", user.id, summary=summary, actor=user)
        if user.locked_until and user.locked_until > now:
            raise LoginRefused(f"Too many failed logins: this account is locked for {policy.lockout_minutes} minutes.")
        raise LoginRefused("Unknown user name or wrong password.")
    if not user.active:
        raise LoginRefused("This account has been deactivated.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session, "login.succeeded", "users", user.id, actor=user)
    return user


def create_user(
    session: Session,
    username: str,
    full_name: str,
    password: str,
    roles: set[str],
    *,
    email: str | None = None,
    demo: bool = False,
) -> User:
    username = username.strip()
    if not username or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise InvalidInput("A user name is letters, digits, dots, dashes and underscores.")
    if find_user(session, username):
        raise InvalidInput(f"The user name {username!r} is taken.")
    if not roles:
        raise InvalidInput("Give the account at least one role.")
    unknown = set(roles) - set(Role.values())
    if unknown:
        raise InvalidInput(f"Unknown role(s): {', '.join(sorted(unknown))}.")
    check_password_strength(password, demo=demo)
    user = User(username=username, full_name=full_name.strip() or username, email=email, active=True)
    user.password_hash = hash_password(password)
    user.set_roles(set(roles))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.failed_logins = 0
    user.locked_until = None
    session.flush()


def deactivate(session: Session, user: User) -> None:
    user.active = False
    user.session_version += 1
    for token in user_tokens(session, user):
        if token.revoked_at is None:
            token.revoked_at = utcnow()
    session.flush()


def load_session_user(session: Session, session_id: str) -> User | None:
    """Flask-Login's user loader: ``id:session_version``, so a password reset ends old sessions."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    user = session.get(User, user_id)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str) -> str:
    """Make an API token. The token is returned once; only its hash is kept."""
    token = "ct_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, prefix=token[:10], token_hash=_token_hash(token)))
    session.flush()
    return token


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user


def set_language(session: Session, user: User, language: str | None) -> None:
    """The language of the user's screens: "de", "en", or None to follow the clinic's."""
    if language not in (None, "de", "en"):
        raise InvalidInput("Choose German or English.")
    user.language = language
    session.flush()
