"""What the front desk has to book: the accepted referrals with no appointment in hand, each sorted
into ready to book now, not bookable now, or pre-registration still open, with every reason that holds
(as readiness gives them). The list is the clinic's open work, read in a fixed number of statements
however long it is.

Sorting reads every waiting referral's checklist (the start page's 300 cost 150 ms of CPU a request,
issue 20's load test). Nothing in it depends on the clock, only on the data, so the sorting is kept,
by ids, under the count of committed changes it was read at (``clinic.core.changes``), and a page then
loads only the rows it shows (``waiting``). After committed changes, only the referrals of the patients
they touched are sorted again (a booking touches one patient); a change to anything else the sorting
reads (a setting, a stage rule, a document text), or scopes no longer kept, sorts everything again.
Each referral's place depends only on its own patient's rows and on those shared tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, defaultload, lazyload, subqueryload
from sqlalchemy.orm.util import identity_key

from ..core import changes
from ..database import among
from ..models import Appointment, PreRegistration, Referral, StageRule
from ..models.appointments import ACTIVE_STATUSES
from ..models.vocab import AppointmentStatus, Priority, ReferralStatus
from . import episodes, implants, preregistration, stages

ENDED = (AppointmentStatus.DISCHARGED, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


@dataclass(frozen=True)
class Waiting:
    referral: Referral
    missing: list[str] = field(default_factory=list)  # open pre-registration items
    blocked: list[str] = field(default_factory=list)  # the other reasons it cannot be booked now (stage rule, implant)
    last: Appointment | None = None  # the referral's last appointment that ended (cancelled, no-show, done)
    done: bool = False  # the planned stage is done; the next step waits for its outcome
    safety: bool = False  # it waits for a reason of the patient's safety (``safety_reason``), not routine work


@dataclass(frozen=True)
class Entry:
    """A ``Waiting`` by ids: what the memo keeps (no object of a session that has ended)."""

    referral_id: int
    patient_id: int
    place: tuple  # where it stands in its list: (priority's rank, received on, referral id)
    missing: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()
    last_id: int | None = None
    done: bool = False
    safety: bool = False


def safety_reason(item: preregistration.Item) -> bool:
    """Whether an open checklist item stops the booking for the patient's safety (the start page shows it in
    red; routine waiting, paperwork or an item not asked yet, in amber: walk 26 found every row red). An open
    red flag, and blood thinners recorded with no hold rule to settle them (the questionnaire itself answered)."""
    if item.done:
        return False
    return item.key == "red_flags" or (item.key == "medication" and item.settled_at is not None)


@dataclass(frozen=True)
class Sorting:
    ready: tuple[Entry, ...]
    blocked: tuple[Entry, ...]
    prepare: tuple[Entry, ...]


# Tables of no patient that the sorting never reads: a change to them alone leaves it as it was. (A test
# reads every statement the sorting sends and finds none of these in it.)
NOT_READ = frozenset({"bookings", "booking_holds", "outbox_messages", "idempotent_requests", "calendar_feeds"})
# Past this many patients touched, sorting everything again costs about the same.
FEW = 50

_memo: dict[str, tuple[tuple[str, int], Sorting]] = {}  # database -> (the mark it was read at, the sorting)


def _priority_order():
    return [Priority.URGENT, Priority.SOON, Priority.ROUTINE]


def sorting(session: Session) -> Sorting:
    """The waiting referrals sorted into the three lists: the memo while no change was committed since it
    was read, else read now (and kept, unless this transaction changed data itself: what it sees may yet
    be rolled back)."""
    mark = changes.current(session)
    database = session.get_bind().url.render_as_string(hide_password=True)
    kept = _memo.get(database)
    fresh = changes.unchanged(session)
    if mark is not None and kept is not None and fresh:
        if kept[0] == mark:
            return kept[1]
        touched = changes.touched(session, kept[0], mark)
        if touched is not None and not touched.tables - NOT_READ and len(touched.patients) <= FEW:
            found = _again(session, kept[1], touched.patients)
            _memo[database] = (mark, found)
            return found
    found = _sort(session)
    if mark is not None and fresh:
        _memo[database] = (mark, found)
    return found


def _again(session: Session, kept: Sorting, patients: frozenset[int]) -> Sorting:
    """``kept`` with the referrals of ``patients`` sorted again: each list in the order a whole sorting
    gives (priority, then received, then id)."""
    if not patients:
        return kept
    new = _sort(session, patients)

    def merged(old: tuple[Entry, ...], added: tuple[Entry, ...]) -> tuple[Entry, ...]:
        return tuple(sorted([e for e in old if e.patient_id not in patients] + list(added), key=_place))

    return Sorting(merged(kept.ready, new.ready), merged(kept.blocked, new.blocked), merged(kept.prepare, new.prepare))


def _place(entry: Entry):
    return entry.place


def forget() -> None:
    """Drop the kept sortings (a benchmark's "first request after a change")."""
    _memo.clear()


def waiting(session: Session, entries) -> dict[int, Waiting]:
    """The ``Waiting`` rows of some entries (a page of a list), by referral id. Right after sorting, the
    referrals and appointments are in the session already; from the memo, two statements read them (the
    referrals with their patient and procedure type joined, not their flags and drugs, which the lists
    do not show)."""
    entries = list(entries)
    referrals = _loaded(
        session,
        Referral,
        [e.referral_id for e in entries],
        lazyload(Referral.red_flags),
        defaultload(Referral.preregistration).lazyload(PreRegistration.medications),
    )
    last = _loaded(session, Appointment, [e.last_id for e in entries if e.last_id is not None])
    return {
        e.referral_id: Waiting(
            referrals[e.referral_id], list(e.missing), list(e.blocked), last.get(e.last_id), e.done, e.safety
        )
        for e in entries
        if e.referral_id in referrals
    }


def _loaded(session: Session, model, ids: list[int], *options) -> dict:
    """The rows of ``ids`` by id: those the session holds already as they are, the others in one read."""
    found = {}
    for ident in ids:
        obj = session.identity_map.get(identity_key(model, ident))
        if obj is not None:
            found[ident] = obj
    rest = [i for i in ids if i not in found]
    if rest:
        found.update((o.id, o) for o in session.scalars(select(model).where(model.id.in_(rest)).options(*options)))
    return found


def _sort(session: Session, patients: frozenset[int] | None = None) -> Sorting:
    """The sorting of every waiting referral, or of the referrals of ``patients`` only."""
    active = select(Appointment.id).where(
        Appointment.referral_id == Referral.id, Appointment.status.in_(ACTIVE_STATUSES)
    )
    ours = () if patients is None else (among(session, Referral.patient_id, sorted(patients)),)
    referrals = session.scalars(
        select(Referral)
        .where(Referral.status == ReferralStatus.ACCEPTED, ~active.exists(), *ours)
        .order_by(Referral.received_on, Referral.id)
        .options(
            # The red flags and drugs of every referral waiting (the checklists read them): by this
            # statement as a subquery, not by a list of one parameter per referral (selectin's IN of
            # about 300 ids, a new statement text each request that the driver parses again).
            subqueryload(Referral.red_flags),
            defaultload(Referral.preregistration).subqueryload(PreRegistration.medications),
        )
    ).all()
    order = _priority_order()
    place = {
        r.id: (order.index(r.priority) if r.priority in order else len(order), r.received_on, r.id) for r in referrals
    }
    referrals = sorted(referrals, key=lambda r: place[r.id])
    last: dict[int, Appointment] = {}
    discharged: dict[int, Appointment] = {}  # the last one done: a cancelled repeat after it changes nothing
    if referrals:
        for appointment in session.scalars(
            select(Appointment)
            .where(among(session, Appointment.referral_id, [r.id for r in referrals]), Appointment.status.in_(ENDED))
            .order_by(Appointment.table_start, Appointment.id)
        ):
            last[appointment.referral_id] = appointment
            if appointment.status == AppointmentStatus.DISCHARGED:
                discharged[appointment.referral_id] = appointment
    imaging = preregistration.imaging_statuses_by_patient(session, {r.patient_id for r in referrals})
    lists = preregistration.checklists(session, referrals, imaging=imaging, brief=True)
    refused = stages.unmet_rules(session, referrals)
    leading = session.execute(select(StageRule.requires_procedure_type_id, StageRule.requires_stage)).all()

    def leads_on(appointment: Appointment) -> bool:
        return any(
            pt == appointment.procedure_type_id and (stage is None or stage == appointment.stage)
            for pt, stage in leading
        )

    # Every reason that holds, as readiness gives them (the referral page): a stage done lists the
    # referral as not bookable, with the open items and other reasons besides; open items list it under
    # pre-registration, with the other reasons besides. Nothing here reads the database again.
    ready, blocked, prepare = [], [], []
    for referral in referrals:
        ids = (referral.id, referral.patient_id, place[referral.id])
        ended = last.get(referral.id)
        ended_id = None if ended is None else ended.id
        missing = tuple(preregistration.missing(lists[referral.id]))
        # Red on the start page: an open item that stops the booking for the patient's safety; routine waiting,
        # amber. The other reasons (a later stage without its positive earlier one, an implant not checked
        # for MRI) are safety reasons, always red.
        safety = any(safety_reason(item) for item in lists[referral.id])
        reasons = tuple(
            r for r in (refused.get(referral.id), implants.unchecked_implant(referral, referral.planned_guidance)) if r
        )
        done = discharged.get(referral.id)  # as episodes.awaiting_outcome, which the booking checks
        if done is not None and episodes.same_plan(referral, done):
            if leads_on(done):  # else the episode is over (a referral from before episodes closed)
                blocked.append(Entry(*ids, missing=missing, blocked=reasons, last_id=done.id, done=True, safety=safety))
        elif missing:
            prepare.append(Entry(*ids, missing=missing, blocked=reasons, last_id=ended_id, safety=safety))
        elif reasons:
            blocked.append(Entry(*ids, blocked=reasons, last_id=ended_id))
        else:
            ready.append(Entry(*ids, last_id=ended_id))
    return Sorting(tuple(ready), tuple(blocked), tuple(prepare))
