from flask import render_template

from ..auth.access import roles
from ..models.vocab import Role
from . import bp


@bp.get("/triage")
@roles(Role.RADIOLOGIST)
def triage():
    return render_template("frontdesk/today.html")


@bp.get("/worklist")
@roles(Role.RADIOLOGIST, Role.NURSE)
def worklist():
    return render_template("frontdesk/today.html")


@bp.get("/follow-ups")
@roles(Role.RADIOLOGIST, Role.FRONT_DESK)
def follow_ups():
    return render_template("frontdesk/today.html")


@bp.get("/reports")
@roles(Role.RADIOLOGIST, Role.ADMIN)
def reports():
    return render_template("frontdesk/today.html")
