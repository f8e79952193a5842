from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from ..auth.access import any_staff, public
from ..extensions import db
from . import bp

START_PAGES = [
    ("front_desk", "frontdesk.today"),
    ("radiologist", "radiology.worklist"),
    ("nurse", "observation.board"),
    ("admin", "admin.index"),
]


@bp.get("/")
@any_staff
def home():
    for role, endpoint in START_PAGES:
        if current_user.has_role(role):
            return redirect(url_for(endpoint))
    return render_template("main/home.html")


@bp.get("/healthz")
@public
def health():
    """For the reverse proxy's health checks (and the load test's trivial route): the app answers and
    reaches its database."""
    db.session.execute(text("SELECT 1"))
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
