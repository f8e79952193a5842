from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import outbox, portal, routes  # noqa: E402,F401
