from flask import render_template

from ..auth.access import roles
from ..models.vocab import Role
from . import bp


@bp.get("/")
@roles(Role.NURSE, Role.RADIOLOGIST)
def board():
    return render_template("frontdesk/today.html")
