"""The observation board: beds, time since start, planned end, checks, discharge checklist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import roles
from ..core.errors import DomainError
from ..extensions import db
from ..forms import FlaskForm
from ..models import Appointment, ObservationBed
from ..models.vocab import AppointmentStatus, Role
from ..radiology.forms import CheckForm, DischargeForm, ExtendForm, MoveBedForm
from ..services import procedure_day
from ..web import get_or_404, lands_on, now, refused, zone
from . import bp

CARE = (Role.NURSE, Role.RADIOLOGIST)


@dataclass(frozen=True)
class Refused:
    """A step refused for one patient: which form of the card (``step``: "check", "extend", "discharge",
    "bed") and the form as posted, with its errors; ``problem`` is a refusal that names no field."""

    appointment_id: int
    step: str
    form: FlaskForm
    problem: str | None = None


def _board(failed: Refused | None = None):
    """The board's data. ``failed``: the step refused for one appointment, its posted form shown in that
    patient's card only (what was typed, the errors at their fields); every other card's forms are fresh."""
    beds = db.session.scalars(
        select(ObservationBed).where(ObservationBed.active).order_by(ObservationBed.sort_order)
    ).all()
    # Earliest arrival first: a patient lying on a bed keeps it; one who arrives while their booked bed is
    # still taken gets a card of their own (all controls) and a choice of free beds.
    patients = db.session.scalars(
        select(Appointment)
        .where(Appointment.status == AppointmentStatus.IN_OBSERVATION)
        .order_by(Appointment.status_changed_at, Appointment.id)
    ).all()
    records = {a.id: procedure_day.observation_of(db.session, a) for a in patients}
    by_bed = {}
    unassigned = []
    for a in patients:
        record = records[a.id]
        bed_id = record.bed_id if record and record.bed_id else a.bed_id
        if bed_id in by_bed or bed_id is None:
            unassigned.append((a, record, procedure_day.free_beds(db.session, a, now())))
        else:
            by_bed[bed_id] = (a, record)
    return {
        "beds": beds,
        "by_bed": by_bed,
        "unassigned": unassigned,
        "check_form": CheckForm(formdata=None),
        "extend_form": ExtendForm(formdata=None),
        "discharge_form": DischargeForm(formdata=None),
        "failed": failed,
        "items": procedure_day.DISCHARGE_ITEMS,  # marked phrases: the board shows them in the screen's language
        "gaps_by_id": {a.id: procedure_day.discharge_gaps(db.session, a, now()) for a in patients},
        "facts_by_id": {a.id: procedure_day.bedside_facts(db.session, a) for a in patients},
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


def _step(
    appointment: Appointment,
    step: str,
    change: Callable[[], object],
    message: Callable[[], str],
    *,
    form: FlaskForm,
    invalid: str = "",
):
    """A step taken from the board. Done: back to the board (post/redirect/get), saying ``message`` (read
    after the change). Refused, because the form is invalid (saying ``invalid``) or because the service
    says no (saying why): the board again, answered 422, with this card's form holding what was typed and
    the error beside it. The refusal is rolled back (``refused``; the boundary rolls back any 4xx), so
    nothing of the step is kept."""
    if not form.validate():
        return _board_again(appointment, step, form, invalid)
    try:
        change()
    except DomainError as error:
        problem = refused(error)
        field = error.details.get("field") if isinstance(error.details, dict) else None
        if field in form:  # the refusal names a field of the form: shown there
            form[field].errors = [*form[field].errors, problem]
            return _board_again(appointment, step, form, problem)
        return _board_again(appointment, step, form, problem, problem=problem)
    return _done(message())


def _board_again(appointment: Appointment, step: str, form: FlaskForm, banner: str, *, problem: str | None = None):
    flash(banner, "danger")
    return render_template("observation/board.html", **_board(Refused(appointment.id, step, form, problem))), 422


def _check_values(form: CheckForm) -> procedure_day.CheckValues:
    return procedure_day.CheckValues(
        systolic=form.systolic.data,
        diastolic=form.diastolic.data,
        pulse=form.pulse.data,
        pain_score=form.pain_score.data,
        motor_normal=None if not form.motor.data else form.motor.data == "normal",
        sensory_normal=None if not form.sensory.data else form.sensory.data == "normal",
        note=form.note.data,
    )


@bp.post("/appointments/<int:appointment_id>/check")
@lands_on("observation.board")
@roles(*CARE)
def add_check(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    record = procedure_day.observation_of(db.session, appointment)
    form = CheckForm()
    if record is None or record.discharged_at is not None:
        return _done(_("This patient is not in observation."), "danger")
    if form.validate():
        try:
            procedure_day.record_check(db.session, current_user, appointment, _check_values(form))
        except DomainError as error:
            field = error.details.get("field") if isinstance(error.details, dict) else None
            form[field if field in form else "systolic"].errors = [refused(error)]
    if form.errors:
        problems = [f"{form[name].label.text}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()]
        flash(
            _(
                "Check not saved for %(name)s: %(problems)s",
                name=appointment.patient.display_name,
                problems="; ".join(problems),
            ),
            "danger",
        )
        return render_template("observation/board.html", **_board(Refused(appointment.id, "check", form))), 422
    return _done(_("Check recorded for %(name)s.", name=appointment.patient.display_name))


@bp.post("/appointments/<int:appointment_id>/checklist")
@lands_on("observation.board")
@roles(*CARE)
def checklist(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    ticked = {key: request.form.get(key) == "on" for key in procedure_day.DISCHARGE_ITEMS}
    try:
        procedure_day.set_discharge_checklist(db.session, appointment, **ticked)
    except DomainError as error:
        return _done(refused(error), "danger")
    return _done(_("Discharge checklist updated."))


@bp.post("/appointments/<int:appointment_id>/extend")
@lands_on("observation.board")
@roles(*CARE)
def extend(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    form = ExtendForm()
    return _step(
        appointment,
        "extend",
        lambda: procedure_day.extend_observation(
            db.session, current_user, appointment, form.minutes.data, form.reason.data
        ),
        lambda: _("Observation extended."),
        form=form,
        invalid=_("Give the minutes (1–120)."),
    )


@bp.post("/appointments/<int:appointment_id>/bed")
@lands_on("observation.board")
@roles(*CARE)
def move_bed(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    form = MoveBedForm()
    return _step(
        appointment,
        "bed",
        lambda: procedure_day.move_to_bed(
            db.session, current_user, appointment, form.bed_id.data, at=now(), zone=zone()
        ),
        lambda: _("%(name)s moved to %(bed)s.", name=appointment.patient.display_name, bed=appointment.bed.label),
        form=form,
        invalid=_("Choose a free bed."),
    )


@bp.post("/appointments/<int:appointment_id>/discharge")
@lands_on("observation.board")
@roles(*CARE)
def discharge(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    form = DischargeForm()
    return _step(
        appointment,
        "discharge",
        lambda: procedure_day.discharge(db.session, current_user, appointment, at=now(), reason=form.reason.data),
        lambda: _("%(name)s discharged. Follow-up calls are scheduled.", name=appointment.patient.display_name),
        form=form,
        invalid=_("The reason is too long (500 characters at most)."),
    )
