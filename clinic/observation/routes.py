"""The observation board: beds, time since start, planned end, checks, discharge checklist."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import roles
from ..core.errors import DomainError
from ..extensions import db
from ..models import Appointment, ObservationBed, ObservationCheck
from ..models.vocab import AppointmentStatus, Role
from ..radiology.forms import CheckForm, ExtendForm
from ..services import daybook
from ..web import get_or_404, now
from . import bp

CARE = (Role.NURSE, Role.RADIOLOGIST)


def _board():
    beds = db.session.scalars(
        select(ObservationBed).where(ObservationBed.active).order_by(ObservationBed.sort_order)
    ).all()
    patients = db.session.scalars(
        select(Appointment).where(Appointment.status == AppointmentStatus.IN_OBSERVATION)
    ).all()
    records = {a.id: daybook.observation_of(db.session, a) for a in patients}
    by_bed = {}
    unassigned = []
    for a in patients:
        record = records[a.id]
        bed_id = record.bed_id if record and record.bed_id else a.bed_id
        if bed_id in by_bed or bed_id is None:
            unassigned.append((a, record))
        else:
            by_bed[bed_id] = (a, record)
    return {
        "beds": beds,
        "by_bed": by_bed,
        "unassigned": unassigned,
        "check_form": CheckForm(),
        "extend_form": ExtendForm(),
        "items": daybook.DISCHARGE_ITEMS,
    }


@bp.get("/", endpoint="board")
@roles(*CARE)
def board():
    return render_template("observation/board.html", **_board())


@bp.get("/beds")
@roles(*CARE)
def beds_partial():
    return render_template("observation/_beds.html", **_board())


def _done(message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("observation.board"))


@bp.post("/appointments/<int:appointment_id>/check")
@roles(*CARE)
def add_check(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    record = daybook.observation_of(db.session, appointment)
    form = CheckForm()
    if record is None or record.discharged_at is not None:
        return _done("This patient is not in observation.", "danger")
    if not form.validate():
        flash("Check not saved: " + "; ".join(e for errs in form.errors.values() for e in errs), "danger")
        return render_template("observation/board.html", **_board()), 422
    record.checks.append(
        ObservationCheck(
            systolic=form.systolic.data,
            diastolic=form.diastolic.data,
            pulse=form.pulse.data,
            pain_score=form.pain_score.data,
            motor_normal=None if not form.motor.data else form.motor.data == "normal",
            sensory_normal=None if not form.sensory.data else form.sensory.data == "normal",
            note=(form.note.data or "").strip() or None,
            by_user_id=current_user.id,
        )
    )
    db.session.flush()
    return _done(f"Check recorded for {appointment.patient.display_name}.")


@bp.post("/appointments/<int:appointment_id>/checklist")
@roles(*CARE)
def checklist(appointment_id: int):
    from flask import request

    appointment = get_or_404(Appointment, appointment_id)
    try:
        daybook.set_discharge_checklist(
            db.session, appointment, **{key: request.form.get(key) == "on" for key in daybook.DISCHARGE_ITEMS}
        )
    except DomainError as error:
        return _done(error.message, "danger")
    return _done("Discharge checklist updated.")


@bp.post("/appointments/<int:appointment_id>/extend")
@roles(*CARE)
def extend(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    form = ExtendForm()
    if not form.validate():
        return _done("Give the minutes (1–120).", "danger")
    try:
        daybook.extend_observation(db.session, current_user, appointment, form.minutes.data, form.reason.data)
    except DomainError as error:
        return _done(error.message, "danger")
    return _done("Observation extended.")


@bp.post("/appointments/<int:appointment_id>/discharge")
@roles(*CARE)
def discharge(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    try:
        daybook.discharge(db.session, current_user, appointment, at=now())
    except DomainError as error:
        return _done(error.message, "danger")
    return _done(f"{appointment.patient.display_name} discharged. Follow-up calls are scheduled.")
