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
from ..core.numbers import whole
from ..core.timefmt import day_bounds
from ..core.vitals import carried_over, measured
from ..extensions import db
from ..forms import FlaskForm, correct_marked
from ..i18n import say
from ..models import Appointment, ObservationBed
from ..models.vocab import Role
from ..radiology.forms import CheckForm, DischargeForm, ExtendForm, MoveBedForm, ReleaseCriticalForm
from ..services import procedure_day
from ..web import get_or_404, lands_on, local_today, now, refused, zone
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
    ticked: dict[str, bool] | None = None  # the discharge checklist as it was posted with the check


def _board(failed: Refused | None = None):
    """The board's data. ``failed``: the step refused for one appointment, its posted form shown in that
    patient's card only (what was typed, the errors at their fields); every other card's forms are fresh."""
    beds = db.session.scalars(
        select(ObservationBed).where(ObservationBed.active).order_by(ObservationBed.sort_order)
    ).all()
    # Earliest arrival first: a patient lying on a bed keeps it; one who arrives while their booked bed is
    # still taken gets a card of their own (all controls) and a choice of free beds.
    places = procedure_day.observation_places(db.session)
    patients = [*places.by_bed.values(), *places.without_bed]
    records = {a.id: procedure_day.observation_of(db.session, a) for a in patients}
    by_bed = {bed_id: (a, records[a.id]) for bed_id, a in places.by_bed.items()}
    unassigned = [(a, records[a.id], procedure_day.free_beds(db.session, a, now())) for a in places.without_bed]
    return {
        "beds": beds,
        "by_bed": by_bed,
        "unassigned": unassigned,
        "check_form": CheckForm(formdata=None),
        "extend_form": ExtendForm(formdata=None),
        "discharge_form": DischargeForm(formdata=None),
        "release_form": ReleaseCriticalForm(formdata=None),
        "failed": failed,
        "items": procedure_day.DISCHARGE_ITEMS,  # marked phrases: the board shows them in the screen's language
        "gaps_by_id": {a.id: procedure_day.discharge_gaps(db.session, a, now()) for a in patients},
        "facts_by_id": {a.id: procedure_day.bedside_facts(db.session, a) for a in patients},
        # Walk 27: strength reduced at the last check that looked at it (a nurse cannot discharge), and the
        # day's flagged discharges (seen on the board, not only in the audit trail).
        "motor_by_id": {a.id: procedure_day.reduced_motor(records[a.id]) if records[a.id] else None for a in patients},
        "flagged_today": procedure_day.flagged_discharges(db.session, *day_bounds(local_today(), zone())),
        # Which strength the motor check tests: the arms' after a cervical level, the legs' otherwise (walk 27).
        "motor_label_by_id": {a.id: procedure_day.motor_label(a) for a in patients},
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
        marked = any(name != "csrf_token" for name in form.errors)
        return _board_again(appointment, step, form, correct_marked(form) if marked and step != "bed" else invalid)
    try:
        change()
    except DomainError as error:
        problem = refused(error)
        field = error.details.get("field") if isinstance(error.details, dict) else None
        if field in form:  # the refusal names a field of the form: said there, under a short banner
            form[field].errors = [*form[field].errors, problem]
            return _board_again(appointment, step, form, correct_marked(form), said=problem)
        # Said on the card beside its form; the banner only points there (walk finding: said twice).
        banner = _("Not done for %(name)s: the card says why.", name=appointment.patient.display_name)
        return _board_again(appointment, step, form, banner if step in CARD_SAYS else problem, problem=problem)
    return _done(message())


# The steps whose card shows a refusal that names no field (``Refused.problem``) beside their form.
CARD_SAYS = ("bed", "discharge", "extend", "release")


def _board_again(
    appointment: Appointment,
    step: str,
    form: FlaskForm,
    banner: str,
    *,
    problem: str | None = None,
    said: str | None = None,
):
    """The board again (422) with the refused step's card, and ``banner`` above. A card that does not show
    the refusal (the patient left the board; the bed's choice is gone when no bed is free any more) leaves it
    to the banner: the refusal (``said``, or the ``problem``) is then the banner."""
    board = _board(Refused(appointment.id, step, form, problem))
    if step == "bed":
        shown = any(a.id == appointment.id and free for a, _record, free in board["unassigned"])
    else:
        cards = [a for a, _record in board["by_bed"].values()] + [a for a, _record, _free in board["unassigned"]]
        shown = any(a.id == appointment.id for a in cards)
    if not shown:
        banner = said or problem or banner
    flash(banner, "danger")
    return render_template("observation/board.html", **board), 422


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


def _ticked() -> dict[str, bool] | None:
    """The discharge checklist as the card posted it, or None when the form had no checklist in it."""
    if request.form.get("checklist") is None:
        return None
    return {key: request.form.get(key) == "on" for key in procedure_day.DISCHARGE_ITEMS}


def _check_and_checklist(appointment: Appointment, *, check_needed: bool):
    """The card's vitals and checklist are one form (walk finding: "Update checklist" emptied the vitals
    typed in the same card): either button saves what is typed in both. The check is saved when it has a
    value (always for "Save check", whose empty check is refused), the checklist when it was posted. A
    refusal shows the card as posted, with the error at its field; nothing of it is saved."""
    form = CheckForm()
    ticked = _ticked()
    check = None
    check_typed = check_needed or any(f.raw_data and str(f.raw_data[0]).strip() for f in form if f.name != "csrf_token")
    if form.validate() or not check_typed:
        try:
            if check_typed:
                check = procedure_day.record_check(db.session, current_user, appointment, _check_values(form))
            if ticked is not None:
                if check is not None and check.observation.vitals.critical and ticked["stable"]:
                    # The tick stood on the card before this reading: the critical reading is kept, the
                    # tick is not (the service refuses it; the save message says so).
                    ticked = {**ticked, "stable": False}
                procedure_day.set_discharge_checklist(db.session, appointment, **ticked)
        except DomainError as error:
            field = error.details.get("field") if isinstance(error.details, dict) else None
            if field in form:
                form[field].errors = [refused(error)]
            else:  # about the check as a whole (nothing typed): said once, at the card
                form.form_errors.append(refused(error))
    return form, ticked, check_typed, check


@bp.post("/appointments/<int:appointment_id>/check")
@lands_on("observation.board")
@roles(*CARE)
def add_check(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    record = procedure_day.observation_of(db.session, appointment)
    if record is None or record.discharged_at is not None:
        return _done(_("This patient is not in observation."), "danger")
    form, ticked, _typed, check = _check_and_checklist(appointment, check_needed=True)
    if form.errors:
        return _check_refused(appointment, form, ticked)
    return _done(*_check_saved(appointment, record, check))


def _check_saved(appointment: Appointment, record, check) -> tuple[str, str]:
    """The message that ``check`` was saved, and its category. A critical reading is said as such, with the
    values of this check alone (walk finding: 60/30 with a pulse of 190 was "saved" like any other; walk 22:
    a check saved without a pulse was said with the pulse of an earlier check); a critical value of an earlier
    check that this one did not measure again is said as the earlier check's."""
    name = appointment.patient.display_name
    taken = measured(check)
    if taken.critical:
        return (
            _(
                "Check recorded for %(name)s. CRITICAL: %(values)s (%(reasons)s). Inform a physician now; the "
                "patient stays until a new check is back in range.",
                name=name,
                values=taken.shown,
                reasons=say(taken.reasons),
            ),
            "danger",
        )
    earlier = carried_over(record.vitals, check)
    if earlier.critical:
        return (
            _(
                "Check recorded for %(name)s. Still critical from an earlier check: %(values)s (%(reasons)s). "
                "Measure again; the patient stays until a new check is back in range.",
                name=name,
                values=earlier.shown,
                reasons=say(earlier.reasons),
            ),
            "danger",
        )
    return _("Check recorded for %(name)s.", name=name), "success"


def _check_refused(
    appointment: Appointment, form: CheckForm, ticked: dict[str, bool] | None, *, check_typed: bool = True
):
    """The board again (422): the banner names the check's problems, the card holds what was typed."""
    # Each field's sentences without their full stop, joined by "; ", and one full stop at the end (the
    # banner said "…300.; Puls: …").
    # The refusals stand at their fields, each said once (walk finding: "…: Vertauscht?." in the banner
    # and again at the field); the banner names the marked fields and asks to correct them.
    marked = [str(form[name].label.text) for name in form.errors if name in form]
    if marked:
        banner = " ".join(
            (
                _(
                    "Check not saved for %(name)s (%(fields)s).",
                    name=appointment.patient.display_name,
                    fields=", ".join(marked),
                ),
                correct_marked(form),
            )
        )
    elif check_typed:
        banner = _("Check not saved for %(name)s.", name=appointment.patient.display_name)
    else:  # the checklist alone was refused ("Circulation stable" while the last check is critical)
        banner = _("Checklist not saved for %(name)s: the card says why.", name=appointment.patient.display_name)
    flash(banner, "danger")
    board = _board(Refused(appointment.id, "check", form, ticked=ticked))
    return render_template("observation/board.html", **board), 422


@bp.post("/appointments/<int:appointment_id>/checklist")
@lands_on("observation.board")
@roles(*CARE)
def checklist(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    record = procedure_day.observation_of(db.session, appointment)
    if record is None or record.discharged_at is not None:
        return _done(_("There is no open observation for this appointment."), "danger")
    if request.form.get("checklist") is None:  # a form of before the card was one: the checklist alone
        ticked = {key: request.form.get(key) == "on" for key in procedure_day.DISCHARGE_ITEMS}
        try:
            procedure_day.set_discharge_checklist(db.session, appointment, **ticked)
        except DomainError as error:
            return _done(refused(error), "danger")
        return _done(_("Discharge checklist updated."))
    form, ticked, check_typed, check = _check_and_checklist(appointment, check_needed=False)
    if form.errors:
        return _check_refused(appointment, form, ticked, check_typed=check_typed)
    if check is not None:
        flash(*_check_saved(appointment, record, check))
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
        invalid=_("Please correct the marked field."),
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


@bp.post("/appointments/<int:appointment_id>/release-critical")
@lands_on("observation.board")
@roles(Role.RADIOLOGIST)
def release_critical(appointment_id: int):
    """A physician lets the patient go home with the critical values standing, giving the reason."""
    appointment = get_or_404(Appointment, appointment_id)
    form = ReleaseCriticalForm()
    try:
        seen_check_id = whole(form.seen_check_id.data or "")
    except ValueError:  # missing, not a number or no id at all: no check seen (0), so the release is refused
        seen_check_id = 0
    return _step(
        appointment,
        "release",
        lambda: procedure_day.release_critical(
            db.session, current_user, appointment, form.reason.data, seen_check_id=seen_check_id
        ),
        lambda: _("Critical values released for %(name)s.", name=appointment.patient.display_name),
        form=form,
    )


@bp.post("/appointments/<int:appointment_id>/discharge")
@lands_on("observation.board")
@roles(*CARE)
def discharge(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    form = DischargeForm()
    try:  # the last check the card showed: a physician's discharge over reduced strength covers that one only
        seen_check_id = whole(request.form.get("seen_check_id") or "")
    except ValueError:
        seen_check_id = 0
    return _step(
        appointment,
        "discharge",
        lambda: procedure_day.discharge(
            db.session, current_user, appointment, at=now(), reason=form.reason.data, seen_check_id=seen_check_id
        ),
        lambda: _("%(name)s discharged. Follow-up calls are scheduled.", name=appointment.patient.display_name),
        form=form,
        invalid=_("The reason is too long (500 characters at most)."),
    )
