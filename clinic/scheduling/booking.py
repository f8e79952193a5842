"""Booking and rescheduling: all resources of a chain or none. Holds are in ``holds.py``, cancellations
and no-shows in ``ending.py``; all three share the pipeline here.

Each operation runs inside the caller's transaction (the request, job or test commits). The order is
always: check the rules (friendly messages) → check the resources are free (releasing holds that lapsed
in that time) → insert inside a SAVEPOINT. A ``BookingRequest`` carries one chain through those steps:
``check()`` runs the rules and the resources, ``insert()`` the rows, ``conflict()`` is the refusal with
fresh candidates. On PostgreSQL the exclusion constraints are the last guard against a concurrent
booking that slipped past the check; their violation becomes the same ``SlotTaken`` error, with fresh
candidates. On SQLite the transaction holds the write lock from its first statement (``clinic.database``),
so the check cannot be overtaken.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, DomainError, InvalidInput
from ..core.intervals import contains, normalise, overlaps
from ..core.messages import N_, Phrase, Phrases
from ..core.timefmt import fmt_datetime, fmt_time, to_local
from ..models import (
    Appointment,
    AppointmentEvent,
    Booking,
    BookingHold,
    ProcedureType,
    Referral,
    WaitlistEntry,
)
from ..models.appointments import ACTIVE_STATUSES
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus, PartOfDay
from . import availability, finder, steroid
from .availability import Calendar, load_busy
from .context import MAX_BOOKING_SPAN, SEARCH_WINDOW_DAYS, ReadinessCheck, Settings
from .finder import Candidate, Preferences, SearchRequest
from .locks import lock_patient
from .plan import ProcedurePlan

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
NEXT_CANDIDATES = 5

# What a conflict can take, in the words of its refusal (marked: a screen says them in its language).
ROOM, RADIOLOGIST, BED, PATIENT = N_("the room"), N_("the radiologist"), N_("the observation bed"), N_("the patient")
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE for a transaction the deadlock detector cancelled
CONSTRAINT_RESOURCES = {
    "ex_bookings_room_overlap": ROOM,
    "ex_bookings_radiologist_overlap": RADIOLOGIST,
    "ex_bookings_bed_overlap": BED,
    "ex_bookings_patient_overlap": PATIENT,
}


class SlotTaken(Conflict):
    """The chain is no longer free. Carries the next candidates so that the caller can offer them."""

    code = "slot_taken"

    def __init__(self, message: str, candidates: list[Candidate], **params):
        super().__init__(message, details={"candidates": [c.as_dict() for c in candidates]}, **params)
        self.candidates = candidates


class MovedMeanwhile(Conflict):
    """The appointment is no longer at the time the mover saw: someone moved it in between (walk finding
    F-09, two desks on the phone). The move is refused, so nobody tells the patient a time another desk
    has already changed; the page shows the current time and the mover chooses again."""

    code = "moved_meanwhile"


ONE_ACTIVE_PER_REFERRAL = "uq_appointments_one_active_per_referral"


class AlreadyBooked(Conflict):
    """The referral (the stage in hand) has an active appointment already: move that one instead."""

    code = "already_booked"

    def __init__(self, appointment: Appointment, zone: str):
        super().__init__(
            N_(
                "This referral already has an appointment on {when} (reference {reference}). Reschedule that "
                "one to change the time."
            ),
            when=fmt_datetime(appointment.table_start, zone),
            reference=appointment.reference,
            details={"appointment_id": appointment.id, "reference": appointment.reference},
        )
        self.appointment = appointment


class HeldAlready(Conflict):
    """The chain meets a hold kept for this same referral (another window, or a colleague on the phone):
    not someone else's time, and not another appointment of the patient's."""

    code = "held_already"

    def __init__(self, held: BookingHold, zone: str):
        super().__init__(
            N_(
                "This time is already held for this patient (a hold made at {made}, in another window or by a "
                "colleague): confirm that hold, or choose again after it lapses at {lapses}."
            ),
            made=fmt_time(held.created_at, zone),
            lapses=fmt_time(held.expires_at, zone),
            details={"hold_expires_at": held.expires_at.isoformat()},
        )
        self.held = held


def own_hold(session: Session, settings: Settings, referral: Referral | None, chain: Candidate) -> BookingHold | None:
    """A live hold of ``referral`` whose time meets the chain's."""
    if referral is None:
        return None
    return session.scalar(
        select(BookingHold)
        .where(
            BookingHold.referral_id == referral.id,
            BookingHold.released_at.is_(None),
            BookingHold.confirmed_appointment_id.is_(None),
            BookingHold.expires_at > settings.now(),
            BookingHold.table_start < chain.obs_end,
            BookingHold.obs_end > chain.table_start,
        )
        .limit(1)
    )


