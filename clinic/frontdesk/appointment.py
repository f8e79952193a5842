"""The appointment page: status and history, check-in, cancel (with waitlist offers), no-show, prints."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import roles
from ..auth.redirects import safe_next
from ..core.errors import DomainError
from ..core.messages import N_
from ..core.timefmt import day_bounds
from ..extensions import db
from ..i18n import screen_language
from ..models import Appointment, Consent, Referral, WaitlistEntry
from ..models.vocab import Role
from ..scheduling import ending, steroid
from ..scheduling.booking import typed_reference
from ..scheduling.finder import Candidate
from ..scheduling.plan import ProcedurePlan
from ..services import (
    aftercare,
    appointments,
    consents,
    documents,
    implants,
    medication,
    outcomes,
    procedure_day,
    stranding,
)
from ..templating import local_date
from ..web import get_or_404, lands_on, local_today, now, pdf_response, refused, scheduling_settings, zone
from . import bp
from .booking import chosen_candidate, resource_labels
from .forms import CancelForm, ChainForm, CheckInForm
from .portal import letter_portal_url

DESK = (Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)


def _page(appointment: Appointment, *, cancel_form=None, status=200):
    consents_printed = db.session.scalars(
        select(Consent).where(Consent.appointment_id == appointment.id).order_by(Consent.id)
    ).all()
    # The drugs named in the screen's language (the letter names them in the patient's); for an appointment
    # that is over, as they were known for it (walk 27: a drug recorded weeks later showed as if part of it).
    medication_then = (
        medication.plan_at_appointment(
            documents.hold_plan_for(db.session, appointment, screen_language()),
            appointment,
            aftercare.ended_at(db.session, appointment),
            now(),
        )
        if appointment.referral
        else None
    )
    return render_template(
        "frontdesk/appointment.html",
        a=appointment,
        referral=appointment.referral,
        hold_plan=medication_then.plan if medication_then else None,
        medication_then=medication_then,
        dose_labels=medication.DOSE_CLASS_LABELS,
        cancel_form=cancel_form or CancelForm(seen_status=appointment.status),
        consents=consents_printed,
        labels=resource_labels(),
        chain_form=ChainForm(),
        today=local_today(),
        planned_bed=procedure_day.planned_bed(db.session, appointment),
        stay=procedure_day.actual_stay(db.session, appointment),
        critical_releases=procedure_day.critical_releases(db.session, appointment),
        stranded=stranding.still_stranded(db.session, scheduling_settings(), among=[appointment.id]),
        follow_up_results=outcomes.recorded(db.session, [appointment.id]),
        series_notes=steroid.appointment_notes(db.session, zone(), appointment),
        implant_open=implants.check_outstanding(appointment),  # the start is refused until a radiologist checks
    ), status


@bp.get("/appointments/<int:appointment_id>")
@roles(*DESK)
def appointment(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    return _page(appointment)


@bp.post("/appointments/<int:appointment_id>/check-in")
@lands_on("frontdesk.appointment")
@roles(Role.FRONT_DESK, Role.NURSE)
def check_in(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    try:
        procedure_day.check_in(db.session, current_user, appointment, at=now(), zone=zone())
    except DomainError as error:
        flash(refused(error), "danger")
        return _page(appointment, status=error.http_status)
    flash(_("%(patient)s is checked in.", patient=appointment.patient.display_name), "success")
    back = safe_next(request.form.get("next"), request.host_url)  # only a page of this site
    return redirect(back or url_for("frontdesk.appointment", appointment_id=appointment.id))


@bp.route("/check-in", methods=["GET", "POST"])
@roles(Role.FRONT_DESK, Role.NURSE)
def check_in_by_reference():
    """A barcode scanner types the consent form's QR code (the appointment reference) into this field."""
    form = CheckInForm()
    if form.validate_on_submit():
        reference = typed_reference(form.reference.data)
        start, end = day_bounds(local_today(), zone())
        appointment = db.session.scalar(select(Appointment).where(Appointment.reference == reference))
        if appointment is None:
            form.reference.errors.append(_("No appointment today with this reference."))
        elif not start <= appointment.table_start < end:
            # Walk 25: "no appointment today" left the desk guessing; the day helps (a patient a day early,
            # a letter mixed up), the patient's name is not given to whoever holds the code.
            form.reference.errors.append(
                _("This reference belongs to an appointment on %(day)s.", day=local_date(appointment.table_start))
            )
        else:
            try:
                procedure_day.check_in(db.session, current_user, appointment, at=now(), zone=zone())
            except DomainError as error:
                form.reference.errors.append(refused(error))
            else:
                flash(
                    _(
                        "%(patient)s is checked in (%(reference)s).",
                        patient=appointment.patient.display_name,
                        reference=appointment.reference,
                    ),
                    "success",
                )
                return redirect(url_for("frontdesk.check_in_by_reference"))
    return render_template("frontdesk/check_in.html", form=form), (422 if form.errors else 200)


