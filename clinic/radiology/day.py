"""The procedure day for one appointment: consent, start, the procedure record, signing, addenda."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import roles
from ..core.errors import DomainError
from ..core.messages import N_, Phrase
from ..core.timefmt import to_local
from ..extensions import db
from ..i18n import say, screen_language
from ..models import Appointment, Consent, DrugOption, ProcedureRecord, User, UserRole
from ..models.appointments import ACTIVE_STATUSES
from ..models.vocab import AppointmentStatus, Role
from ..scheduling import steroid
from ..services import (
    aftercare,
    documents,
    implants,
    medication,
    mpps,
    outcomes,
    procedure_day,
    procedure_records,
    restart_calls,
    stranding,
    worklist,
)
from ..web import (
    get_or_404,
    lands_on,
    local_to_utc,
    now,
    pdf_response,
    refused,
    refused_at,
    scheduling_settings,
    utc_to_local_naive,
    zone,
)
from . import bp
from .forms import AddendumForm, ConsentForm, RecordForm, RestartCallForm

CLINICAL = (Role.RADIOLOGIST, Role.NURSE)


def _record(appointment: Appointment) -> ProcedureRecord | None:
    return db.session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))


# The drugs a new clinic starts with (clinic/defaults.py), stored by their English names: marked here for the
# catalogue, so that the record shows them in the screen's language. A drug an admin adds shows as it is named.
SEEDED_DRUG_NAMES = (
    N_("Triamcinolone"),
    N_("Dexamethasone"),
    N_("Ropivacaine"),
    N_("Bupivacaine"),
    N_("Lidocaine"),
    N_("Ethanol"),
    N_("Contrast"),
)


def _drug_choices():
    options = db.session.scalars(select(DrugOption).where(DrugOption.active).order_by(DrugOption.sort_order))
    return {0: "—", **{d.id: f"{_(d.name)} ({d.unit})" for d in options}}  # the name in the screen's language


def _forms(appointment: Appointment, record: ProcedureRecord | None, posted: str | None = None) -> dict:
    """The page's forms. Only the form that was posted (``posted``: consent, record or addendum) reads the
    request; the others show their defaults and what is saved, so a refused action never empties them."""
    consent = ConsentForm(prefix="consent", **({} if posted == "consent" else {"formdata": None}))
    radiologists = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.RADIOLOGIST, User.active).order_by(User.full_name)
    ).all()
    consent.taken_by_id.choices = {u.id: u.full_name for u in radiologists}
    consent.explained_by_id.choices = consent.taken_by_id.choices
    if posted != "consent":
        consent.taken_by_id.data = (
            current_user.id if current_user.has_role(Role.RADIOLOGIST) else appointment.radiologist_id
        )
        consent.explained_by_id.data = consent.taken_by_id.data
        consent.signed_at.data = utc_to_local_naive(now())
        consent.explained_at.data = consent.signed_at.data
    form = RecordForm(prefix="record", **({} if posted == "record" else {"formdata": None}))
    drug_choices = _drug_choices()  # once for every row of the form (one statement, not one a row)
    for row in form.drugs:
        row.drug_option_id.choices = dict(drug_choices)
    if record is not None and posted != "record":
        form.started_at.data = utc_to_local_naive(record.started_at)
        form.ended_at.data = utc_to_local_naive(record.ended_at)
        for name in ("levels", "approach", "dlp_mgycm", "pain_before", "pain_after", "complications", "note"):
            getattr(form, name).data = getattr(record, name)
        form.side.data = record.side or ""
        form.guidance.data = record.guidance or appointment.guidance
        for row, drug in zip(form.drugs, record.drugs, strict=False):
            row.drug_option_id.data = drug.drug_option_id
            row.dose.data = drug.dose
        form.contrast_allergy_confirmed.data = record.contrast_allergy_confirmed_at is not None
    addendum = AddendumForm(prefix="addendum", **({} if posted == "addendum" else {"formdata": None}))
    return {"consent_form": consent, "record_form": form, "addendum_form": addendum}


def _details(form: RecordForm, *, readable: bool = False) -> procedure_records.RecordDetails:
    """What the record form holds; ``readable``: only what it could read (a field it refused is left out, a
    drug row only with its drug and its dose), for the service's checks beside the form's own errors."""
    rows = [row for row in form.drugs if row.drug_option_id.data]
    if readable:
        rows = [row for row in rows if row.dose.data is not None and not row.dose.errors and not row.errors]
    return procedure_records.RecordDetails(
        started_at=local_to_utc(form.started_at.data) if not (readable and form.started_at.errors) else None,
        ended_at=local_to_utc(form.ended_at.data) if not (readable and form.ended_at.errors) else None,
        levels=form.levels.data if not (readable and form.levels.errors) else None,
        side=form.side.data or None,
        approach=form.approach.data,
        guidance=form.guidance.data or None,
        dlp_mgycm=form.dlp_mgycm.data,
        complications=form.complications.data,
        pain_before=form.pain_before.data,
        pain_after=form.pain_after.data,
        note=form.note.data,
        drugs=[(row.drug_option_id.data, row.dose.data) for row in rows],
        contrast_allergy_confirmed=form.contrast_allergy_confirmed.data,
    )


def _page(appointment: Appointment, forms: dict | None = None, status: int = 200):
    record = _record(appointment)
    day = to_local(appointment.table_start, zone()).date()
    rows = worklist.rows(
        db.session, day, zone(), include_ended=True, appointment_id=appointment.id, language=screen_language()
    )
    row = rows[0] if rows else None
    consents = db.session.scalars(
        select(Consent).where(Consent.appointment_id == appointment.id).order_by(Consent.id)
    ).all()
    in_observation = appointment.status == AppointmentStatus.IN_OBSERVATION
    # The calls about restarting a blood thinner the discharge sheet promised: a form for each still open.
    restart_due = restart_calls.calls_needed(db.session, appointment, screen_language())
    restart_done = restart_calls.recorded(db.session, [appointment.id]) if restart_due else {}
    restart_open = [d for d in restart_due if (appointment.id, d.item.drug_code) not in restart_done]
    restart_forms = {
        d.item.drug_code: (forms or {}).get("restart_forms", {}).get(d.item.drug_code)
        or RestartCallForm(prefix=_restart_prefix(d.item.drug_code), formdata=None)
        for d in restart_open
    }
    return render_template(
        "radiology/appointment.html",
        a=appointment,
        record=record,
        row=row,
        consents=consents,
        observation=procedure_day.observation_of(db.session, appointment),
        # where the nurse's board has the patient: a booked bed someone else still lies on is not theirs
        own_bed=not in_observation or procedure_day.observation_places(db.session).has_own_bed(appointment),
        steps=mpps.steps_for(db.session, appointment),
        # The drugs and their holds, with the confirmation after the call: where the radiologist decides.
        hold_plan=documents.hold_plan_for(db.session, appointment, screen_language()) if appointment.referral else None,
        dose_labels=medication.DOSE_CLASS_LABELS,
        stranded=stranding.still_stranded(db.session, scheduling_settings(), among=[appointment.id]),
        series_notes=steroid.appointment_notes(db.session, scheduling_settings().zone, appointment),
        follow_up_results=outcomes.recorded(db.session, [appointment.id]),
        contrast_allergy=procedure_records.contrast_allergy(appointment),
        non_particulate_only=procedure_records.non_particulate_only(appointment),
        implant_unchecked=implants.unchecked_implant(appointment.referral, appointment.guidance)
        if appointment.referral is not None and appointment.status in ACTIVE_STATUSES
        else None,
        restart_open=restart_open,
        restart_done=[
            (d, restart_done[(appointment.id, d.item.drug_code)]) for d in restart_due if d not in restart_open
        ],
        restart_forms=restart_forms,
        **{k: v for k, v in (forms or _forms(appointment, record)).items() if k != "restart_forms"},
    ), status


@bp.get("/appointments/<int:appointment_id>")
@roles(*CLINICAL)
def appointment(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    return _page(appointment)


@bp.get("/appointments/<int:appointment_id>/aftercare.pdf")
@roles(*CLINICAL)
def aftercare_sheet(appointment_id: int):
    """The discharge sheet ("Hinweise nach dem Eingriff"), once the procedure has ended; before, back to the
    appointment's page, which says why not. A GET: it changes nothing (the read is audited at the request
    boundary)."""
    appointment = get_or_404(Appointment, appointment_id)
    try:
        data = aftercare.aftercare_pdf(db.session, appointment, zone(), now=now())
    except DomainError as error:
        flash(refused(error), "warning")
        return redirect(url_for("radiology.appointment", appointment_id=appointment.id), 303)
    return pdf_response(data, f"aftercare-{appointment.reference}.pdf")


def _refuse(appointment, error: DomainError, forms=None):
    flash(refused(error), "danger")
    return _page(appointment, forms, error.http_status)


def _refuse_form(appointment, error: DomainError, forms: dict, name: str):
    """A refusal of the page's form ``name`` (record_form, consent_form): under the fields it names (the
    start, the end, the talk, the signature), with the form's one banner and what was typed kept; else
    flashed above the page. Nothing of it is saved."""
    if refused_at(forms[name], error):
        return _page(appointment, forms, error.http_status)
    if _at_dose(forms[name], error):  # a drug row: what was typed there does not fit the record
        return _page(appointment, forms, 422)
    return _refuse(appointment, error, forms)


def _at_dose(form, error: DomainError) -> bool:
    """A drug row refused by the service (``procedure_records``: more than the drug's largest dose, under
    the dose field; a neurolytic agent outside a neurolytic stage, under the drug field), at the field of the
    drug's row; True when a row shows it."""
    details = error.details if isinstance(error.details, dict) else {}
    drug = details.get("drug_option_id")
    rows = [row for row in getattr(form, "drugs", ()) if drug and row.drug_option_id.data == drug]
    for row in rows:
        field = row.drug_option_id if details.get("field") == "drug_option_id" else row.dose
        field.errors = [*field.errors, refused(error)]
    return bool(rows)


