"""The referral page: the pre-registration checklist and its item forms, imaging, hold plan, waitlist."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.access import roles
from ..core.errors import DomainError
from ..core.messages import N_, Phrase
from ..core.numbers import whole
from ..extensions import db
from ..forms import correct_marked
from ..i18n import say, screen_language
from ..models import (
    Appointment,
    BookingHold,
    ImagingStudy,
    MedicationEntry,
    Referral,
    ReferralDocument,
    StudyFile,
    WaitlistEntry,
)
from ..models.appointments import WAITLIST_THROUGH_LINK_NOTE
from ..models.vocab import ALLERGENS, ReferralStatus, Role
from ..scheduling.plan import ProcedurePlan
from ..services import episodes, medication, outcomes, prereg_items, preregistration, triage, uploads, waitlist
from ..services.readiness import assess
from ..templating import local_date
from ..web import get_or_404, lands_on, local_today, now, refused, scheduling_settings, zone
from . import bp
from .forms import (
    AllergiesForm,
    CloseReferralForm,
    ConditionsForm,
    EscortForm,
    InformationAnswerForm,
    LanguageForm,
    MedicationForm,
    MedicationSettleForm,
    WaitlistForm,
)
from .pacs import pacs_context
from .upload_requests import limits, read_files, save_referral_letter, store

STAFF = (Role.FRONT_DESK, Role.RADIOLOGIST)


def _drug_choices() -> dict[str, str]:
    return {"": _("— choose —"), **medication.drug_choices(db.session, screen_language(), _)}


def _forms(referral: Referral, waitlisted: list[WaitlistEntry] | None = None) -> dict:
    """The item forms; ``waitlisted``: the referral's active waitlist entries when the caller has read them."""
    prereg = preregistration.ensure(db.session, referral)
    med = MedicationForm(prefix="med")
    med.drug_code.choices = _drug_choices()
    settle = MedicationSettleForm(prefix="settle", raised_bleeding_risk=prereg.raised_bleeding_risk)
    allergies = AllergiesForm(
        prefix="allergy", found=[k for k in ALLERGENS if getattr(prereg, f"allergy_{k}")], other=prereg.allergy_other
    )
    conditions = ConditionsForm(
        prefix="cond",
        found=[k for k in prereg_items.CONDITIONS if getattr(prereg, k)],
        implant_note=prereg.implant_note,
        note=prereg.conditions_note,
    )
    escort = EscortForm(prefix="escort", name=prereg.escort_name, phone=prereg.escort_phone)
    language = LanguageForm(prefix="lang", language=referral.patient.preferred_language)
    waitlist = _waitlist_form(_active_waitlist(referral) if waitlisted is None else waitlisted)
    return {
        "med": med,
        "settle": settle,
        "allergies": allergies,
        "conditions": conditions,
        "escort": escort,
        "language": language,
        "waitlist": waitlist,
        "close": CloseReferralForm(),
        "answer": InformationAnswerForm(prefix="answer"),
    }


def _active_waitlist(referral: Referral) -> list[WaitlistEntry]:
    return list(
        db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.referral_id == referral.id, WaitlistEntry.active))
    )


def _waitlist_form(waitlisted: list[WaitlistEntry]) -> WaitlistForm:
    """The waitlist form, filled in with the referral's entry when it has one (it showed today's date and
    empty fields, and "Update" then wrote those over the saved dates and note). An earliest date gone by is
    today: the waitlist offers times from today on."""
    entry = waitlisted[0] if waitlisted else None
    if entry is None:
        return WaitlistForm(prefix="wait", earliest_date=local_today())
    return WaitlistForm(
        prefix="wait",
        earliest_date=max(entry.earliest_date, local_today()),
        latest_date=entry.latest_date,
        part_of_day=entry.part_of_day,
        note=say(entry.shown_note) if entry.shown_note else None,
    )


