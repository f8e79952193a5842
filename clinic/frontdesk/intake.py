"""Referral intake, the referral list, and editing a patient's details."""

from __future__ import annotations

import dataclasses

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..auth.access import roles
from ..core.errors import DomainError
from ..core.numbers import whole
from ..extensions import db
from ..forms import correct_marked
from ..i18n import refusal
from ..models import Patient, PreRegistration, Referral, ReferringPhysician
from ..models.vocab import Priority, RedFlag, ReferralStatus, Role
from ..services import intake, preregistration
from ..web import get_or_404, local_today, refused_at, render_form
from . import bp, list_search
from .forms import PatientForm, ReferralForm
from .upload_requests import save_referral_letter

LIST_SEARCH_KEY = "referral_search"


def _physician_choices() -> dict[int, str]:
    rows = db.session.scalars(
        select(ReferringPhysician).where(ReferringPhysician.active).order_by(ReferringPhysician.name)
    )
    return {0: _("— add a new physician below —"), **{p.id: str(p) for p in rows}}


# The patient's part of the intake form: the fields of the service's PatientDetails.
PATIENT_FIELDS = tuple(f.name for f in dataclasses.fields(intake.PatientDetails))


def _patient_details(form: PatientForm) -> intake.PatientDetails:
    values = {name: getattr(form, name).data for name in PATIENT_FIELDS}
    return intake.PatientDetails(
        **{**values, "family_name": values["family_name"] or "", "given_name": values["given_name"] or ""}
    )


def _fill_from_patient(form: PatientForm, patient: Patient) -> None:
    for name in PATIENT_FIELDS:
        getattr(form, name).data = getattr(patient, name)


def _for_known_patient(form: ReferralForm) -> None:
    """A referral for a registered patient asks only for the referral: the patient's fields are neither
    shown nor posted, so they are not validated either (their details are edited on the patient's page)."""
    for name in PATIENT_FIELDS:
        delattr(form, name)


@bp.route("/referrals/new", methods=["GET", "POST"])
@bp.route("/patients/<int:patient_id>/referrals/new", methods=["GET", "POST"], endpoint="new_referral_for")
@roles(Role.FRONT_DESK)
def new_referral(patient_id: int | None = None):
    patient = get_or_404(Patient, patient_id) if patient_id else None
    form = ReferralForm()
    form.physician_id.choices = _physician_choices()
    duplicates: list[Patient] = []
    # A known patient: the form's own (a referral for a registered patient), or "Use this patient" after
    # the duplicate check, which posts the typed referral with the chosen patient (walk finding 22).
    chosen = (form.patient_id.data or request.form.get("use_patient")) if request.method == "POST" else None
    if chosen:
        if not str(chosen).isdigit():
            abort(400)
        patient = get_or_404(Patient, int(chosen))
    unsaved: list[tuple[str, str]] = []
    if patient is not None:
        if request.form.get("use_patient"):  # typed for a new patient, then the registered one was chosen
            unsaved = intake.unsaved_contact(patient, {name: request.form.get(name) for name in intake.CONTACT_FIELDS})
            unsaved = [(str(getattr(form, name).label.text), value) for name, value in unsaved]
        _for_known_patient(form)  # an existing patient's details are shown, not asked again
    if request.method == "POST" and form.validate():
        try:
            response = _take(form, patient)
            if unsaved:
                flash(
                    _(
                        "Not saved in the patient's record, which is kept as it was: %(details)s. If this is new, "
                        "change it on the patient's page.",
                        details="; ".join(f"{label}: {value}" for label, value in unsaved),
                    ),
                    "warning",
                )
            return response
        except intake.LikelyDuplicate as dup:
            duplicates = dup.candidates
            flash(refusal(dup), "warning")
            _ask_for_the_letter_again(form)
            # The letter's field moves into the prompt, beside "Use this patient": chosen again there, the
            # file is posted with the choice (staff walk 3b: the letter silently went missing).
            return render_template(
                "frontdesk/referral_new.html",
                form=form,
                patient=patient,
                duplicates=duplicates,
                red_flags=list(RedFlag),
                letter_before=getattr(form.letter.data, "filename", "") or "",
            ), 409
        except DomainError as error:
            _ask_for_the_letter_again(form)
            at_field = refused_at(form, error)  # e.g. the patient's phone, needed when a red flag is answered yes
            if at_field:
                flash(correct_marked(form), "danger")
            return render_form(
                "frontdesk/referral_new.html",
                form,
                error=None if at_field else error,
                patient=patient,
                duplicates=duplicates,
                red_flags=list(RedFlag),
            )
    if request.method == "POST":
        _ask_for_the_letter_again(form)
    return render_form(
        "frontdesk/referral_new.html", form, patient=patient, duplicates=duplicates, red_flags=list(RedFlag)
    )


