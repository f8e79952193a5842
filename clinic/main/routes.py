from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from ..auth.access import any_staff, public
from ..extensions import db
from ..services import accounts
from . import bp
from .forms import CLINIC_DEFAULT, ProfileForm

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


@bp.route("/profile", methods=["GET", "POST"])
@any_staff
def profile():
    """The user's own settings: the language of their screens."""
    form = ProfileForm(language=current_user.language or CLINIC_DEFAULT)
    if form.validate_on_submit():
        accounts.set_language(db.session, current_user, form.language.data or None)
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("main.profile"))
    return render_template("main/profile.html", form=form), 422 if form.errors else 200
