from flask import Blueprint

bp = Blueprint("frontdesk", __name__)

from . import routes  # noqa: E402,F401
