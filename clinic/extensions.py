"""Flask extensions, created here and bound to the app in ``create_app``."""

from flask import current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Every constraint gets a predictable name so that migrations can refer to it and so that a violated
# constraint can be turned back into the friendly message of the rule it guards.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()


class ClinicLoginManager(LoginManager):
    """Flask-Login's strong session protection for logged-in sessions only.

    Flask-Login applies it to any session that is not empty: the login page's session (its CSRF secret)
    has no browser fingerprint, so every anonymous answer, the login page's icon included, rewrote the
    session cookie. A browser fetching the icon before the login and receiving it after the login's answer
    took that stale cookie in place of the logged-in one, and the next page sent the user back to the
    login (CI, 2026-12-05). With no user in the session and no remember cookie there is nothing to protect,
    and the cookie is left alone. (``_session_protection_failed`` is Flask-Login's hook, pinned below 0.7.)"""

    def _session_protection_failed(self) -> bool:
        remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        if "_user_id" not in session and remember_cookie not in request.cookies:
            return False
        return super()._session_protection_failed()


login_manager = ClinicLoginManager()
# Limits are declared on the views that need them (the login, the patient's link); nothing is limited by
# default.
limiter = Limiter(key_func=get_remote_address)
