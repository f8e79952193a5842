"""Login throttling with Flask-Limiter: failed logins are counted per client address, per account, and
per account from one address. Only refused logins count (``deduct_when``); a success costs nothing.

Nobody can lock an account from afar any more: the tight limit (``LOGIN_MAX_FAILURES`` in
``LOGIN_LOCKOUT_MINUTES``) is per account *and* address, so the owner at their own desk can still log
in while a stranger hammers it. The per-address limit stops one machine from trying many accounts, and
the looser per-account limit slows guessing spread over many addresses. The keys are the names as typed,
whether or not such an account exists, so the answers do not tell which user names exist.

Storage: ``RATELIMIT_STORAGE_URI`` (default ``memory://``: counts live in the process, right for one
server process). With several processes or servers, point them all at one shared store (README).
"""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address


def _typed_name() -> str:
    return (request.form.get("username") or "").strip().lower()[:64]


def address_key() -> str:
    return f"login-address:{get_remote_address()}"


def account_key() -> str:
    return f"login-account:{_typed_name()}"


def account_and_address_key() -> str:
    return f"login-account-address:{_typed_name()}:{get_remote_address()}"


def _failures(setting: str):
    """A limit for Flask-Limiter, read when a login comes: the configured number of failures in the window."""

    def limit() -> str:
        config = current_app.config
        return f"{config[setting]} per {config['LOGIN_LOCKOUT_MINUTES']} minutes"

    return limit


per_account_and_address = _failures("LOGIN_MAX_FAILURES")
per_address = _failures("LOGIN_ADDRESS_MAX_FAILURES")
per_account = _failures("LOGIN_ACCOUNT_MAX_FAILURES")


def refused(response) -> bool:
    return response.status_code == 401
