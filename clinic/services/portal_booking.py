"""Times through the patient's link: the same finder, holds, booking and rescheduling as the desk.

The patient is shown a handful of the earliest possible times (distinct start times, never the
calendar), picks one, and the chain is held while they confirm; confirming books it in one step with
every guard the desk's booking has (readiness, medication hold date, resources, exclusion constraints).
If the desk took the chain meanwhile, the patient gets fresh times, and the other way round.

The clinic's rules for the patient: nothing is offered, moved or cancelled within ``lead`` (24 hours)
of a procedure; then the page gives the clinic's telephone number instead. A waitlisted patient is
offered earlier times than their appointment when some are free, and takes one by moving to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import DomainError
from ..core.messages import N_, fill
from ..core.timefmt import to_local
from ..models import Appointment, BookingHold, PortalLink, Referral, WaitlistEntry
from ..models.appointments import CANCELLED_ONLINE_NOTE, WAITLIST_THROUGH_LINK_NOTE
from ..models.vocab import AppointmentStatus, PartOfDay
from ..scheduling import booking, holds
from ..scheduling.context import SEARCH_WINDOW_DAYS, Settings
from ..scheduling.finder import Candidate, Preferences
from ..scheduling.plan import ProcedurePlan
from . import appointments, portal_links, waitlist
from .candidates import candidates_for_referral
from .readiness import Readiness


@dataclass(frozen=True)
class PortalRules:
    lead: dt.timedelta = dt.timedelta(hours=24)  # nothing offered, moved or cancelled closer than this
    offers: int = 6  # how many times the patient is shown
    per_day: int = 2  # at most this many of them on one day, so that the patient can choose a day
    spacing_minutes: int = 120  # and those of one day this far apart
    search_days: int = SEARCH_WINDOW_DAYS
    hold_minutes: int = 10  # a patient on a phone needs longer than the desk's few minutes


def active_appointment(session: Session, referral_id: int) -> Appointment | None:
    """The referral's appointment that is still to come or under way (not cancelled, not a no-show)."""
    return session.scalar(
        select(Appointment)
        .where(
            Appointment.referral_id == referral_id,
            Appointment.status.not_in((AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)),
        )
        .order_by(Appointment.table_start.desc())
        .limit(1)
    )


def can_change(settings: Settings, appointment: Appointment, rules: PortalRules) -> bool:
    """Moving or cancelling through the link: a booked appointment more than ``lead`` ahead."""
    return appointment.status == AppointmentStatus.BOOKED and appointment.table_start - settings.now() >= rules.lead


def offered_times(
    session: Session,
    settings: Settings,
    referral: Referral,
    rules: PortalRules,
    *,
    part_of_day: str = PartOfDay.ANY,
    from_day: dt.date | None = None,
    before: dt.datetime | None = None,
    ignore_appointment_id: int | None = None,
    plan: ProcedurePlan | None = None,
) -> tuple[Readiness, list[Candidate]]:
    """A few of the earliest chains, one per start time, at least ``lead`` from now (and before
    ``before`` when given: earlier times for a waitlisted patient), spread over several days: a few per
    day, apart, rather than the whole first morning."""
    if part_of_day not in PartOfDay.values():
        part_of_day = PartOfDay.ANY
    earliest = settings.now() + rules.lead
    first_day = to_local(earliest, settings.zone).date()
    if from_day is not None and from_day > first_day:
        first_day = from_day
    plan = plan or ProcedurePlan.from_referral(referral)
    ready, found = candidates_for_referral(
        session,
        settings,
        referral,
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=rules.search_days),
        plan=plan,
        preferences=Preferences(part_of_day=part_of_day, earliest_date=first_day),
        limit=rules.offers * 8,
        ignore_appointment_id=ignore_appointment_id,
        per_day=rules.per_day,
        spacing_minutes=rules.spacing_minutes,
    )
    times: list[Candidate] = []
    seen: set[dt.datetime] = set()
    for c in found:
        if c.table_start < earliest or c.table_start in seen:
            continue
        if before is not None and c.table_start >= before:
            break
        seen.add(c.table_start)
        times.append(c)
        if len(times) == rules.offers:
            break
    return ready, times


def _require_open(session: Session, link: PortalLink) -> Referral:
    if portal_links.state(link) != portal_links.LinkState.OPEN:
        raise DomainError(N_("The link is not open."), code="link_closed")
    return link.referral


def hold(
    session: Session, settings: Settings, link: PortalLink, candidate: Candidate, rules: PortalRules
) -> BookingHold:
    """Keep the chosen chain while the patient confirms. SlotTaken (with fresh times) if it went."""
    referral = _require_open(session, link)
    if active_appointment(session, referral.id) is not None:
        raise DomainError(N_("There is already an appointment for this referral."), code="already_booked")
    if candidate.table_start - settings.now() < rules.lead:
        raise DomainError(N_("This time is too soon to book online."), code="too_soon")
    held = appointments.hold(
        session,
        settings,
        portal_links.patient_actor(link.patient),
        referral=referral,
        plan=ProcedurePlan.from_referral(referral),
        candidate=candidate,
        minutes=rules.hold_minutes,
    )
    portal_links.record(session, link, "held", {"hold": held.id, "table_start": held.table_start.isoformat()})
    return held