def _typed_note(text: str | None) -> str | None:
    """The note as stored: the patient link's marked note, shown in the screen's language in the form,
    stays the marked phrase when the desk leaves it as it is."""
    return WAITLIST_THROUGH_LINK_NOTE if text and text == say(Phrase(WAITLIST_THROUGH_LINK_NOTE)) else text


def _page(referral: Referral, forms: dict | None = None, status: int = 200):
    waitlisted = _active_waitlist(referral)  # read once: the list on the page and the form's values
    forms = forms or _forms(referral, waitlisted)
    items = preregistration.checklist(db.session, referral)
    readiness = None
    hold_plan = None
    if referral.planned_procedure_type is not None and not referral.has_ended:
        readiness = assess(
            db.session,
            scheduling_settings(),
            referral,
            ProcedurePlan.from_referral(referral),
            language=screen_language(),  # the drugs of the plan named as the screen names them
        )
        hold_plan = readiness.hold_plan
    studies = db.session.scalars(
        select(ImagingStudy).where(ImagingStudy.patient_id == referral.patient_id).order_by(ImagingStudy.id.desc())
    ).all()
    appointments = db.session.scalars(
        select(Appointment)
        .where(Appointment.referral_id == referral.id)
        .order_by(Appointment.table_start.desc())
        .options(joinedload(Appointment.room))  # each row names its room: not a statement per room
    ).all()
    # A time the desk is holding for this referral (while phoning the patient): findable from here.
    held = db.session.scalars(
        select(BookingHold)
        .where(
            BookingHold.referral_id == referral.id,
            BookingHold.released_at.is_(None),
            BookingHold.confirmed_appointment_id.is_(None),
            BookingHold.expires_at > now(),
        )
        .order_by(BookingHold.table_start)
    ).all()
    return render_template(
        "frontdesk/referral.html",
        referral=referral,
        prereg=referral.preregistration,
        items=items,
        readiness=readiness,
        hold_plan=hold_plan,
        broken_holds=medication.broken_holds(db.session, referral, zone(), screen_language()) if hold_plan else [],
        studies=studies,
        waitlisted=waitlisted,
        appointments=appointments,
        # The results that decide the next stage of this referral's plan (walk finding F-08).
        follow_up_results=outcomes.recorded(db.session, [a.id for a in appointments]),
        held=held,
        closing=episodes.closing(db.session, referral) if referral.status == ReferralStatus.CLOSED else None,
        today=local_today(),
        dose_labels=medication.DOSE_CLASS_LABELS,
        dose_classes=medication.dose_classes(db.session),
        **pacs_context(referral),
        drug_names=medication.drug_names(db.session),
        **forms,
    ), status


