"""Staff accounts: passwords, login with lockout, roles, API tokens."""

from __future__ import annotations

import hashlib
import os
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..core import audit
from ..core.errors import InvalidInput, found
from ..core.messages import N_, Phrase
from ..models import ApiToken, User
from ..models.base import utcnow
from ..models.vocab import Role

MIN_PASSWORD_LENGTH = 12
# zxcvbn's score, 0 (guessable in a few tries) to 4: 3 means "safely unguessable" against an online
# attack that is throttled, the situation of a login page.
MIN_PASSWORD_SCORE = 3
# One answer for every refused login, whether the name exists or not, and whatever the reason.
REFUSED = N_("Unknown user name or wrong password.")
# Werkzeug's default (scrypt). The test suite lowers the cost through the environment; production never should.
PASSWORD_METHOD = os.environ.get("CLINIC_PASSWORD_HASH_METHOD", "scrypt")
# Verifying against a real hash for unknown names keeps the response time from revealing which
# usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)
# Words of this product that make a password easy to guess for anyone who knows where it is used.
CONTEXT_WORDS = ("clinic", "klinik", "schmerz", "schmerzzentrum", "pain", "radiology", "radiologie", "praxis")


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# zxcvbn's warnings (its feedback.py) are English only: each is marked here, so that a screen shows it in
# its language. The key is zxcvbn's sentence, the value ours (no full stop: it stands inside a sentence).
ESTIMATOR_WARNINGS: dict[str, str] = {
    "Straight rows of keys are easy to guess.": N_("straight rows of keys are easy to guess"),
    "Short keyboard patterns are easy to guess.": N_("short keyboard patterns are easy to guess"),
    'Repeats like "aaa" are easy to guess.': N_("repeated characters are easy to guess"),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': N_(
        "a repeated group of characters is hardly harder to guess than the group alone"
    ),
    'Sequences like "abc" or "6543" are easy to guess.': N_("sequences like abc or 6543 are easy to guess"),
    "Recent years are easy to guess.": N_("recent years are easy to guess"),
    "Dates are often easy to guess.": N_("dates are often easy to guess"),
    "This is a top-10 common password.": N_("it is among the 10 most common passwords"),
    "This is a top-100 common password.": N_("it is among the 100 most common passwords"),
    "This is a very common password.": N_("it is a very common password"),
    "This is similar to a commonly used password.": N_("it is similar to a commonly used password"),
    "A word by itself is easy to guess.": N_("a single word is easy to guess"),
    "Names and surnames by themselves are easy to guess.": N_("a name on its own is easy to guess"),
    "Common names and surnames are easy to guess.": N_("common first names and surnames are easy to guess"),
}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def check_password_strength(password: str, *, context: tuple[str | None, ...] = ()) -> None:
    """Refuse short, common and guessable passwords, and those built from the account's own details
    (``context``: user name, full name, email) or the clinic's name, using zxcvbn's estimator."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(N_("The password needs at least {count} characters."), count=MIN_PASSWORD_LENGTH)
    words = [w for value in context if value for w in re.split(r"[\s@._-]+", value) + [value] if len(w) >= 3]
    lowered = password.casefold()
    if any(word.casefold() in lowered for word in words):
        raise InvalidInput(N_("The password must not contain the user name, the person's name or email address."))
    result = zxcvbn(password[:100], user_inputs=[*words, *CONTEXT_WORDS])
    if result["score"] < MIN_PASSWORD_SCORE:
        hint = ESTIMATOR_WARNINGS.get((result["feedback"].get("warning") or "").strip())
        if hint is None:  # no warning, or one this list does not know: no English on a German screen
            raise InvalidInput(
                N_(
                    "This password is too easy to guess. Use a few uncommon words, or a longer mix of "
                    "letters, digits and signs."
                )
            )
        raise InvalidInput(
            N_(
                "This password is too easy to guess: {hint}. Use a few uncommon words, or a longer "
                "mix of letters, digits and signs."
            ),
            hint=Phrase(hint),
        )


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def authenticate(session: Session, username: str, password: str) -> User:
    """Check a login. Every refusal gives the same answer after the same work (one hash check, also for
    names that do not exist), so neither the message nor the time tells which user names exist.
    Throttling is the web layer's (``clinic.auth.throttle``); failures are audited for the account."""
    user = find_user(session, username)
    matches = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None:
        raise LoginRefused(REFUSED)
    now = utcnow()
    if not matches or user.is_locked(now):
        user.failed_logins += 1
        audit.record(
            session, "login.failed", "users", user.id, summary={"failed_logins": user.failed_logins}, actor=user
        )
        raise LoginRefused(REFUSED)
    if not user.active:
        raise LoginRefused(N_("This account has been deactivated."))
    user.failed_logins = 0
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
    language: str | None = None,
) -> User:
    username = username.strip()
    if not username or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise InvalidInput(N_("A user name is letters, digits, dots, dashes and underscores."))
    if find_user(session, username):
        raise InvalidInput(N_("The user name “{username}” is taken."), username=username)
    if not roles:
        raise InvalidInput(N_("Give the account at least one role."))
    unknown = set(roles) - set(Role.values())
    if unknown:
        raise InvalidInput(N_("Unknown role(s): {items}."), items=", ".join(sorted(unknown)))
    if not demo:
        check_password_strength(password, context=(username, full_name, email))
    if language not in (None, "de", "en"):
        raise InvalidInput(N_("Choose German or English."))
    user = User(username=username, full_name=full_name.strip() or username, email=email, active=True, language=language)
    user.password_hash = hash_password(password)
    user.set_roles(set(roles))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> list[ApiToken]:
    """A new password: every session of the account ends and its API tokens are revoked (whoever
    had the old password may have made one). Returns the tokens revoked, to tell the admin."""
    check_password_strength(password, context=(user.username, user.full_name, user.email))
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(session, user)
    revoked = revoke_tokens(session, user)
    session.flush()
    return revoked


def end_sessions(session: Session, user: User) -> None:
    """Every session of this account ends, copies of its cookie included: the session id that the
    cookie carries (``id:session_version``) no longer matches."""
    user.session_version += 1
    session.flush()


def revoke_tokens(session: Session, user: User) -> list[ApiToken]:
    revoked = []
    for token in user_tokens(session, user):
        if token.revoke(utcnow()):
            revoked.append(token)
    return revoked


def deactivate(session: Session, user: User) -> None:
    user.active = False
    end_sessions(session, user)
    revoke_tokens(session, user)
    session.flush()


def load_session_user(session: Session, session_id: str) -> User | None:
    """Flask-Login's user loader: ``id:session_version``, so a password reset ends old sessions."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    # The roles in the same statement: every request asks for them (access rules, navigation).
    user = session.get(User, user_id, options=[joinedload(User.role_rows)])
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
    token = found(session, ApiToken, token_id, N_("No such token."))
    token.revoke(utcnow())
    session.flush()
    return token


def token_and_user(session: Session, token: str) -> tuple[ApiToken, User] | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row, row.user


def user_for_token(session: Session, token: str) -> User | None:
    found = token_and_user(session, token)
    return found[1] if found else None


def set_language(session: Session, user: User, language: str | None) -> None:
    """The language of the user's screens: "de", "en", or None to follow the clinic's."""
    if language not in (None, "de", "en"):
        raise InvalidInput(N_("Choose German or English."))
    user.language = language
    session.flush()
