"""Private iCalendar feeds per radiologist and per room: the feed itself (public, the token in the
path is the key) and the admin screens that make and revoke feed URLs."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)

from . import routes  # noqa: E402,F401