@bp.get("/referrals/<int:referral_id>")
@roles(*STAFF)
def referral(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    return _page(referral)


def _done(referral: Referral, message: str, anchor: str = "checklist"):
    flash(message, "success")
    return redirect(url_for("frontdesk.referral", referral_id=referral.id, _anchor=anchor))


def _refused(referral: Referral, error: DomainError, forms: dict | None = None):
    flash(refused(error), "danger")
    return _page(referral, forms, status=error.http_status)


@bp.post("/referrals/<int:referral_id>/contact")
@lands_on("frontdesk.referral", anchor="i-contact")
@roles(Role.FRONT_DESK)
def confirm_contact(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    try:
        prereg_items.confirm_contact(db.session, current_user, referral)
    except DomainError as error:
        return _refused(referral, error)
    return _done(referral, _("Contact data and insurance confirmed."), "i-contact")


def _refusal_on(form, error: DomainError) -> bool:
    """A service's refusal under the field it names (``details["field"]``), else above the form; True
    when a field shows it."""
    field = error.details.get("field") if isinstance(error.details, dict) else None
    if field in form:
        form[field].errors = [*form[field].errors, refused(error)]
        return True
    form.form_errors.append(refused(error))
    return False


def _item(referral_id: int, form_key: str, apply, message, anchor: str = "checklist"):
    """One pre-registration item form: validate it, let the service settle the item, show the page.
    ``message``: what the desk is told, or a function of what ``apply`` returned that gives it."""
    referral = get_or_404(Referral, referral_id)
    forms = _forms(referral)
    form = forms[form_key]
    if not form.validate():
        flash(correct_marked(form), "danger")
        return _page(referral, forms, status=422)
    try:
        result = apply(referral, form)
    except DomainError as error:
        # The refused section stays open with what was typed; the refusal is said once, at its field.
        if _refusal_on(form, error):
            flash(correct_marked(form), "danger")
            return _page(referral, forms, status=error.http_status)
        return _refused(referral, error, forms)
    return _done(referral, message(result) if callable(message) else message, anchor)


@bp.post("/referrals/<int:referral_id>/medication")
@lands_on("frontdesk.referral", anchor="i-med")
@roles(Role.FRONT_DESK)
def add_medication(referral_id: int):
    def apply(referral, form):
        drug_code, _bar, dose_class = (form.drug_code.data or "").partition("|")
        return prereg_items.add_medication(
            db.session,
            current_user,
            referral,
            drug_code=drug_code,
            dose_class=dose_class,
            last_dose_on=form.last_dose_on.data,
            note=form.note.data,
            zone=zone(),
        )

    # The drug given again replaces its entry: the service says which happened.
    def message(added: prereg_items.MedicationAdded) -> str:
        if not added.replaced:
            return _("Blood thinner added.")
        if added.earlier_last_dose is not None and added.entry.last_dose_on is None:
            return _(
                "This drug was already recorded: the last dose it gave (%(day)s) is removed, so the entry now says "
                "the patient still takes it.",
                day=local_date(added.earlier_last_dose),
            )
        if added.earlier_last_dose is not None:
            return _(
                "This drug was already recorded: its last dose is now %(day)s instead of %(earlier)s.",
                day=local_date(added.entry.last_dose_on),
                earlier=local_date(added.earlier_last_dose),
            )
        return _("This drug was already recorded: its entry now says what you gave.")

    # A last dose that breaks the hold of a booked appointment: the medication plan on the page says so, in
    # its box; the message says only what was done (walk finding: a flash said it a second time above).
    return _item(referral_id, "med", apply, message, "i-med")


@bp.post("/referrals/<int:referral_id>/medication/<int:entry_id>/remove")
@lands_on("frontdesk.referral", anchor="i-med")
@roles(Role.FRONT_DESK)
def remove_medication(referral_id: int, entry_id: int):
    referral = get_or_404(Referral, referral_id)
    get_or_404(MedicationEntry, entry_id)
    try:
        prereg_items.remove_medication(db.session, current_user, referral, entry_id)
    except DomainError as error:
        return _refused(referral, error)
    return _done(referral, _("Removed from the questionnaire."), "i-med")


@bp.post("/referrals/<int:referral_id>/medication/settle")
@lands_on("frontdesk.referral", anchor="i-med")
@roles(Role.FRONT_DESK)
def settle_medication(referral_id: int):
    def apply(referral, form):
        prereg_items.settle_medication(
            db.session, current_user, referral, raised_bleeding_risk=form.raised_bleeding_risk.data
        )

    return _item(referral_id, "settle", apply, _("Medication questionnaire completed."), "i-med")


@bp.post("/referrals/<int:referral_id>/allergies")
@lands_on("frontdesk.referral", anchor="i-all")
@roles(Role.FRONT_DESK)
def set_allergies(referral_id: int):
    def apply(referral, form):
        prereg_items.set_allergies(
            db.session, current_user, referral, found=set(form.found.data or []), other=form.other.data
        )

    return _item(referral_id, "allergies", apply, _("Allergies recorded."), "i-all")


@bp.post("/referrals/<int:referral_id>/conditions")
@lands_on("frontdesk.referral", anchor="i-cond")
@roles(Role.FRONT_DESK)
def set_conditions(referral_id: int):
    def apply(referral, form):
        prereg_items.set_conditions(
            db.session,
            current_user,
            referral,
            found=set(form.found.data or []),
            implant_note=form.implant_note.data,
            note=form.note.data,
        )

    return _item(referral_id, "conditions", apply, _("Conditions recorded."), "i-cond")


@bp.post("/referrals/<int:referral_id>/escort")
@lands_on("frontdesk.referral", anchor="i-esc")
@roles(Role.FRONT_DESK)
def set_escort(referral_id: int):
    def apply(referral, form):
        prereg_items.set_escort(db.session, current_user, referral, name=form.name.data, phone=form.phone.data)

    return _item(referral_id, "escort", apply, _("Escort recorded."), "i-esc")


@bp.post("/referrals/<int:referral_id>/language")
@lands_on("frontdesk.referral", anchor="i-lang")
@roles(Role.FRONT_DESK)
def set_language(referral_id: int):
    def apply(referral, form):
        prereg_items.set_language(db.session, current_user, referral, language=form.language.data)

    return _item(referral_id, "language", apply, _("Language confirmed."), "i-lang")


@bp.post("/referrals/<int:referral_id>/imaging")
@lands_on("frontdesk.referral", anchor="imaging")
@roles(*STAFF)
def upload_imaging(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    with read_files(request.files.getlist("files")) as files:
        return _store_imaging(referral, files)


def _store_imaging(referral: Referral, files):
    if not files:
        flash(_("Choose one or more files (PDF, JPEG, PNG, DICOM, or a ZIP of a DICOM CD)."), "danger")
        return _page(referral, status=400)
    study_id = request.form.get("study_id", type=whole)
    try:
        preregistration.require_open(referral)
        if study_id:
            study = get_or_404(ImagingStudy, study_id)
            if study.patient_id != referral.patient_id:
                raise DomainError(N_("That study belongs to another patient."))
        else:
            study = uploads.create_study(
                db.session,
                current_user,
                patient=referral.patient,
                referral=referral,
                modality=(request.form.get("modality") or "")[:20] or None,
                body_region=(request.form.get("body_region") or "").strip()[:60] or None,
                facility=(request.form.get("facility") or "").strip()[:120] or None,
            )
        added = uploads.add_files(db.session, current_user, store(), limits(), study=study, files=files)
    except DomainError as error:
        return _refused(referral, error)
    flash(ngettext("%(num)d file stored.", "%(num)d files stored.", len(added)), "success")
    if added.duplicates:
        flash(_("Already on file, not stored again: %(names)s.", names=", ".join(added.duplicates)), "info")
    if added.skipped:
        flash(_("Skipped (not images): %(names)s.", names=", ".join(added.skipped[:10])), "info")
    if added.identity_mismatches:
        flash(
            ngettext(
                "%(num)d file names a different patient or birth date: check before use.",
                "%(num)d files name a different patient or birth date: check before use.",
                len(added.identity_mismatches),
            ),
            "warning",
        )
    return redirect(url_for("frontdesk.referral", referral_id=referral.id, _anchor="imaging"))


def study_file_page(file_id: int) -> str:
    """Where a file's "wrong patient" form is: the imaging of the study's referral (or of the patient)."""
    study = get_or_404(StudyFile, file_id).study
    if study.referral_id is not None:
        return url_for("frontdesk.referral", referral_id=study.referral_id, _anchor="imaging")
    return url_for("patients.show", patient_id=study.patient_id)


@bp.post("/imaging/files/<int:file_id>/set-aside")
@lands_on(study_file_page)
@roles(*STAFF)
def set_aside_study_file(file_id: int):
    """A file that names another patient is set aside as "wrong patient" (kept, no longer counted)."""
    study_file = get_or_404(StudyFile, file_id)
    referral = get_or_404(Referral, request.form.get("referral_id", type=whole) or 0)
    if referral.patient_id != study_file.study.patient_id:
        return _refused(referral, DomainError(N_("That file belongs to another patient.")))
    try:
        uploads.set_aside_file(db.session, current_user, study_file.id, request.form.get("reason", ""))
    except DomainError as error:
        return _refused(referral, error)
    return _done(
        referral,
        _("%(name)s set aside as wrong patient; kept for the record.", name=study_file.original_name),
        "imaging",
    )


@bp.get("/imaging/files/<int:file_id>")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)
def download_study_file(file_id: int):
    study_file = get_or_404(StudyFile, file_id)
    data, content_type, name = uploads.download_study_file(db.session, store(), study_file.id)
    return _attachment(data, content_type, name)


@bp.get("/referral-documents/<int:document_id>")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST)
def download_referral_document(document_id: int):
    document = get_or_404(ReferralDocument, document_id)
    data, content_type, name = uploads.download_referral_document(db.session, store(), document.id)
    return _attachment(data, content_type, name)


def _attachment(data: bytes, content_type: str, name: str):
    return send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True, download_name=name)


