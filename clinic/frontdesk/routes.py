from flask import render_template

from ..auth.access import roles
from ..models.vocab import Role
from . import bp


@bp.get("/")
@roles(Role.FRONT_DESK)
def today():
    return render_template("frontdesk/today.html")


@bp.get("/referrals")
@roles(Role.FRONT_DESK)
def referrals():
    return render_template("frontdesk/today.html")


@bp.get("/calendar")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST)
def calendar():
    return render_template("frontdesk/today.html")


@bp.get("/referrals/new")
@roles(Role.FRONT_DESK)
def new_referral():
    return render_template("frontdesk/today.html")


@bp.get("/patients/<int:patient_id>/edit")
@roles(Role.FRONT_DESK)
def edit_patient(patient_id: int):
    return render_template("frontdesk/today.html")


@bp.get("/referrals/<int:referral_id>")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST)
def referral(referral_id: int):
    return render_template("frontdesk/today.html")


@bp.get("/appointments/<int:appointment_id>")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)
def appointment(appointment_id: int):
    return render_template("frontdesk/today.html")