def active_appointment(session: Session, referral_id: int | None) -> Appointment | None:
    if referral_id is None:
        return None
    return session.scalar(
        select(Appointment).where(Appointment.referral_id == referral_id, Appointment.status.in_(ACTIVE_STATUSES))
    )


def require_unbooked(session: Session, settings: Settings, referral: Referral) -> None:
    """Refuse a referral that has its appointment (``AlreadyBooked``). The patient's row is locked first, until
    the transaction ends (``lock_patient``): a second desk booking the same referral or the same patient waits
    here and then reads the first one's booking, so the rules across rows (``steroid``) cannot be overtaken
    and the same referral gets "already booked", not a rule's refusal."""
    lock_patient(session, referral.patient_id)
    existing = active_appointment(session, referral.id)
    if existing is not None:
        raise AlreadyBooked(existing, settings.zone)


class NotReady(DomainError):
    code = "not_ready"

    def __init__(self, missing: list[str]):
        super().__init__(
            N_("This referral cannot be booked yet: {missing}."),
            missing=Phrases(missing),  # each item a phrase: a screen says them in its language
            details={"missing": missing},
        )
        self.missing = missing


def constraint_name(error: IntegrityError) -> str | None:
    diag = getattr(error.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name
    text = str(error.orig)
    for name in (*CONSTRAINT_RESOURCES, ONE_ACTIVE_PER_REFERRAL):
        if name in text:
            return name
    if "appointments.referral_id" in text:  # SQLite names the column, not the index
        return ONE_ACTIVE_PER_REFERRAL
    return None


def new_reference() -> str:
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def typed_reference(text: str) -> str:
    """A reference as typed or scanned ("bmpy rkuh", "BMPYRKUH", " bmpy-rkuh ") in the stored form
    ("BMPY-RKUH"): case, spaces and hyphens ignored. Anything not eight characters long is returned without
    them, and finds nothing."""
    raw = "".join(c for c in text.upper() if not c.isspace() and c not in "-‐‑‒–—")
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def plan_of(row: Appointment | BookingHold, procedure_type: ProcedureType | None = None) -> ProcedurePlan:
    """The plan an appointment (or a hold, given its procedure type) was booked for."""
    return ProcedurePlan(
        procedure_type=procedure_type or row.procedure_type,
        region=row.region,
        side=row.side,
        levels=row.levels,
        stage=row.stage,
        guidance=row.guidance,
        target=row.target,
    )


def chain_of(row: Appointment | BookingHold) -> Candidate:
    """The chain an appointment or a hold holds (what a cancellation frees, what a hold keeps)."""
    return Candidate(row.room_id, row.radiologist_id, row.bed_id, row.table_start, row.table_end, row.obs_end)


def booked_columns(plan: ProcedurePlan, candidate: Candidate) -> dict:
    """The plan and the chain as the columns an appointment and a hold share: written down once."""
    return {
        "procedure_type_id": plan.procedure_type.id,
        "region": plan.region,
        "side": plan.side,
        "levels": plan.levels,
        "stage": plan.stage,
        "target": plan.target,
        "guidance": plan.modality,
        **chain_columns(candidate),
    }


def chain_columns(candidate: Candidate) -> dict:
    """The chain as the columns of an appointment or a hold (what a move rewrites)."""
    return {
        "room_id": candidate.room_id,
        "radiologist_id": candidate.radiologist_id,
        "bed_id": candidate.bed_id,
        "table_start": candidate.table_start,
        "table_end": candidate.table_end,
        "obs_end": candidate.obs_end,
    }


def new_appointment(
    plan: ProcedurePlan, candidate: Candidate, *, patient_id: int, referral_id: int | None, actor, note: str | None
) -> Appointment:
    """The appointment for a chain and a plan, booked, not yet added: the one place its fields are filled."""
    return Appointment(
        reference=new_reference(),
        patient_id=patient_id,
        referral_id=referral_id,
        level_count=plan.level_count,
        **booked_columns(plan, candidate),
        status=AppointmentStatus.BOOKED,
        status_changed_at=utcnow(),
        note=note,
        created_by_id=audit.actor_of(actor).id,
    )


def release_expired_holds(session: Session, now: dt.datetime) -> int:
    """Free the resources of holds whose few minutes are over. Safe to run any number of times."""
    expired = session.scalars(
        select(BookingHold.id).where(
            BookingHold.released_at.is_(None),
            BookingHold.confirmed_appointment_id.is_(None),
            BookingHold.expires_at <= now,
        )
    ).all()
    if not expired:
        return 0
    session.execute(update(Booking).where(Booking.hold_id.in_(expired), Booking.active).values(active=False))
    session.execute(
        update(BookingHold)
        .where(
            BookingHold.id.in_(expired),
            BookingHold.released_at.is_(None),
            BookingHold.confirmed_appointment_id.is_(None),  # confirmed meanwhile: its rows have moved
        )
        .values(released_at=now)
    )
    return len(expired)


# --- checks -----------------------------------------------------------------------------------------


def validate_chain(
    session: Session, settings: Settings, plan: ProcedurePlan, chain: Candidate, *, allow_past: bool = False
) -> None:
    """Invariants 4 and 5: the chain fits the clinic (sessions, rosters, closures, modality,
    qualification) and the bed is reserved straight after the table time."""
    problems: list[str] = []
    if chain.table_end != chain.table_start + plan.table_length:
        problems.append(Phrase(N_("the table time of this plan is {minutes} minutes"), minutes=plan.table_minutes))
    if chain.obs_end != chain.table_end + plan.observation_length:
        problems.append(
            Phrase(
                N_("the observation of this plan is {minutes} minutes, straight after the table time"),
                minutes=plan.observation_minutes,
            )
        )
    grid = settings.grid_minutes * 60
    if chain.table_start.timestamp() % grid:
        problems.append(Phrase(N_("times lie on a {minutes}-minute grid"), minutes=settings.grid_minutes))
    if allow_past:
        pass  # a record of what already happened: no notice to keep (and the setting is not read)
    elif chain.table_start < settings.now():
        problems.append(N_("the time has already passed"))
    elif chain.table_start < (earliest := settings.earliest_start()):
        problems.append(
            Phrase(
                N_("it is too soon: the patient could not be told and arrive in time (the earliest is {earliest})"),
                # as the finder would offer it: the first time on the grid (not "23:03")
                earliest=fmt_datetime(on_grid_after(earliest, settings.grid_minutes), settings.zone),
            )
        )

    found = availability.chain_resources(
        session, chain.room_id, chain.radiologist_id, chain.bed_id, plan.procedure_type.id
    )
    room, radiologist, bed = found.room, found.radiologist, found.bed
    if room is None or not found.room_active:
        problems.append(N_("the room does not exist or is not in use"))
    elif room.modality != plan.modality:
        problems.append(
            Phrase(
                N_("{room} is a {modality} room; this procedure needs {needed}"),
                room=room.name,
                modality=Phrase(room.modality),  # MRI: MRT on German screens
                needed=Phrase(plan.modality),
            )
        )
    if radiologist is None or not found.radiologist_active:
        problems.append(N_("the radiologist does not exist or is not active"))
    elif not found.qualified:
        problems.append(
            Phrase(
                N_("{radiologist} is not qualified for {procedure}"),
                radiologist=radiologist.name,
                procedure=plan.procedure_type.named,
            )
        )
    if plan.observation_minutes:
        if bed is None or not found.bed_active:
            problems.append(N_("an observation bed is needed straight after the table time"))
    elif chain.bed_id is not None:
        problems.append(N_("this procedure needs no observation bed"))
    if problems:
        raise InvalidInput(N_("This time cannot be booked: {problems}."), problems=Phrases(problems), details=problems)

    zone = settings.zone
    day = to_local(chain.table_start, zone).date()
    last_day = to_local(chain.obs_end, zone).date()  # the observation may, rarely, run past midnight
    calendar = Calendar(session, settings, day, last_day, room_ids=[room.id], radiologist_ids=[radiologist.id])
    if not contains(calendar.room_open(room, day), chain.table_start, chain.table_end):
        problems.append(Phrase(N_("{room} is not open then (outside its session, or closed)"), room=room.name))
    if not contains(calendar.radiologist_on_duty(radiologist.id, day), chain.table_start, chain.table_end):
        problems.append(Phrase(N_("{radiologist} is not on duty then"), radiologist=radiologist.name))
    if plan.observation_minutes:
        open_ = [span for d in {day, last_day} for span in calendar.bed_open(bed, d)]
        if not any(start <= chain.table_end and chain.obs_end <= end for start, end in normalise(open_)):
            problems.append(N_("the observation unit is closed then"))
    if problems:
        raise InvalidInput(N_("This time cannot be booked: {problems}."), problems=Phrases(problems), details=problems)


def busy_resources(
    session: Session,
    settings: Settings,
    chain: Candidate,
    patient_id: int,
    *,
    ignore_appointment_id: int | None = None,
    ignore_hold_id: int | None = None,
) -> list[str]:
    """Invariants 1, 2 and 5, checked the same way the constraints do: which resources are taken.

    A hold that has lapsed within the chain's time holds nothing, but its rows stay active until they
    are released, and the exclusion constraints would still count them: so they are released here,
    in the caller's transaction. Most bookings meet none and send no statement for it."""
    now = settings.now()
    busy = load_busy(
        session,
        chain.table_start,
        chain.obs_end,
        now,
        patient_id=patient_id,
        ignore_appointment_id=ignore_appointment_id,
        ignore_hold_id=ignore_hold_id,
    )
    if busy.lapsed_holds:
        release_expired_holds(session, now)
    taken = []
    if any(overlaps(chain.table_start, chain.table_end, start, end) for start, end in busy.room.get(chain.room_id, [])):
        taken.append(ROOM)
    if any(
        overlaps(chain.table_start, chain.table_end, start, end)
        for start, end in busy.radiologist.get(chain.radiologist_id, [])
    ):
        taken.append(RADIOLOGIST)
    if chain.bed_id is not None and any(
        overlaps(chain.table_end, chain.obs_end, start, end) for start, end in busy.bed.get(chain.bed_id, [])
    ):
        taken.append(BED)
    if any(overlaps(chain.table_start, chain.obs_end, start, end) for start, end in busy.patient.get(patient_id, [])):
        taken.append(PATIENT)
    return taken


def next_candidates(
    session: Session,
    settings: Settings,
    plan: ProcedurePlan,
    after: dt.datetime,
    patient_id: int | None,
    *,
    not_before: dt.datetime | None = None,
    ignore_appointment_id: int | None = None,
    limit: int = NEXT_CANDIDATES,
) -> list[Candidate]:
    """``not_before``: the first table start the medication holds allow."""
    day = to_local(after, settings.zone).date()
    request = SearchRequest(
        plan=plan,
        first_day=day,
        last_day=day + dt.timedelta(days=SEARCH_WINDOW_DAYS),
        patient_id=patient_id,
        not_before_at=not_before,
        ignore_appointment_id=ignore_appointment_id,
        limit=limit,
    )
    return finder.find_candidates(session, settings, request)


def taken_in_words(what: list[str]) -> Phrase:
    """What a conflict took, as a clause: e.g. the room and the radiologist are taken, and the patient
    has another appointment then. A phrase: its str is the English, a screen says it in its language."""
    resources = [Phrase(item) for item in what if item != PATIENT]
    parts = []
    if len(resources) == 1:
        parts.append(Phrase(N_("{resources} is taken"), resources=resources[0]))
    elif resources:  # "a, b and c": no serial comma
        listed = Phrase(N_("{items} and {last}"), items=Phrases(resources[:-1], ", "), last=resources[-1])
        parts.append(Phrase(N_("{resources} are taken"), resources=listed))
    if PATIENT in what:
        parts.append(Phrase(N_("the patient has another appointment then")))
    if len(parts) == 2:
        return Phrase(N_("{taken}, and {patient}"), taken=parts[0], patient=parts[1])
    return parts[0]


def insert_bookings(session: Session, chain: Candidate, patient_id: int, **owner) -> None:
    """The chain's rows, one per resource, in one statement (they are plain rows: no ORM objects needed)."""
    rows = [
        {"room_id": chain.room_id, "starts_at": chain.table_start, "ends_at": chain.table_end},
        {"radiologist_id": chain.radiologist_id, "starts_at": chain.table_start, "ends_at": chain.table_end},
        {"patient_id": patient_id, "starts_at": chain.table_start, "ends_at": chain.obs_end},
    ]
    if chain.bed_id is not None:
        rows.append({"bed_id": chain.bed_id, "starts_at": chain.table_end, "ends_at": chain.obs_end})
    columns = ("room_id", "radiologist_id", "bed_id", "patient_id", "appointment_id", "hold_id", "hold_expires_at")
    for row in rows:
        if row["ends_at"] - row["starts_at"] > MAX_BOOKING_SPAN:
            raise InvalidInput(N_("A booking cannot be longer than 12 hours."))
        for column in columns:
            row.setdefault(column, owner.get(column))
        row["active"] = True
    session.execute(insert(Booking.__table__), rows)


def _require_ready(
    session: Session,
    settings: Settings,
    referral: Referral,
    plan: ProcedurePlan,
    chain: Candidate,
    readiness: ReadinessCheck,
) -> dt.datetime | None:
    """Invariants 3, 6 and 8, judged by the ``readiness`` the caller hands in. A table start before the
    medication holds allow it, counted from now (a last dose cannot be taken in the past), is refused
    unless a radiologist has overridden the hold with a reason. Returns the first start the holds allow."""
    ready = readiness(session, settings, referral, plan)
    if not ready.ready:
        raise NotReady(ready.missing)
    if ready.not_before_at is not None and chain.table_start < ready.not_before_at:
        when = fmt_datetime(ready.not_before_at, settings.zone)
        raise DomainError(
            N_(
                "The medication hold plan allows this procedure from {when} on: the last dose cannot keep the "
                "hold before an earlier time. Choose a later time, or correct the recorded last dose if it was wrong."
            ),
            when=when,
            code="medication_hold",
            details={
                "not_before": to_local(ready.not_before_at, settings.zone).date().isoformat(),
                "not_before_at": ready.not_before_at.isoformat(),
            },
        )
    return ready.not_before_at


# --- one request through the pipeline ----------------------------------------------------------------


@dataclass
class BookingRequest:
    """One chain asked for one patient: what booking, holding and moving check and insert the same way.

    ``referral``: the readiness and medication holds are checked for it by ``readiness`` (the clinic's rules,
    handed in by the caller: ``services.readiness.assess``; None checks none, as for a move of an
    appointment without a referral, or the demo's past); ``moving``: the appointment being moved, whose own
    chain does not count as taken. ``not_before`` is filled in by the checks: the first table start the
    medication holds allow."""

    plan: ProcedurePlan
    candidate: Candidate
    patient_id: int
    referral: Referral | None
    readiness: ReadinessCheck | None
    moving: int | None = None
    allow_past: bool = False
    not_before: dt.datetime | None = None

    def check_ready(self, session: Session, settings: Settings) -> None:
        """Invariants 3, 6 and 8 (readiness, medication holds); raises NotReady or DomainError."""
        if self.referral is not None and self.readiness is not None:
            self.not_before = _require_ready(
                session, settings, self.referral, self.plan, self.candidate, self.readiness
            )

    def check_interval(self, session: Session, settings: Settings) -> None:
        """Steroid injections of one patient a week apart (``steroid``); raises TooSoonForSteroid. A new
        booking or hold has locked the patient's row in ``require_unbooked``; a move locks it here."""
        steroid.require_interval(
            session,
            settings.zone,
            steroid.Planned.of(self.patient_id, self.plan, self.moving),
            self.candidate.table_start,
            locked=self.moving is None,
        )

    def check(self, session: Session, settings: Settings) -> None:
        """The rules, then the resources. Raises NotReady, InvalidInput, DomainError (TooSoonForSteroid
        among them) or SlotTaken."""
        self.check_ready(session, settings)
        self.check_interval(session, settings)
        validate_chain(session, settings, self.plan, self.candidate, allow_past=self.allow_past)
        taken = busy_resources(session, settings, self.candidate, self.patient_id, ignore_appointment_id=self.moving)
        if taken:
            held = own_hold(session, settings, self.referral, self.candidate)
            if held is not None:
                raise HeldAlready(held, settings.zone)
            raise self.conflict(session, settings, taken)

    def _next(self, session: Session, settings: Settings) -> list[Candidate]:
        """The next free chains after this one, offered with a refusal."""
        return next_candidates(
            session,
            settings,
            self.plan,
            self.candidate.table_start,
            self.patient_id,
            not_before=self.not_before,
            ignore_appointment_id=self.moving,
        )

    def raced(self, session: Session, settings: Settings) -> SlotTaken:
        """The refusal when another booking of the same time was being made at the same instant."""
        return SlotTaken(
            N_("The time {when} was being booked by someone else at the same moment: choose again."),
            self._next(session, settings),
            when=fmt_datetime(self.candidate.table_start, settings.zone),
        )

    def conflict(self, session: Session, settings: Settings, taken: list[str]) -> SlotTaken:
        """The refusal for a chain that is taken: what took it, and the next free chains."""
        fresh = self._next(session, settings)
        return SlotTaken(
            N_("The time {when} is no longer free: {taken}."),
            fresh,
            when=fmt_datetime(self.candidate.table_start, settings.zone),
            taken=taken_in_words(taken),
        )

    def insert(self, session: Session, settings: Settings, add: Callable[[], None]) -> None:
        """Run ``add()`` (which adds rows) inside a savepoint; turn an exclusion violation into SlotTaken,
        and a second active appointment for the referral into AlreadyBooked."""
        # Only PostgreSQL can refuse the rows (exclusion constraints) after our check; SQLite holds the write
        # lock, so the savepoint that lets us carry on after a refusal is needed there alone.
        guard = session.begin_nested() if session.get_bind().dialect.name == "postgresql" else nullcontext()
        try:
            with guard:
                add()
                session.flush()
        except OperationalError as error:
            # Two bookings of one resource at the same instant: PostgreSQL's exclusion constraints can make
            # them wait on each other, and the deadlock detector then cancels one (SQLSTATE 40P01). Its rows
            # are gone with the savepoint: for the desk it is a time taken meanwhile, never a server error.
            if getattr(error.orig, "sqlstate", None) != DEADLOCK_DETECTED:
                raise
            raise self.raced(session, settings) from None
        except IntegrityError as error:
            name = constraint_name(error)
            if name == ONE_ACTIVE_PER_REFERRAL and self.referral is not None and self.moving is None:
                # A concurrent booking for the same referral committed first: it is there to read now.
                existing = active_appointment(session, self.referral.id)
                if existing is not None:
                    raise AlreadyBooked(existing, settings.zone) from None
            if name not in CONSTRAINT_RESOURCES:
                raise
            raise self.conflict(session, settings, [CONSTRAINT_RESOURCES[name]]) from None

    def insert_bookings(self, session: Session, **owner) -> None:
        insert_bookings(session, self.candidate, self.patient_id, **owner)


# --- operations -------------------------------------------------------------------------------------


def book(
    session: Session,
    settings: Settings,
    actor,
    *,
    referral: Referral,
    plan: ProcedurePlan,
    candidate: Candidate,
    readiness: ReadinessCheck | None,
    note: str | None = None,
    allow_past: bool = False,
) -> Appointment:
    """Book a chain for a referral. Raises NotReady, InvalidInput, DomainError, AlreadyBooked or SlotTaken.
    ``readiness``: the clinic's readiness rules (``services.appointments.book`` hands them in); None books
    without them (the demo's past)."""
    plan.validate()
    require_unbooked(session, settings, referral)
    request = BookingRequest(plan, candidate, referral.patient_id, referral, readiness, allow_past=allow_past)
    request.check(session, settings)
    appointment = new_appointment(
        plan, candidate, patient_id=referral.patient_id, referral_id=referral.id, actor=actor, note=note
    )

    def add():
        session.add(appointment)
        appointment.record_booked(actor, utcnow())
        session.flush()
        request.insert_bookings(session, appointment_id=appointment.id)

    request.insert(session, settings, add)
    resolve_waitlist(session, referral.id, appointment)
    release_referral_holds(session, referral.id, settings.now())
    return appointment


def release_referral_holds(session: Session, referral_id: int, now: dt.datetime) -> None:
    """Let go at once every time still held for the referral (``Vormerken``), not when it lapses. Booked: walk 26
    booked at another time, the held time stayed blocked and its page still offered "book this time". Held anew
    (``holds.hold``): one live hold a referral, walk 20 kept two times for one patient until both lapsed."""
    release_holds(session, live_holds(session, referral_id, now), now)


def live_holds(session: Session, referral_id: int, now: dt.datetime) -> list[BookingHold]:
    """The referral's holds still keeping their time (at most one: a new hold releases the others)."""
    return list(
        session.scalars(
            select(BookingHold)
            .where(
                BookingHold.referral_id == referral_id,
                BookingHold.released_at.is_(None),
                BookingHold.confirmed_appointment_id.is_(None),
                BookingHold.expires_at > now,
            )
            .order_by(BookingHold.id)
        )
    )


def release_holds(session: Session, held: list[BookingHold], at: dt.datetime) -> None:
    """Release live holds at ``at``: their rows stop blocking the resources. The one place a hold is let go
    before it lapses (``release_referral_holds``, ``holds.release_hold``); lapsed ones: ``release_expired_holds``."""
    if not held:
        return
    session.execute(update(Booking).where(Booking.hold_id.in_([h.id for h in held])).values(active=False))
    for h in held:
        h.released_at = at
    session.flush()


def reschedule(
    session: Session,
    settings: Settings,
    actor,
    appointment: Appointment,
    candidate: Candidate,
    *,
    readiness: ReadinessCheck,
    seen_start: dt.datetime | None = None,
) -> Appointment:
    """Move a booked appointment. The old chain stays held until the new one is in: both happen in
    one savepoint, and a conflict rolls back to the old bookings untouched. The referral's readiness
    (medication holds for the new time) is checked by ``readiness``. ``seen_start``: the time the mover
    saw the appointment at (the screen's page); if it has moved since, the move is refused
    (``MovedMeanwhile``)."""
    if appointment.status != AppointmentStatus.BOOKED:
        raise DomainError(
            N_("Only booked appointments can be moved; this one is {status}."),
            status=Phrase(appointment.status_enum.label, lower=True),
            code="invalid_state",
        )
    if seen_start is not None and seen_start != appointment.table_start:
        raise _moved_meanwhile(session, settings, appointment)
    request = BookingRequest(
        plan_of(appointment), candidate, appointment.patient_id, appointment.referral, readiness, moving=appointment.id
    )
    request.check(session, settings)
    old_when = fmt_datetime(appointment.table_start, settings.zone)

    def move():
        for row in appointment.bookings:
            if row.active:
                row.active = False
        session.flush()
        request.insert_bookings(session, appointment_id=appointment.id)
        session.expire(appointment, ["bookings"])
        for column, value in chain_columns(candidate).items():
            setattr(appointment, column, value)
        appointment.reminder_queued_at = None
        appointment.record_moved(actor, utcnow(), old=old_when, new=fmt_datetime(candidate.table_start, settings.zone))

    request.insert(session, settings, move)
    session.refresh(appointment)
    return appointment


def on_grid_after(instant: dt.datetime, grid_minutes: int) -> dt.datetime:
    """The first time on the ``grid_minutes`` grid at or after ``instant`` (as ``finder._grid_times``)."""
    step = grid_minutes * 60
    return dt.datetime.fromtimestamp(math.ceil(instant.timestamp() / step) * step, dt.UTC)


def _moved_meanwhile(session: Session, settings: Settings, appointment: Appointment) -> MovedMeanwhile:
    last = session.scalar(
        select(AppointmentEvent)
        .where(AppointmentEvent.appointment_id == appointment.id)
        .order_by(AppointmentEvent.at.desc(), AppointmentEvent.id.desc())
        .limit(1)
    )
    when = fmt_datetime(appointment.table_start, settings.zone)
    if last is not None and last.by_user is not None:
        return MovedMeanwhile(
            N_(
                "{who} moved this appointment meanwhile: it is now on {when}. Nothing was changed. Check that "
                "time with the patient; to move it again, choose a new time below."
            ),
            who=last.by_user.full_name,
            when=when,
        )
    return MovedMeanwhile(
        N_(
            "This appointment was moved meanwhile: it is now on {when}. Nothing was changed. Check that time "
            "with the patient; to move it again, choose a new time below."
        ),
        when=when,
    )


# --- the waitlist -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitlistOffer:
    entry: WaitlistEntry
    candidate: Candidate


def waitlist_offers(
    session: Session, settings: Settings, freed: Candidate, *, readiness: ReadinessCheck
) -> list[WaitlistOffer]:
    """Waitlist entries for which a chain inside the freed time is bookable now (ready by ``readiness``)."""
    zone = settings.zone
    day = to_local(freed.table_start, zone).date()
    if freed.table_start < settings.now():
        return []
    hour = to_local(freed.table_start, zone).hour
    entries = session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.active, WaitlistEntry.earliest_date <= day)
        .where((WaitlistEntry.latest_date.is_(None)) | (WaitlistEntry.latest_date >= day))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ).all()
    offers = []
    for entry in entries:
        if entry.part_of_day == PartOfDay.MORNING and hour >= 12:
            continue
        if entry.part_of_day == PartOfDay.AFTERNOON and hour < 12:
            continue
        referral = entry.referral
        try:
            plan = ProcedurePlan.from_referral(referral)
        except DomainError:
            continue
        ready = readiness(session, settings, referral, plan)
        if not ready.ready:
            continue
        request = SearchRequest(
            plan=plan,
            first_day=day,
            last_day=day,
            preferences=Preferences(room_id=freed.room_id),
            patient_id=entry.patient_id,
            not_before=ready.not_before,
            not_before_at=ready.not_before_at,
            limit=50,
        )
        for c in finder.find_candidates(session, settings, request):
            if freed.table_start <= c.table_start < freed.obs_end:
                offers.append(WaitlistOffer(entry, c))
                break
    return offers


def resolve_waitlist(session: Session, referral_id: int, appointment: Appointment) -> None:
    for entry in session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.referral_id == referral_id, WaitlistEntry.active)
    ):
        entry.active = False
        entry.resolved_at = utcnow()
        entry.resolved_appointment_id = appointment.id
