"""Booking from an accepted referral, holds, and moving an appointment: the finder's candidates,
pick one, confirm. If someone else took the time meanwhile, say so and show fresh candidates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import literal, select, union_all

from ..auth.access import roles
from ..core.errors import DomainError
from ..core.messages import N_
from ..core.timefmt import is_shown_day, to_local
from ..extensions import db
from ..i18n import refusal, say
from ..models import Appointment, BookingHold, ObservationBed, Referral, Room, User, UserRole
from ..models.vocab import AppointmentStatus, Role
from ..scheduling import booking, holds, steroid
from ..scheduling.context import SEARCH_WINDOW_DAYS
from ..scheduling.finder import Candidate, Preferences
from ..scheduling.plan import NotPlanned, ProcedurePlan
from ..services import appointments, moves
from ..services.candidates import candidates_for_referral
from ..services.readiness import assess
from ..templating import label, local_datetime
from ..web import get_or_404, local_today, now, refused, scheduling_settings
from . import bp
from .forms import ChainForm, SearchPreferencesForm


def resource_labels() -> dict:
    """Names of the rooms, beds and radiologists by id: read once per request (the search form and the
    page both show them), as plain columns, in one statement (issue 20: it was three)."""
    if "booking_labels" not in g:
        labels: dict[str, dict[int, str]] = {"rooms": {}, "beds": {}, "radiologists": {}}
        rows = union_all(
            select(literal("rooms"), Room.id, Room.name),
            select(literal("beds"), ObservationBed.id, ObservationBed.label),
            select(literal("radiologists"), User.id, User.full_name)
            .join(UserRole)
            .where(UserRole.role == Role.RADIOLOGIST),
        )
        for kind, ident, name in db.session.execute(rows):
            labels[kind][ident] = name
        g.booking_labels = labels
    return g.booking_labels


def _preferences_form() -> SearchPreferencesForm:
    form = SearchPreferencesForm(request.args)
    labels = resource_labels()
    form.radiologist_id.choices = {0: _("Any"), **dict(sorted(labels["radiologists"].items(), key=lambda x: x[1]))}
    form.room_id.choices = {0: _("Any"), **dict(sorted(labels["rooms"].items(), key=lambda x: x[1]))}
    return form


# The search's choices in the address: the candidate forms post to it with them, so that a refused booking
# (a time taken meanwhile) shows the page again with the same choices and times found with them (walk
# finding: the re-rendered page had lost the part of day and the radiologist).
SEARCH_KEYS = ("radiologist_id", "room_id", "part_of_day", "earliest_date", "day")


def search_query() -> dict[str, str]:
    """The search's choices of this request, for the candidate forms' address."""
    return {key: value for key in SEARCH_KEYS if (value := request.args.get(key))}


def _preferences(form: SearchPreferencesForm) -> Preferences | None:
    """The search's preferences; None when one cannot be read (a "not before" such as 2026-02-31): the page
    then lists no times (not times that ignore it), and the field says what is wrong."""
    if not form.validate():
        return None
    return Preferences(
        radiologist_id=form.radiologist_id.data or None,
        room_id=form.room_id.data or None,
        part_of_day=form.part_of_day.data or "any",
        earliest_date=form.earliest_date.data,
    )


def _posted_time(text: str | None) -> dt.datetime:
    """A time of the chosen chain, as the page wrote it (ISO 8601); a ValueError when it cannot be read or lies
    outside the years the screens show (the hidden field was changed), before any arithmetic around it."""
    instant = dt.datetime.fromisoformat(text)
    if not is_shown_day(instant):
        raise ValueError(f"{text!r} lies outside the years the screens show")
    return instant


def chosen_candidate(form: ChainForm) -> Candidate:
    try:
        return Candidate(
            room_id=form.room_id.data,
            radiologist_id=form.radiologist_id.data,
            bed_id=form.bed_id.data,
            table_start=_posted_time(form.table_start.data),
            table_end=_posted_time(form.table_end.data),
            obs_end=_posted_time(form.obs_end.data),
        )
    except (TypeError, ValueError) as exc:
        raise DomainError(N_("The chosen time could not be read; pick it again."), code="bad_candidate") from exc


def _seen_start(form: ChainForm) -> dt.datetime | None:
    """The time the moving page showed the appointment at (its hidden ``moving_from``); None when the post
    does not say (then the move is not checked against it)."""
    try:
        return _posted_time(form.moving_from.data) if form.moving_from.data else None
    except (TypeError, ValueError) as exc:
        raise DomainError(N_("The chosen time could not be read; pick it again."), code="bad_candidate") from exc


# On the phone: a few times a day, apart, over several days; "more" opens one whole day.
PER_DAY = 4
SPACING_MINUTES = 90
DAYS_SHOWN = 5
ONE_DAY_LIMIT = 60


def _one_day() -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return None


def _search_from(earliest: dt.date | None) -> dt.date:
    """The first day of the search: the "not before" day when it lies ahead, else today. The window of
    ``SEARCH_WINDOW_DAYS`` counts from it (walk finding: counted from today, a "not before" more than eight
    weeks ahead, or "Later days" paged that far, found nothing on an empty calendar)."""
    today = local_today()
    return max(today, earliest) if earliest else today


def _steroid_history(referral: Referral, plan: ProcedurePlan, ignore_appointment_id: int | None) -> steroid.History:
    """The patient's injections of the last 12 months and ahead, read once per request: the finder's blocked
    days, the series notes and the interval notes all judge from it."""
    planned = steroid.Planned.of(referral.patient_id, plan, ignore_appointment_id)
    histories = g.setdefault("steroid_histories", {})
    if planned not in histories:
        since = local_today() - dt.timedelta(days=steroid.YEAR_DAYS)
        histories[planned] = steroid.read_history(db.session, scheduling_settings().zone, planned, since)
    return histories[planned]


def _search(
    referral: Referral,
    prefs: Preferences | None,
    ignore_appointment_id: int | None = None,
    plan: ProcedurePlan | None = None,
):
    plan = plan or ProcedurePlan.from_referral(referral)
    if prefs is None:  # the search form was refused: what the referral lacks still shows, no times
        return assess(db.session, scheduling_settings(), referral, plan), []
    history = _steroid_history(referral, plan, ignore_appointment_id)
    today = local_today()
    first = _search_from(prefs.earliest_date)
    day = _one_day()
    if day is not None and today <= day <= first + dt.timedelta(days=SEARCH_WINDOW_DAYS):
        return candidates_for_referral(
            db.session,
            scheduling_settings(),
            referral,
            first_day=day,
            last_day=day,
            plan=plan,
            preferences=prefs,
            limit=ONE_DAY_LIMIT,
            ignore_appointment_id=ignore_appointment_id,
            steroid_history=history,
        )
    return candidates_for_referral(
        db.session,
        scheduling_settings(),
        referral,
        first_day=first,
        last_day=first + dt.timedelta(days=SEARCH_WINDOW_DAYS),
        plan=plan,
        preferences=prefs,
        limit=PER_DAY * DAYS_SHOWN,
        ignore_appointment_id=ignore_appointment_id,
        per_day=PER_DAY,
        days=DAYS_SHOWN,
        spacing_minutes=SPACING_MINUTES,
        steroid_history=history,
    )


@dataclass(frozen=True)
class Day:
    day: dt.date
    weekday: str
    candidates: list[Candidate]

    @property
    def later(self) -> dt.date:
        return self.day + dt.timedelta(days=1)


def _after_taken(referral, prefs_form, taken: booking.SlotTaken, plan, ignore_appointment_id=None):
    """The readiness and the times offered with "no longer free": the service's next free times, unless the
    search had choices (a radiologist, a part of day, one day…): then the search again with them, so that the
    times match the search form above them."""
    prefs = _preferences(prefs_form)
    if prefs is None or prefs != Preferences() or _one_day() is not None:
        return _search(referral, prefs, ignore_appointment_id, plan)
    return assess(db.session, scheduling_settings(), referral, plan), taken.candidates


def _by_day(candidates: list[Candidate]) -> list[Day]:
    zone = scheduling_settings().zone
    days: dict[dt.date, list[Candidate]] = {}
    for candidate in candidates:
        days.setdefault(to_local(candidate.table_start, zone).date(), []).append(candidate)
    return [Day(day, format_date(day, "EEEE"), found) for day, found in days.items()]


def _series_notes(plan: ProcedurePlan | None, referral, candidates, appointment) -> list:
    """The patient's earlier injections a radiologist should know of (warnings, not refusals), judged at the
    first time offered (or now), and why days near a steroid injection offer no time."""
    if plan is None:
        return []
    settings = scheduling_settings()
    at = candidates[0].table_start if candidates else settings.now()
    history = _steroid_history(referral, plan, appointment.id if appointment is not None else None)
    return [*steroid.series_notes(history, at), *steroid.interval_notes(history, local_today())]


def _also_changes(changes: moves.MoveChanges) -> str:
    """What a move changes besides the time, in words (empty when nothing else changes)."""
    labels = resource_labels()
    parts = []
    for key, words, names in (
        ("room", N_("room %(old)s → %(new)s"), labels["rooms"]),
        ("radiologist", N_("radiologist %(old)s → %(new)s"), labels["radiologists"]),
        ("bed", N_("bed %(old)s → %(new)s"), labels["beds"]),
    ):
        pair = getattr(changes, key)
        if pair is not None:
            old, new = (names.get(i, "—") if i is not None else "—" for i in pair)
            parts.append(_(words, old=old, new=new))
    words = [_("Also changes: %(changes)s.", changes="; ".join(parts))] if parts else []
    for stop in changes.stops:
        words.append(
            _(
                "Latest last dose of %(drug)s: %(old)s → %(new)s.",
                drug=say(stop.drug),
                old=local_datetime(stop.before),
                new=local_datetime(stop.after),
            )
        )
    return " ".join(words)


@dataclass(frozen=True)
class MoveWords:
    question: str
    changes: moves.MoveChanges


def _move_questions(appointment: Appointment, candidates: list[Candidate]) -> dict[Candidate, MoveWords]:
    """The confirm question of each "Move here": the new time and everything else that changes with it
    (walk finding: the question named only the times, while the radiologist, the bed and the patient's stop
    time changed too)."""
    plan = moves.hold_plan(db.session, appointment)
    questions = {}
    for c in candidates:
        question = _(
            "Move the appointment of %(patient)s from %(old)s to %(new)s?",
            patient=appointment.patient.display_name,
            old=local_datetime(appointment.table_start),
            new=local_datetime(c.table_start),
        )
        changes = moves.move_changes(appointment, c, plan)
        also = _also_changes(changes)
        questions[c] = MoveWords(f"{question} {also}" if also else question, changes)
    return questions


def _moved_message(appointment: Appointment, changes: moves.MoveChanges) -> str:
    """What the desk must do after a move. The move sends the patient nothing (no letter, no email; only the
    reminder is queued anew for the new time), so the new letter is the desk's to hand over. Walk finding: the
    message said only "print the new letter", not why it mattered: the stop time of a paused drug had moved.
    Walk 22: moved near its day, the message still said to post the letter while the appointment page said
    "call the patient now": then it says what the page says, and that the patient is called."""
    words = [_("Moved to %(new)s. The old time is free again.", new=local_datetime(appointment.table_start))]
    also = _also_changes(changes)
    if also:
        words.append(also)
    if changes.call_by is not None and changes.call_by < now():  # the appointment page's two "call now"
        words.append(
            _(
                "Call the patient now: the first drug had to be stopped by %(when)s, and the plan is still not "
                "confirmed.",
                when=local_datetime(changes.call_by),
            )
        )
        words.append(
            _(
                "Ask when the patient last took it; if the pause is not kept, move the appointment or have a "
                "radiologist decide."
            )
        )
    elif changes.call_by is not None:
        words.append(
            _("Call the patient now: the first drug must be stopped by %(when)s.", when=local_datetime(changes.call_by))
        )
        words.append(_("The letter cannot give that date until the plan is confirmed."))
    if changes.call_by is not None or changes.too_soon_for_post:
        words.append(
            _(
                "A letter would not arrive in time: tell the patient the new time by telephone. Nothing was sent to "
                "the patient (no letter, no email)."
            )
        )
    elif changes.stops:
        words.append(
            _(
                "The patient must get the new letter: the time and the medication stop times have changed. "
                "Nothing was sent to the patient (no letter, no email): print the letter and hand it over or post it."
            )
        )
    else:
        words.append(
            _(
                "The patient must get the new letter: the time has changed. Nothing was sent to the patient (no "
                "letter, no email): print the letter and hand it over or post it."
            )
        )
    return " ".join(words)


def _render(referral, prefs_form, readiness, candidates, *, appointment=None, status=200, taken=None):
    if appointment is not None:  # moving: the time it has now is no time to move it to (walk finding)
        candidates = [
            c for c in candidates if (c.room_id, c.table_start) != (appointment.room_id, appointment.table_start)
        ]
    plan = ProcedurePlan.from_referral(referral) if referral.planned_procedure_type else None
    moved = booking.plan_of(appointment) if appointment is not None else plan  # the plan the rules judge
    return render_template(
        "frontdesk/book.html",
        referral=referral,
        prefs=prefs_form,
        readiness=readiness,
        candidates=candidates,
        days=_by_day(candidates),
        one_day=_one_day(),
        labels=resource_labels(),
        chain_form=ChainForm(),
        appointment=appointment,
        taken=taken,
        search_query=search_query(),
        search_from=_search_from(prefs_form.earliest_date.data if not prefs_form.earliest_date.errors else None),
        plan=plan,
        series_notes=_series_notes(moved, referral, candidates, appointment),
        # A time already held for this referral (by this desk or a colleague): a new hold releases it.
        live_holds=[] if appointment is not None else holds.live_holds(db.session, referral.id, now()),
        move_questions=_move_questions(appointment, candidates) if appointment is not None else {},
    ), status


def _to_the_booked(appointment: Appointment):
    """The referral has its appointment: open it where its time can change (the move page, with the search's
    choices), or its page when it is under way. Never the finder again: its times could only be refused."""
    if appointment.status == AppointmentStatus.BOOKED:
        return redirect(url_for("frontdesk.reschedule", appointment_id=appointment.id, **search_query()))
    return redirect(url_for("frontdesk.appointment", appointment_id=appointment.id))


@bp.route("/referrals/<int:referral_id>/book", methods=["GET", "POST"])
@roles(Role.FRONT_DESK)
def book(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    # The search form (with the names of rooms and radiologists) only where the page is shown: a booking
    # that goes through is redirected without it.
    try:
        ProcedurePlan.from_referral(referral)
    except NotPlanned as error:
        flash(refusal(error), "warning")
        return redirect(url_for("frontdesk.referral", referral_id=referral.id))
    existing = booking.active_appointment(db.session, referral.id)
    if existing is not None:
        # One active appointment per referral: moving it is the way to another time. A time chosen on a page
        # opened before a colleague booked the referral is refused the same way (walk finding: the refusal
        # listed times again, each with a booking button that would be refused too).
        already = booking.AlreadyBooked(existing, scheduling_settings().zone)
        flash(refusal(already), "info" if request.method == "GET" else "warning")
        return _to_the_booked(existing)
    if referral.has_ended:
        # Walk finding: the finder of a closed referral listed "Missing: referral accepted by a radiologist:
        # referral is closed", as if something could still be done about it.
        flash(_("No booking: the referral is %(status)s.", status=label(referral.status, "ReferralStatus").lower()))
        return redirect(url_for("frontdesk.referral", referral_id=referral.id))
    if request.method == "POST":
        form = ChainForm()
        if not form.validate():
            flash(_("The chosen time could not be read; pick it again."), "danger")
            prefs_form = _preferences_form()
            readiness, candidates = _search(referral, _preferences(prefs_form))
            return _render(referral, prefs_form, readiness, candidates, status=422)
        else:
            try:
                candidate = chosen_candidate(form)
                plan = ProcedurePlan.from_referral(referral)
                if form.action.data == "hold":
                    held = appointments.hold(
                        db.session,
                        scheduling_settings(),
                        current_user,
                        referral=referral,
                        plan=plan,
                        candidate=candidate,
                    )
                    return redirect(url_for("frontdesk.hold", token=held.token))
                appointment = appointments.book(
                    db.session, scheduling_settings(), current_user, referral=referral, plan=plan, candidate=candidate
                )
            except booking.SlotTaken as taken:
                flash(refusal(taken) + " " + _("Here are the next free times."), "warning")
                prefs_form = _preferences_form()
                readiness, candidates = _after_taken(referral, prefs_form, taken, plan)
                return _render(referral, prefs_form, readiness, candidates, status=409, taken=taken)
            except booking.AlreadyBooked as already:  # a colleague booked it while this request ran
                flash(refused(already), "warning")
                return _to_the_booked(already.appointment)
            except DomainError as error:
                flash(refused(error), "danger")
                prefs_form = _preferences_form()
                readiness, candidates = _search(referral, _preferences(prefs_form))
                return _render(referral, prefs_form, readiness, candidates, status=error.http_status)
            flash(
                _(
                    "Booked: reference %(reference)s. Print the letter and the information sheet.",
                    reference=appointment.reference,
                ),
                "success",
            )
            return redirect(url_for("frontdesk.appointment", appointment_id=appointment.id))
    prefs_form = _preferences_form()
    prefs = _preferences(prefs_form)
    readiness, candidates = _search(referral, prefs)
    return _render(referral, prefs_form, readiness, candidates, status=200 if prefs is not None else 400)


@bp.route("/holds/<token>", methods=["GET", "POST"])
@roles(Role.FRONT_DESK)
def hold(token: str):
    held = db.session.scalar(select(BookingHold).where(BookingHold.token == token))
    if held is None:
        abort(404)
    referral = db.session.get(Referral, held.referral_id)
    if request.method == "POST":
        if request.form.get("action") == "release":
            holds.release_hold(db.session, token)
            flash(_("Hold released; the time is free again."), "info")
            return redirect(url_for("frontdesk.book", referral_id=referral.id))
        try:
            appointment = appointments.confirm_hold(db.session, scheduling_settings(), current_user, token)
        except DomainError as error:
            flash(refused(error), "danger")
            if held.confirmed_appointment_id is not None:  # sent twice: show what the first one booked
                return redirect(url_for("frontdesk.appointment", appointment_id=held.confirmed_appointment_id))
            return redirect(url_for("frontdesk.book", referral_id=referral.id))
        flash(_("Booked: reference %(reference)s.", reference=appointment.reference), "success")
        return redirect(url_for("frontdesk.appointment", appointment_id=appointment.id))
    if held.confirmed_appointment_id is not None:
        # Walk finding: the back button after booking showed "Time held for …" beside "Already booked.": the
        # hold became an appointment, and that is the page to see.
        flash(_("This held time is booked: here is the appointment."), "info")
        return redirect(url_for("frontdesk.appointment", appointment_id=held.confirmed_appointment_id))
    return render_template(
        "frontdesk/hold.html",
        held=held,
        referral=referral,
        labels=resource_labels(),
        replaced_by=holds.replaced_by(db.session, held),
        lapsed=held.expires_at <= (held.released_at or now()),  # ran out (released at its end, or not yet)
    )


@bp.route("/appointments/<int:appointment_id>/reschedule", methods=["GET", "POST"])
@roles(Role.FRONT_DESK)
def reschedule(appointment_id: int):
    appointment = get_or_404(Appointment, appointment_id)
    referral = appointment.referral
    if appointment.status != AppointmentStatus.BOOKED or referral is None:
        flash(_("Only a booked appointment can be moved."), "warning")
        return redirect(url_for("frontdesk.appointment", appointment_id=appointment.id))
    prefs_form = _preferences_form()
    plan = booking.plan_of(appointment)
    if request.method == "POST":
        form = ChainForm()
        try:
            if not form.validate():
                raise DomainError(N_("The chosen time could not be read; pick it again."))
            chosen = chosen_candidate(form)
            freed = booking.chain_of(appointment)
            changes = moves.move_changes(
                appointment, chosen, moves.hold_plan(db.session, appointment), now(), scheduling_settings().zone
            )
            appointments.reschedule(
                db.session, scheduling_settings(), current_user, appointment, chosen, seen_start=_seen_start(form)
            )
        except booking.SlotTaken as taken:
            flash(refusal(taken) + " " + _("Here are the next free times."), "warning")
            readiness, candidates = _after_taken(referral, prefs_form, taken, plan, appointment.id)
            return _render(
                referral, prefs_form, readiness, candidates, appointment=appointment, status=409, taken=taken
            )
        except DomainError as error:
            flash(refused(error), "danger")
            readiness, candidates = _search(referral, _preferences(prefs_form), appointment.id, plan)
            return _render(
                referral, prefs_form, readiness, candidates, appointment=appointment, status=error.http_status
            )
        moved = _moved_message(appointment, changes)
        # The old time is offered to the waitlist, as a cancellation's is (walk finding).
        if appointments.moved_time_offers(db.session, scheduling_settings(), appointment, freed):
            flash(moved + " " + _("Patients on the waitlist can take the old time:"), "success")
            return redirect(url_for("frontdesk.freed_time_offers", appointment_id=appointment.id, **freed.as_dict()))
        flash(moved, "success")
        return redirect(url_for("frontdesk.appointment", appointment_id=appointment.id))
    prefs = _preferences(prefs_form)
    readiness, candidates = _search(referral, prefs, appointment.id, plan)
    return _render(
        referral, prefs_form, readiness, candidates, appointment=appointment, status=200 if prefs is not None else 400
    )
