"""Choosing, confirming, moving and cancelling a time through the link; the .ics; the waitlist."""

from __future__ import annotations

from flask import Response, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from ..auth.access import public
from ..core.errors import DomainError
from ..extensions import db
from ..models import BookingHold
from ..scheduling import booking
from ..services import portal_booking, portal_calendar
from ..services.portal_settings import PortalStep
from ..web import lands_on, now, refused, scheduling_settings, shows_page_after_post, zone
from . import access, bp, render
from .entry import portal_rules
from .forms import CancelForm, ChoiceForm, EmptyForm, TimesForm, WaitlistForm, part_of_day_choices

HOLD_KEY = "portal_hold"


def _times_page(link, token, *, appointment=None, status=200, times=None, notice=None):
    form = TimesForm(request.args)
    form.part.choices = part_of_day_choices()
    part = form.part.data if form.part.data in part_of_day_choices() else "any"
    if times is None:
        _ready, times = portal_booking.offered_times(
            db.session,
            scheduling_settings(),
            link.referral,
            portal_rules(),
            part_of_day=part,
            ignore_appointment_id=appointment.id if appointment else None,
            plan=booking.plan_of(appointment) if appointment else None,
        )
    return render(
        "portal/times.html",
        status,
        form=form,
        times=times,
        appointment=appointment,
        notice=notice,
        choice=ChoiceForm(),
        sign=lambda c: access.sign_candidate(link, c),
        phone=access.clinic_phone(),
    )


@bp.route("/<token>/times", methods=["GET", "POST"])
@public
@access.verified("times", PortalStep.BOOKING)
def times(link, token: str):
    if portal_booking.active_appointment(db.session, link.referral_id) is not None:
        return redirect(url_for("portal.home", token=token))
    if request.method == "GET":
        return _times_page(link, token)
    form = ChoiceForm()
    candidate = access.read_candidate(link, form.choice.data) if form.validate() else None
    if candidate is None:
        return _times_page(link, token, status=400, notice=access.message("hold_lapsed"))
    try:
        held = portal_booking.hold(db.session, scheduling_settings(), link, candidate, portal_rules())
    except booking.SlotTaken:
        return _times_page(link, token, status=409, notice=access.message("slot_taken"))
    except DomainError as error:
        refused(error)
        return _times_page(link, token, status=error.http_status, notice=access.message(error.code))
    session[HOLD_KEY] = {"link": link.id, "hold": held.id}
    return redirect(url_for("portal.confirm", token=token))


def _own_hold(link) -> BookingHold | None:
    mark = session.get(HOLD_KEY) or {}
    if mark.get("link") != link.id:
        return None
    held = db.session.get(BookingHold, mark.get("hold"))
    return held if held is not None and held.referral_id == link.referral_id else None


@bp.route("/<token>/confirm", methods=["GET", "POST"])
@public
@access.verified("confirm", PortalStep.BOOKING)
def confirm(link, token: str):
    held = _own_hold(link)
    if held is None or held.released_at is not None:
        return redirect(url_for("portal.times", token=token))
    if held.confirmed_appointment_id is not None:
        return redirect(url_for("portal.home", token=token))
    form = EmptyForm()
    if request.method == "GET":
        return render("portal/confirm.html", held=held, form=form, procedure=link.referral.planned_procedure_type)
    if not form.validate():
        return render("portal/confirm.html", 400, held=held, form=form, procedure=link.referral.planned_procedure_type)
    if request.form.get("action") == "release":
        portal_booking.release(db.session, link, held.id)
        session.pop(HOLD_KEY, None)
        return redirect(url_for("portal.times", token=token))
    try:
        portal_booking.confirm(db.session, scheduling_settings(), link, held.id)
    except DomainError as error:
        refused(error)
        session.pop(HOLD_KEY, None)
        return _times_page(link, token, status=error.http_status, notice=access.message(error.code))
    session.pop(HOLD_KEY, None)
    flash(_("Your appointment is booked. You will find the details below."), "success")
    return redirect(url_for("portal.home", token=token, _anchor="appointment"))


def _appointment(link):
    return portal_booking.active_appointment(db.session, link.referral_id)


@bp.get("/<token>/appointment.ics")
@public
@access.verified("calendar file")
def calendar_file(link, token: str):
    appointment = _appointment(link)
    if appointment is None:
        return access.problem_page(404, "not_found")
    data = portal_calendar.appointment_ics(db.session, appointment, zone(), now())
    return Response(
        data,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="appointment-{appointment.reference}.ics"'},
    )


