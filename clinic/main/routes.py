from flask import redirect, render_template, url_for
from flask_login import current_user

from ..auth.access import any_staff
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
