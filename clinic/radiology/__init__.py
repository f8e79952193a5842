from flask import Blueprint

bp = Blueprint("radiology", __name__)

from . import routes  # noqa: E402,F401
