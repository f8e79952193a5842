from flask import Blueprint

bp = Blueprint("observation", __name__)

from . import routes  # noqa: E402,F401