def _ask_for_the_letter_again(form: ReferralForm) -> None:
    """A browser cannot put a chosen file back into a page it is shown again, and a form that was not
    saved keeps no file on the server (no stray uploads): the letter's field says so, by name (walk
    finding 2), instead of the letter silently going missing."""
    letter = form.letter.data
    name = getattr(letter, "filename", "") or ""
    if name:
        form.letter.errors = [
            *form.letter.errors,
            _("The letter “%(name)s” was not kept because the form was not saved: choose it again.", name=name),
        ]


def _take(form: ReferralForm, patient: Patient | None):
    today = local_today()
    if patient is None:
        patient = intake.register_patient(
            db.session, current_user, _patient_details(form), today=today, allow_duplicate=form.confirm_new_patient.data
        )
    physician = None
    if form.physician_id.data:
        physician = get_or_404(ReferringPhysician, form.physician_id.data)
    else:
        physician = intake.add_physician(
            db.session,
            intake.PhysicianDetails(
                name=form.physician_name.data or "",
                practice=form.physician_practice.data,
                city=form.physician_city.data,
                phone=form.physician_phone.data,
            ),
        )
    details = intake.ReferralDetails(
        received_on=form.received_on.data,
        clinical_question=form.clinical_question.data,
        region=form.region.data or None,
        side=form.side.data or None,
        symptom_duration_weeks=form.symptom_duration_weeks.data,
        treatments=form.treatments.data or [],
        treatments_note=form.treatments_note.data,
        red_flags={flag.value: getattr(form, f"flag_{flag.value}").data == "yes" for flag in RedFlag},
        priority=form.priority.data or Priority.ROUTINE,
    )
    referral = intake.take_referral(
        db.session, current_user, patient=patient, details=details, physician=physician, today=today
    )
    letter = form.letter.data
    missing_letter = None
    if letter and getattr(letter, "filename", ""):
        save_referral_letter(referral, letter)
    elif request.form.get("letter_before"):  # chosen before the duplicate prompt, not chosen again
        missing_letter = request.form["letter_before"]
    if referral.open_red_flags:
        emergency = referral.has_emergency_flag
        message = _(
            "Red flag answered: the referral is on the urgent list and cannot be booked until a radiologist "
            "has reviewed it."
        )
        if emergency:
            message += " " + _("This may be an emergency: call the radiologist now.")
        flash(message, "danger")
    else:
        flash(_("Referral recorded. It now waits for triage; the pre-registration can start."), "success")
    if missing_letter:
        flash(
            _(
                "The letter “%(name)s” was not saved with the referral: upload it on the referral's page.",
                name=missing_letter,
            ),
            "warning",
        )
    return redirect(url_for("frontdesk.referral", referral_id=referral.id))


@bp.route("/referrals", methods=["GET", "POST"])
@roles(Role.FRONT_DESK)
def referrals():
    if request.method == "POST":  # the name searched for: in the session, not the address
        return list_search.remember(LIST_SEARCH_KEY)
    status = request.args.get("status", "open")
    stmt = select(Referral).join(Patient)
    if status == "open":
        stmt = stmt.where(
            Referral.status.in_([ReferralStatus.RECEIVED, ReferralStatus.INFO_REQUESTED, ReferralStatus.ACCEPTED])
        )
    elif status in ReferralStatus.values():
        stmt = stmt.where(Referral.status == status)
    if request.args.get("urgent"):
        stmt = stmt.where(Referral.priority == Priority.URGENT)
    search = list_search.current(LIST_SEARCH_KEY)
    unsearched = None  # how many the list holds without the search: the page says "2 of 5"
    if search.patient_ids is not None:
        unsearched = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        stmt = stmt.where(Referral.patient_id.in_(search.patient_ids))
    # Urgent first, then the newest: a referral just taken in is on the first page (it was on the last).
    stmt = stmt.outerjoin(PreRegistration).order_by(
        Referral.priority.desc(), Referral.received_on.desc(), Referral.id.desc()
    )
    page = db.paginate(stmt, page=request.args.get("page", 1, type=whole), per_page=30, error_out=False)
    lists = preregistration.checklists(db.session, page.items)
    rows = [(r, preregistration.missing(lists[r.id])) for r in page.items]
    params = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "frontdesk/referrals.html",
        page=page,
        rows=rows,
        status=status,
        search=search,
        unsearched=unsearched,
        params=params,
        statuses=ReferralStatus,
    )


@bp.route("/patients/<int:patient_id>/edit", methods=["GET", "POST"])
@roles(Role.FRONT_DESK)
def edit_patient(patient_id: int):
    patient = get_or_404(Patient, patient_id)
    form = PatientForm()
    if request.method == "GET":
        _fill_from_patient(form, patient)
    elif form.validate():
        try:
            intake.update_patient(db.session, current_user, patient, _patient_details(form), today=local_today())
        except DomainError as error:
            return render_form("frontdesk/patient_edit.html", form, error=error, patient=patient)
        flash(_("Details saved."), "success")
        return redirect(url_for("patients.show", patient_id=patient.id))
    return render_form("frontdesk/patient_edit.html", form, patient=patient)