@bp.post("/appointments/<int:appointment_id>/cancel")
@lands_on("frontdesk.appointment")
@roles(Role.FRONT_DESK)
def cancel(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    form = CancelForm()
    if not form.validate():
        return _page(appointment, cancel_form=form, status=422)
    try:
        offers = appointments.cancel(
            db.session,
            scheduling_settings(),
            current_user,
            appointment,
            form.reason.data,
            seen_status=form.seen_status.data,
        )
    except DomainError as error:
        flash(refused(error), "danger")
        form.seen_status.data = appointment.status  # the page shown now: a cancel from it is made knowingly
        return _page(appointment, cancel_form=form, status=error.http_status)
    if offers:
        flash(_("Cancelled. The time is free again. Patients on the waitlist can take it:"), "success")
    else:
        flash(_("Cancelled. The time is free again."), "success")
    return redirect(url_for("frontdesk.freed_time_offers", appointment_id=appointment.id))


@bp.get("/appointments/<int:appointment_id>/offers")
@roles(Role.FRONT_DESK)
def freed_time_offers(appointment_id: int):
    """The waitlist patients who could take the time a cancelled appointment freed, as it stands now; with
    a chain in the address (``table_start``...), the time a move of the appointment freed."""
    appointment = get_or_404(Appointment, appointment_id)
    if request.args.get("table_start") is None:
        offers = appointments.freed_time_offers(db.session, scheduling_settings(), appointment)
        return render_template("frontdesk/offers.html", a=appointment, offers=offers)
    try:
        freed = chosen_candidate(ChainForm(formdata=request.args, meta={"csrf": False}))
    except DomainError:
        abort(400)
    offers = appointments.moved_time_offers(db.session, scheduling_settings(), appointment, freed)
    return render_template("frontdesk/offers.html", a=appointment, offers=offers, moved_from=freed)


@bp.post("/waitlist/<int:entry_id>/book")
@lands_on("frontdesk.waitlist")
@roles(Role.FRONT_DESK)
def book_waitlist_offer(entry_id: int):
    """A waitlist offer is held first, as any booking: the desk calls the patient, then books or releases."""
    entry = get_or_404(WaitlistEntry, entry_id)
    referral = db.session.get(Referral, entry.referral_id)
    form = ChainForm()
    try:
        if not form.validate():
            raise DomainError(N_("The offered time could not be read."))
        candidate: Candidate = chosen_candidate(form)
        held = appointments.hold(
            db.session,
            scheduling_settings(),
            current_user,
            referral=referral,
            plan=ProcedurePlan.from_referral(referral),
            candidate=candidate,
        )
    except DomainError as error:
        flash(refused(error) + " " + _("Open the patient's referral to book another time."), "danger")
        return redirect(url_for("frontdesk.waitlist"))
    flash(_("The time is held for %(patient)s: call and book it.", patient=entry.patient.display_name), "info")
    return redirect(url_for("frontdesk.hold", token=held.token))


@bp.post("/appointments/<int:appointment_id>/no-show")
@lands_on("frontdesk.appointment")
@roles(Role.FRONT_DESK)
def no_show(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    try:
        ending.mark_no_show(db.session, scheduling_settings(), current_user, appointment)
    except DomainError as error:
        flash(refused(error), "danger")
        return _page(appointment, status=error.http_status)
    flash(_("Recorded as not attended."), "info")
    return redirect(url_for("frontdesk.appointment", appointment_id=appointment.id))


# --- prints ------------------------------------------------------------------------------------------


@bp.get("/appointments/<int:appointment_id>/letter.pdf")
@roles(Role.FRONT_DESK)
def letter(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    try:
        data = documents.letter_pdf(
            db.session,
            scheduling_settings(),
            appointment,
            issued_on=local_today(),
            portal_url=letter_portal_url(appointment),
        )
    except DomainError as error:
        flash(refused(error), "warning")
        return _page(appointment, status=error.http_status)
    return pdf_response(data, f"letter-{appointment.reference}.pdf")


@bp.get("/appointments/<int:appointment_id>/information.pdf")
@roles(*DESK)
def information_sheet(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    data = documents.appointment_information_pdf(db.session, appointment)
    return pdf_response(data, f"information-{appointment.procedure_type.code}.pdf")


@bp.post("/appointments/<int:appointment_id>/consent.pdf")
@lands_on("frontdesk.appointment")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)
def consent_form(appointment_id: int):
    """POST: printing records the text version and the PDF's hash for the consent record."""
    appointment = get_or_404(Appointment, appointment_id)
    try:
        data, _consent = consents.print_consent(db.session, current_user, appointment, zone())
    except DomainError as error:
        flash(refused(error), "warning")
        return _page(appointment, status=error.http_status)
    return pdf_response(data, f"consent-{appointment.reference}.pdf")


@bp.post("/appointments/<int:appointment_id>/print-pack.pdf")
@lands_on("frontdesk.appointment")
@roles(Role.FRONT_DESK)
def print_pack(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    try:
        data = documents.print_pack_pdf(
            db.session,
            scheduling_settings(),
            current_user,
            appointment,
            issued_on=local_today(),
            portal_url=letter_portal_url(appointment),
        )
    except DomainError as error:
        flash(refused(error), "warning")
        return _page(appointment, status=error.http_status)
    return pdf_response(data, f"print-pack-{appointment.reference}.pdf")