def _record_refused(appointment: Appointment, form: RecordForm) -> int | None:
    """The record form's own validation and the service's refusals of its fields (the times, the levels, a
    dose above the drug's largest, …), all at their fields after one submit (walk 27: the field errors, then
    "the end lies before the start", then the dose ceiling, each on its own submit). The status to answer
    with when any shows (the form's 422, else the service's), or None."""
    valid = form.validate()
    found = procedure_records.field_problems(db.session, appointment, _details(form, readable=True), zone=zone())
    statuses = []
    for problem in found:  # as ``_refuse_form`` answers one: a drug row's with 422, else the service's status
        if refused_at(form, problem):
            statuses.append(problem.http_status)
        elif _at_dose(form, problem):
            statuses.append(422)
        else:
            flash(refused(problem), "danger")
            statuses.append(problem.http_status)
    if found:  # the list keeps the errors its validation found: counted anew for the form's banner
        form.drugs.errors = [row.errors for row in form.drugs]
    if not valid:
        return 422
    return statuses[0] if statuses else None


def _back(appointment, message: str):
    flash(message, "success")
    return redirect(url_for("radiology.appointment", appointment_id=appointment.id))


@bp.post("/appointments/<int:appointment_id>/consent")
@lands_on("radiology.appointment")
@roles(Role.RADIOLOGIST)
def record_consent(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    forms = _forms(appointment, _record(appointment), posted="consent")
    form = forms["consent_form"]
    if not form.validate():
        return _page(appointment, forms, 422)
    try:
        procedure_day.record_consent(
            db.session,
            current_user,
            appointment,
            taken_by_id=form.taken_by_id.data,
            explained_by_id=form.explained_by_id.data,
            explained_at=local_to_utc(form.explained_at.data),
            signed_at=local_to_utc(form.signed_at.data),
            zone=zone(),
        )
    except DomainError as error:
        return _refuse_form(appointment, error, forms, "consent_form")
    return _back(appointment, _("Signed consent recorded."))


@bp.post("/appointments/<int:appointment_id>/start")
@lands_on("radiology.appointment")
@roles(Role.RADIOLOGIST)
def start(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    try:
        procedure_day.start_procedure(db.session, current_user, appointment, at=now(), zone=zone())
    except DomainError as error:
        return _refuse(appointment, error)
    return _back(appointment, _("Procedure started."))


@bp.post("/appointments/<int:appointment_id>/record")
@lands_on("radiology.appointment")
@roles(Role.RADIOLOGIST)
def save_record(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    record = _record(appointment)
    forms = _forms(appointment, record, posted="record")
    form = forms["record_form"]
    if record is None:
        return _refuse(appointment, DomainError(N_("Start the procedure first.")), forms)
    if (status := _record_refused(appointment, form)) is not None:
        return _page(appointment, forms, status)
    try:
        procedure_records.update(db.session, current_user, record, _details(form), zone=zone())
    except DomainError as error:
        return _refuse_form(appointment, error, forms, "record_form")
    return _back(appointment, _("Procedure record saved."))


@bp.post("/appointments/<int:appointment_id>/sign")
@lands_on("radiology.appointment")
@roles(Role.RADIOLOGIST)
def sign(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    record = _record(appointment)
    # The sign button belongs to the record form: what is on the screen is saved and signed together,
    # and a refusal shows the form as it was posted (the boundary rolls the save back).
    with_record = request.form.get("record-started_at") is not None
    forms = _forms(appointment, record, posted="record" if with_record else None)
    try:
        if record is None:
            raise DomainError(N_("There is no record to sign."))
        if with_record and not record.is_signed:
            if (status := _record_refused(appointment, forms["record_form"])) is not None:  # its banner says it
                return _page(appointment, forms, status)
            procedure_records.update(db.session, current_user, record, _details(forms["record_form"]), zone=zone())
        procedure_records.sign(db.session, current_user, record, zone=zone())
    except DomainError as error:
        if error.code == "record_incomplete":  # the fields to fill in are marked, under the form's one banner
            form = forms["record_form"]
            message = refused(error)
            # Each gap said once, at its first field; a gap's other fields are marked (walk 25: the same
            # sentence stood under the drugs and under the complications).
            gaps = (error.details or {}).get("gaps") or [[None, list(error.fields or ("ended_at",))]]
            for gap, names in gaps:
                said = say(Phrase(N_("Before signing, record {missing}."), missing=Phrase(gap))) if gap else message
                for n, name in enumerate(names):
                    field = form.drugs[0].drug_option_id if name == "drugs" else form[name]  # the drugs: first row
                    field.errors = [*field.errors, said if n == 0 else ""]
            # The list keeps the errors its validation found: counted anew, the banner says "fields" for two.
            form.drugs.errors = [row.errors for row in form.drugs]
            return _page(appointment, forms, error.http_status)
        return _refuse_form(appointment, error, forms, "record_form")
    return _back(appointment, _("Record signed. Changes now go into addenda."))


@bp.post("/appointments/<int:appointment_id>/addendum")
@lands_on("radiology.appointment")
@roles(Role.RADIOLOGIST)
def addendum(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    record = _record(appointment)
    forms = _forms(appointment, record, posted="addendum")
    if not forms["addendum_form"].validate():
        return _page(appointment, forms, 422)
    try:
        procedure_records.add_addendum(db.session, current_user, record, forms["addendum_form"].text.data)
    except DomainError as error:
        return _refuse(appointment, error, forms)
    return _back(appointment, _("Addendum added."))


@bp.post("/appointments/<int:appointment_id>/end")
@lands_on("radiology.appointment")
@roles(Role.RADIOLOGIST)
def end(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    record = _record(appointment)
    # The end button belongs to the record form, as the sign button does: what is typed into the record is
    # saved with the end (walk finding: it was dropped), and a refusal shows the form as it was posted.
    with_record = request.form.get("record-started_at") is not None and record is not None and not record.is_signed
    forms = _forms(appointment, record, posted="record" if with_record else None)
    try:
        if with_record:
            if (status := _record_refused(appointment, forms["record_form"])) is not None:  # nothing is ended
                return _page(appointment, forms, status)
            procedure_records.update(db.session, current_user, record, _details(forms["record_form"]), zone=zone())
        procedure_day.end_procedure(db.session, current_user, appointment, at=now())
    except DomainError as error:
        return _refuse_form(appointment, error, forms, "record_form")
    if appointment.status == AppointmentStatus.IN_OBSERVATION:
        flash(_("Procedure ended; the patient goes to observation."), "success")
    return redirect(url_for("radiology.appointment", appointment_id=appointment.id))


def _restart_prefix(drug_code: str) -> str:
    return f"restart-{drug_code}"


@bp.post("/appointments/<int:appointment_id>/restart-calls/<drug_code>")
@lands_on("radiology.appointment")
@roles(Role.RADIOLOGIST)
def record_restart_call(appointment_id: int, drug_code: str):
    """The call about restarting a paused blood thinner, as agreed with the patient (or a note of it)."""
    appointment = get_or_404(Appointment, appointment_id)
    form = RestartCallForm(prefix=_restart_prefix(drug_code))
    forms = {**_forms(appointment, _record(appointment)), "restart_forms": {drug_code: form}}
    if not form.validate():
        return _page(appointment, forms, 422)
    try:
        _call, item = restart_calls.record_call(
            db.session,
            current_user,
            appointment,
            drug_code,
            agreed_restart_at=local_to_utc(form.agreed_restart_at.data),
            note=form.note.data,
            zone=zone(),
            reached=bool(form.reached.data),
        )
    except DomainError as error:
        if refused_at(form, error):
            return _page(appointment, forms, error.http_status)
        return _refuse(appointment, error, forms)
    return _back(appointment, _("Call about restarting %(drug)s recorded.", drug=say(item.named)))