@bp.post("/referrals/<int:referral_id>/waitlist")
@lands_on("frontdesk.referral", anchor="waitlist")
@roles(Role.FRONT_DESK)
def add_to_waitlist(referral_id: int):
    def apply(referral, form):
        waitlist.add(
            db.session,
            current_user,
            referral,
            earliest=form.earliest_date.data,
            latest=form.latest_date.data,
            part_of_day=form.part_of_day.data,
            note=_typed_note(form.note.data),
            today=local_today(),
            settings=scheduling_settings(),  # a referral the booking refuses is refused here, with its reasons
            language=screen_language(),
        )

    return _item(referral_id, "waitlist", apply, _("On the waitlist: the patient is offered freed times."), "waitlist")


@bp.post("/referrals/<int:referral_id>/information-answer")
@lands_on("frontdesk.referral", anchor="information-answer")
@roles(Role.FRONT_DESK)
def answer_information_request(referral_id: int):
    """The referring physician's answer to a radiologist's question (and their letter, if sent): the
    referral goes back on the triage queue with it."""
    referral = get_or_404(Referral, referral_id)
    forms = _forms(referral)
    form = forms["answer"]
    if form.validate():
        try:
            triage.answer_information_request(db.session, current_user, referral, form.answer.data)
            letter = form.letter.data
            if letter and getattr(letter, "filename", ""):
                try:
                    save_referral_letter(referral, letter)
                except DomainError as error:
                    # The letter refused (not a PDF, too large): said once, at the letter's field (it was said
                    # above the page, above the form and again at the field); the answer is not saved either.
                    form.letter.errors = [*form.letter.errors, refused(error)]
                    flash(correct_marked(form), "danger")
                    return _page(referral, forms, status=error.http_status)
        except DomainError as error:
            _refusal_on(form, error)
            _letter_not_kept(form)
            return _refused(referral, error, forms)
        return _done(referral, _("Answer recorded: the referral is back on the radiologists' triage queue."), "plan")
    flash(correct_marked(form), "danger")
    _letter_not_kept(form)
    return _page(referral, forms, status=422)


def _letter_not_kept(form: InformationAnswerForm) -> None:
    """A refused form keeps no file (a browser cannot put it back either): the field says so, by name."""
    name = getattr(form.letter.data, "filename", "") or ""
    if name:
        form.letter.errors = [
            *form.letter.errors,
            _("The letter “%(name)s” was not kept because the form was not saved: choose it again.", name=name),
        ]


@bp.post("/referrals/<int:referral_id>/close")
@lands_on("frontdesk.referral", anchor="booking")
@roles(*STAFF)
def close_referral(referral_id: int):
    return _item(
        referral_id,
        "close",
        lambda referral, form: episodes.close(db.session, current_user, referral, form.reason.data),
        _("The referral is closed: its episode has ended."),
        "booking",
    )