@bp.post("/<token>/attend")
@lands_on("portal.home", anchor="appointment")
@public
@access.verified("attend")
def attend(link, token: str):
    appointment = _appointment(link)
    if appointment is not None and EmptyForm().validate():
        portal_booking.acknowledge(db.session, link, appointment)
        flash(_("Thank you for confirming. We look forward to seeing you."), "success")
    return redirect(url_for("portal.home", token=token, _anchor="appointment"))


@bp.route("/<token>/move", methods=["GET", "POST"])
@shows_page_after_post("the chosen time is shown for a last look; only the confirmation changes it")
@public
@access.verified("move", PortalStep.MANAGE)
def move(link, token: str):
    appointment = _appointment(link)
    rules = portal_rules()
    if appointment is None:
        return redirect(url_for("portal.home", token=token))
    if not portal_booking.can_change(scheduling_settings(), appointment, rules):
        return access.problem_page(409, "too_late")
    if request.method == "GET":
        return _times_page(link, token, appointment=appointment)
    return _move_to_choice(link, token, appointment, from_waitlist=False)


@bp.post("/<token>/offer")
@lands_on("portal.home")
@shows_page_after_post("the chosen time is shown for a last look; only the confirmation changes it")
@public
@access.verified("earlier time", PortalStep.WAITLIST)
def take_offer(link, token: str):
    appointment = _appointment(link)
    if appointment is None:
        return redirect(url_for("portal.home", token=token))
    return _move_to_choice(link, token, appointment, from_waitlist=True)


def _move_to_choice(link, token, appointment, *, from_waitlist: bool):
    """Two steps: the chosen time shown for a last look, then moved (the old time is kept until then)."""
    form = ChoiceForm()
    candidate = access.read_candidate(link, form.choice.data) if form.validate() else None
    if candidate is None:
        return _times_page(link, token, appointment=appointment, status=400, notice=access.message("hold_lapsed"))
    if request.form.get("step") != "confirm":
        return render(
            "portal/move.html",
            appointment=appointment,
            candidate=candidate,
            form=form,
            from_waitlist=from_waitlist,
        )
    try:
        portal_booking.move(
            db.session,
            scheduling_settings(),
            link,
            appointment.id,
            candidate,
            portal_rules(),
            from_waitlist=from_waitlist,
        )
    except booking.SlotTaken:
        return _times_page(link, token, appointment=appointment, status=409, notice=access.message("slot_taken"))
    except DomainError as error:
        refused(error)
        return _times_page(
            link, token, appointment=appointment, status=error.http_status, notice=access.message(error.code)
        )
    flash(_("Your appointment has been moved. Your new time is below."), "success")
    return redirect(url_for("portal.home", token=token, _anchor="appointment"))


@bp.route("/<token>/cancel", methods=["GET", "POST"])
@public
@access.verified("cancel", PortalStep.MANAGE)
def cancel(link, token: str):
    appointment = _appointment(link)
    if appointment is None:
        return redirect(url_for("portal.home", token=token))
    if not portal_booking.can_change(scheduling_settings(), appointment, portal_rules()):
        return access.problem_page(409, "too_late")
    form = CancelForm()
    if request.method == "GET":
        return render("portal/cancel.html", appointment=appointment, form=form)
    if not form.validate():
        return render("portal/cancel.html", 422, appointment=appointment, form=form)
    try:
        portal_booking.cancel(db.session, scheduling_settings(), link, appointment.id, form.reason.data, portal_rules())
    except DomainError as error:
        refused(error)
        flash(access.message(error.code), "danger")
        return render("portal/cancel.html", error.http_status, appointment=appointment, form=form)
    flash(_("Your appointment is cancelled. Thank you for letting us know."), "success")
    return redirect(url_for("portal.home", token=token))


@bp.post("/<token>/waitlist")
@lands_on("portal.home", anchor="waitlist")
@public
@access.verified("waitlist", PortalStep.WAITLIST)
def waitlist(link, token: str):
    form = WaitlistForm()
    form.part.choices = part_of_day_choices()
    if not form.validate():
        return redirect(url_for("portal.home", token=token))
    try:
        if request.form.get("action") == "leave":
            portal_booking.leave_waitlist(db.session, link)
            flash(_("You are no longer waiting for an earlier time."), "info")
        else:
            portal_booking.join_waitlist(db.session, scheduling_settings(), link, part_of_day=form.part.data or "any")
            flash(_("Done: when an earlier time becomes free, you will see it here."), "success")
    except DomainError as error:
        refused(error)
        flash(access.message(error.code), "danger")
    return redirect(url_for("portal.home", token=token, _anchor="waitlist"))