def confirm(session: Session, settings: Settings, link: PortalLink, hold_id: int) -> Appointment:
    """Book the held chain. The hold must be this link's own."""
    referral = _require_open(session, link)
    held = session.get(BookingHold, hold_id)
    if held is None or held.referral_id != referral.id:
        raise DomainError(N_("There is no such hold."), code="hold_lapsed")
    appointment = appointments.confirm_hold(session, settings, portal_links.patient_actor(link.patient), held.token)
    portal_links.record(session, link, "booked", {"appointment": appointment.id})
    return appointment


def release(session: Session, link: PortalLink, hold_id: int) -> None:
    held = session.get(BookingHold, hold_id)
    if held is not None and held.referral_id == link.referral_id:
        holds.release_hold(session, held.token)
        portal_links.record(session, link, "released", {"hold": held.id})


def _own_changeable(session, settings, link: PortalLink, appointment_id: int, rules: PortalRules) -> Appointment:
    _require_open(session, link)
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.referral_id != link.referral_id:
        raise DomainError(N_("There is no such appointment."), code="not_found")
    if not can_change(settings, appointment, rules):
        raise DomainError(N_("This appointment can no longer be changed online."), code="too_late")
    return appointment


def move(
    session: Session,
    settings: Settings,
    link: PortalLink,
    appointment_id: int,
    candidate: Candidate,
    rules: PortalRules,
    *,
    from_waitlist: bool = False,
) -> Appointment:
    """Move the patient's appointment (the old time stays theirs until the new one is in)."""
    appointment = _own_changeable(session, settings, link, appointment_id, rules)
    if candidate.table_start - settings.now() < rules.lead:
        raise DomainError(N_("This time is too soon to book online."), code="too_soon")
    old = appointment.table_start
    appointments.reschedule(session, settings, portal_links.patient_actor(link.patient), appointment, candidate)
    summary = {"appointment": appointment.id, "from": old.isoformat(), "to": candidate.table_start.isoformat()}
    if from_waitlist:
        entry = waitlist_entry(session, link.referral_id)
        if entry is not None:
            waitlist.remove(session, portal_links.patient_actor(link.patient), entry)
            entry.resolved_appointment_id = appointment.id
    portal_links.record(session, link, "took_offer" if from_waitlist else "moved", summary)
    return appointment


def cancel(
    session: Session, settings: Settings, link: PortalLink, appointment_id: int, reason: str, rules: PortalRules
) -> None:
    appointment = _own_changeable(session, settings, link, appointment_id, rules)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("Give a reason."), code="reason_needed")
    appointments.cancel(
        session,
        settings,
        portal_links.patient_actor(link.patient),
        appointment,
        fill(CANCELLED_ONLINE_NOTE, {"reason": reason}),
    )
    portal_links.record(session, link, "cancelled", {"appointment": appointment.id})


def acknowledge(session: Session, link: PortalLink, appointment: Appointment) -> None:
    """The patient confirms they will come."""
    portal_links.record(session, link, "confirmed_attendance", {"appointment": appointment.id})


def waitlist_entry(session: Session, referral_id: int) -> WaitlistEntry | None:
    return session.scalar(select(WaitlistEntry).where(WaitlistEntry.referral_id == referral_id, WaitlistEntry.active))


def join_waitlist(
    session: Session, settings: Settings, link: PortalLink, *, part_of_day: str = PartOfDay.ANY
) -> WaitlistEntry:
    """Ask for an earlier time than the appointment the patient has."""
    referral = _require_open(session, link)
    appointment = active_appointment(session, referral.id)
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        raise DomainError(N_("The waitlist is for an earlier time than a booked appointment."), code="invalid_state")
    today = to_local(settings.now(), settings.zone).date()
    latest = to_local(appointment.table_start, settings.zone).date() - dt.timedelta(days=1)
    if latest < today:
        raise DomainError(N_("Your appointment is already the earliest."), code="invalid_state")
    entry = waitlist.add(
        session,
        portal_links.patient_actor(link.patient),
        referral,
        earliest=today,
        latest=latest,
        part_of_day=part_of_day,
        note=WAITLIST_THROUGH_LINK_NOTE,
        today=today,
    )
    portal_links.record(session, link, "joined_waitlist", {"appointment": appointment.id})
    return entry


def leave_waitlist(session: Session, link: PortalLink) -> None:
    entry = waitlist_entry(session, link.referral_id)
    if entry is not None:
        waitlist.remove(session, portal_links.patient_actor(link.patient), entry)
        portal_links.record(session, link, "left_waitlist")


def earlier_offers(
    session: Session, settings: Settings, link: PortalLink, appointment: Appointment, rules: PortalRules
) -> list[Candidate]:
    """For a waitlisted patient: free times earlier than their appointment, within the wish."""
    entry = waitlist_entry(session, link.referral_id)
    if entry is None or not can_change(settings, appointment, rules):
        return []
    _ready, times = offered_times(
        session,
        settings,
        link.referral,
        rules,
        part_of_day=entry.part_of_day,
        from_day=entry.earliest_date,
        before=appointment.table_start,
        ignore_appointment_id=appointment.id,
        plan=booking.plan_of(appointment),
    )
    return times
