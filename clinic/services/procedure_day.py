"""The procedure day as a state machine: check-in → consent → procedure → observation → discharge.

Transitions only go forward (DESIGN.md §3): the appointment checks each against its transition table
and records it as an AppointmentEvent with who and when (``Appointment.check_in`` and the rest); this
module keeps the rules of the day around them. Starting a procedure needs a signed consent for the
version that was printed (invariant 7); discharge needs the discharge checklist.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import asdict, dataclass, replace

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, DomainError, InvalidInput, PermissionDenied, invalid
from ..core.holds import drug_list
from ..core.intervals import overlap_clause
from ..core.messages import N_, Phrase, Phrases
from ..core.timefmt import fmt_time, to_local
from ..core.vitals import DIASTOLIC_POSSIBLE, PULSE_POSSIBLE, SYSTOLIC_POSSIBLE
from ..models import (
    Appointment,
    Booking,
    Consent,
    CriticalRelease,
    FollowUp,
    ObservationBed,
    ObservationCheck,
    ObservationRecord,
    PreRegistration,
    ProcedureRecord,
    User,
)
from ..models.base import utcnow
from ..models.clinical import GAP_NO_MOTOR, GAP_NO_MOTOR_ARM, GAP_NO_VITALS, GAP_OBSERVED
from ..models.vocab import AppointmentStatus, FollowUpKind, FollowUpStatus, Region, Role
from ..scheduling.booking import constraint_name
from . import episodes, implants, medication, settings

# A stay that has run past its planned end still needs its bed for a while when it moves.
MOVED_STAY_MINIMUM = dt.timedelta(minutes=15)

EXTENSION_FLAGGED_BEYOND = 60  # minutes in all; every extension needs a reason
EXTENSION_REASON_MIN_LETTERS = 3  # "-" or "15" is no reason
EXTENSION_NEEDS_REASON = N_("A longer stay needs a reason, in words (e.g. “leg still numb”).")
# A clock on the ward may run a little ahead of the server's: times typed this far ahead are accepted.
CLOCK_SLACK = dt.timedelta(minutes=5)


def check_in(session: Session, actor, appointment: Appointment, *, zone: str, at: dt.datetime | None = None) -> None:
    at = at or utcnow()
    if to_local(at, zone).date() < to_local(appointment.table_start, zone).date():
        raise DomainError(N_("Check-in opens on the day of the appointment."), code="too_early")
    if appointment.status == AppointmentStatus.CHECKED_IN:  # a second scan, a second tab: say when it was
        checked_in = appointment.last_change_to(AppointmentStatus.CHECKED_IN)
        if checked_in is not None:
            raise DomainError(
                N_("Already checked in at {time}."), time=fmt_time(checked_in, zone), code="invalid_state"
            )
    appointment.check_in(actor, at)
    session.flush()


def latest_consent(session: Session, appointment: Appointment) -> Consent | None:
    return session.scalar(
        select(Consent).where(Consent.appointment_id == appointment.id).order_by(Consent.id.desc()).limit(1)
    )


def signed_consent(session: Session, appointment: Appointment) -> Consent | None:
    return session.scalar(
        select(Consent)
        .where(Consent.appointment_id == appointment.id, Consent.signed_at.is_not(None))
        .order_by(Consent.signed_at.desc())
        .limit(1)
    )


def record_consent(
    session: Session,
    actor,
    appointment: Appointment,
    *,
    taken_by_id: int,
    explained_by_id: int,
    explained_at: dt.datetime,
    signed_at: dt.datetime | None = None,
    consent_id: int | None = None,
    zone: str,
) -> Consent:
    """Record that the patient signed the printed form: who took the consent and when, and apart from
    it the oral explanation (§630e BGB): which physician explained and when, before the signature. The
    form is the one printed last (or the one named), so the record keeps its text version and PDF hash."""
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW, AppointmentStatus.DISCHARGED):
        raise DomainError(N_("Consent cannot be recorded for an appointment that has ended."), code="invalid_state")
    physician = session.get(User, taken_by_id)
    if physician is None or not physician.active or not physician.has_role(Role.RADIOLOGIST):
        raise InvalidInput(N_("The consent is taken by an active radiologist."), details={"field": "taken_by_id"})
    explainer = session.get(User, explained_by_id) if explained_by_id else None
    if explainer is None or not explainer.active or not explainer.has_role(Role.RADIOLOGIST):
        raise InvalidInput(
            N_("The information talk is given by a physician: choose the radiologist who explained the procedure."),
            details={"field": "explained_by_id"},
        )
    now = utcnow()
    signed_at = signed_at or now
    if signed_at > now + CLOCK_SLACK:
        raise InvalidInput(
            N_("The signature cannot lie in the future: give the date and time the patient signed."),
            details={"field": "signed_at"},
        )
    if explained_at is not None and explained_at > now + CLOCK_SLACK:
        raise invalid(
            N_("The information talk cannot lie in the future: give the date and time the procedure was explained."),
            "explained_at",
        )
    if explained_at is None or explained_at > signed_at:
        raise InvalidInput(
            N_("The information talk comes before the signature: give its date and time, no later than the signing."),
            details={"field": "explained_at"},
        )
    consent = session.get(Consent, consent_id) if consent_id else latest_consent(session, appointment)
    if consent is None or consent.appointment_id != appointment.id:
        raise DomainError(
            N_("Print the consent form first: the signature belongs to a printed version."), code="consent_not_printed"
        )
    if signed_at < consent.printed_at - CLOCK_SLACK:
        raise InvalidInput(
            N_("The patient signs the printed form, so the signature cannot come before it was printed ({printed})."),
            printed=f"{to_local(consent.printed_at, zone):%d.%m.%Y %H:%M}",
            details={"field": "signed_at"},
        )
    if consent.signed_at is not None:
        raise DomainError(N_("This consent form is already recorded as signed."), code="invalid_state")
    who = audit.actor_of(actor)
    consent.signed_at = signed_at
    consent.taken_by_id = taken_by_id
    consent.explained_by_id = explainer.id
    consent.explained_at = explained_at
    consent.recorded_by_id = who.id
    consent.recorded_at = utcnow()
    session.flush()
    return consent


def medication_problem(session: Session, appointment: Appointment, at: dt.datetime, zone: str) -> DomainError | None:
    """The refusal when the medication holds do not allow this procedure to start now, or None (invariant 6 at the
    table): every hold met by a recorded last dose, and the plan settled (rules signed off, or this
    patient's plan confirmed by a radiologist), unless a radiologist overrode the hold with a reason. A recorded
    last dose too late is said first: a radiologist cannot confirm the plan over it (``confirm_plan``), so "not
    confirmed yet" would send them to a refusal (a new last dose makes an earlier confirmation lapse)."""
    referral = appointment.referral
    prereg = referral.preregistration if referral is not None else None
    if prereg is None or not prereg.medications:
        return None
    plan = medication.plan_for(session, prereg, appointment.procedure_type, appointment.region)
    # An override decides the drugs without a rule only; a hold with hours is met by its recorded last dose
    # whatever the override says (walk 27).
    unmet = [i for i in plan.items if i.holds and not i.satisfied_for(at, zone)]
    too_late = [i for i in unmet if i.last_dose_on is not None]
    if too_late:  # recorded, and too late: recording it is not what is missing, nor confirming (refused then)
        return DomainError(
            N_(
                "The procedure cannot start: the recorded last dose of {drugs} is too late for the hold. "
                "Correct the date if it was wrong, or move the appointment."
            ),
            drugs=drug_list(too_late),
            code="medication_hold",
        )
    names = drug_list([i for i in plan.to_confirm if not plan.overridden(i)])
    if names:
        return DomainError(
            N_(
                "The procedure cannot start: the medication plan ({names}) is not confirmed yet. A radiologist "
                "confirms it after speaking with the patient, or overrides the hold with a reason."
            ),
            names=names,
            code="medication_hold",
        )
    if not plan.satisfied_for(at, zone):
        return DomainError(
            N_(
                "The procedure cannot start: the medication hold is not met ({unmet}): record the last dose, or a "
                "radiologist overrides the hold with a reason."
            ),
            unmet=drug_list(unmet) or Phrase(N_("no decision")),
            code="medication_hold",
        )
    return None


def start_procedure(
    session: Session, actor, appointment: Appointment, *, zone: str, at: dt.datetime | None = None
) -> ProcedureRecord:
    """Invariant 7: no procedure without a signed consent for the printed version."""
    appointment.refuse_unless(AppointmentStatus.IN_PROCEDURE)
    if signed_consent(session, appointment) is None:
        raise DomainError(
            N_("The procedure cannot start: no signed consent is recorded for this appointment."), code="no_consent"
        )
    if appointment.referral is not None and implants.mr_check_missing(appointment.referral, appointment.guidance):
        # Walk 22: an implant recorded after the MRI appointment was booked stopped new bookings only.
        raise DomainError(
            N_(
                "The procedure cannot start: {reason}. Until then the MRI-guided procedure waits (or is planned "
                "under CT guidance)."
            ),
            code="implant_unchecked",
            reason=implants.unchecked_implant(appointment.referral, appointment.guidance),
        )
    at = at or utcnow()
    problem = medication_problem(session, appointment, at, zone)
    if problem is not None:
        raise problem
    appointment.start(actor, at)
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    if record is None:
        who = audit.actor_of(actor)
        record = ProcedureRecord(
            appointment_id=appointment.id,
            started_at=at,
            levels=appointment.levels,
            side=appointment.side,
            guidance=appointment.guidance,
            created_by_id=who.id,
        )
        session.add(record)
    session.flush()
    return record


def end_procedure(
    session: Session, actor, appointment: Appointment, *, at: dt.datetime | None = None
) -> ObservationRecord:
    at = at or utcnow()
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    appointment.end_procedure(actor, at)
    if record is not None and record.ended_at is None:
        record.ended_at = at
    observation = ObservationRecord(
        appointment_id=appointment.id,
        bed_id=appointment.bed_id,
        started_at=at,
        planned_end=at + dt.timedelta(minutes=appointment.observation_minutes),
    )
    session.add(observation)
    session.flush()
    return observation


def observation_of(session: Session, appointment: Appointment) -> ObservationRecord | None:
    return session.scalar(select(ObservationRecord).where(ObservationRecord.appointment_id == appointment.id))


@dataclass(frozen=True)
class CheckValues:
    """One observation check as the nurse writes it down; None where nothing was measured."""

    systolic: int | None = None
    diastolic: int | None = None
    pulse: int | None = None
    pain_score: int | None = None
    motor_normal: bool | None = None
    sensory_normal: bool | None = None
    note: str | None = None

    @property
    def empty(self) -> bool:
        values = (getattr(self, name) for name in self.__dataclass_fields__)
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def record_check(session: Session, actor, appointment: Appointment, values: CheckValues) -> ObservationCheck:
    """A check of a patient in observation; a check with nothing in it is refused (it would look like a
    check on the board and in the record)."""
    record = observation_of(session, appointment)
    if record is None or record.discharged_at is not None:
        raise DomainError(N_("This patient is not in observation."), code="invalid_state")
    if values.empty:
        # About the check as a whole, not its systolic field (walk finding: "RR systolisch: Geben Sie
        # mindestens einen Wert ein."): the board says it once, at the card.
        raise InvalidInput(N_("Enter at least one value."))
    for name, label, (low, high) in POSSIBLE:
        value = getattr(values, name)
        if value is not None and not low <= value <= high:
            # 900 or 5: a typing error, no value a living patient has (the form says so first)
            raise InvalidInput(
                N_("{label} {value} is not possible: enter a value from {low} to {high}."),
                details={"field": name},
                label=Phrase(label),
                value=value,
                low=low,
                high=high,
            )
    if values.systolic is not None and values.diastolic is not None and values.systolic <= values.diastolic:
        # 80/120 was saved: the two values swapped, or one mistyped; either way no pressure a patient has
        raise InvalidInput(
            N_(
                "The systolic pressure ({systolic}) must be higher than the diastolic ({diastolic}): check whether "
                "the two were swapped."
            ),
            details={"field": "systolic"},
            systolic=values.systolic,
            diastolic=values.diastolic,
        )
    cleaned = replace(values, note=(values.note or "").strip() or None)
    check = ObservationCheck(**asdict(cleaned), by_user_id=audit.actor_of(actor).id)
    record.checks.append(check)
    if record.critical_blocks:
        # "Circulation stable" ticked before this reading no longer holds (walk finding: ticked, and the
        # patient sent home with 60/30 and a pulse of 190); ticked again after a normal check.
        record.stable = False
    session.flush()
    return check


POSSIBLE = (
    ("systolic", N_("BP systolic"), SYSTOLIC_POSSIBLE),
    ("diastolic", N_("BP diastolic"), DIASTOLIC_POSSIBLE),
    ("pulse", N_("Pulse"), PULSE_POSSIBLE),
)


def critical_problem(observation: ObservationRecord, refused: str) -> DomainError | None:
    """The refusal (``refused``: what cannot be done) while the latest vitals are critical and no physician's
    release covers them (``release_critical``), or None."""
    if not observation.critical_blocks:
        return None
    vitals = observation.vitals
    return DomainError(
        refused,
        values=vitals.shown,
        reasons=vitals.reasons,
        code="critical_vitals",
        details={"reasons": list(vitals.reasons.parts)},
    )


def extend_observation(session: Session, actor, appointment: Appointment, minutes: int, reason: str | None) -> None:
    """Every longer stay needs its reason in words (walk finding: 15 minutes with no reason were saved; the
    README: "longer stays with a reason"); beyond 60 minutes in all it is flagged. The reasons of several
    extensions are kept one after the other."""
    observation = observation_of(session, appointment)
    if observation is None or appointment.status != AppointmentStatus.IN_OBSERVATION:
        raise DomainError(N_("Only a patient in observation can stay longer."), code="invalid_state")
    if minutes <= 0 or minutes > 120:
        raise InvalidInput(N_("Extend by 1 to 120 minutes at a time."), details={"field": "minutes"})
    total = observation.extension_minutes + minutes
    reason = (reason or "").strip()
    if sum(ch.isalpha() for ch in reason) < EXTENSION_REASON_MIN_LETTERS:
        raise InvalidInput(EXTENSION_NEEDS_REASON, details={"field": "reason"})
    if total > 240:
        raise InvalidInput(
            N_("Observation can be extended by at most 4 hours; arrange admission instead."),
            details={"field": "minutes"},
        )
    observation.extension_minutes = total
    before = observation.extension_reason
    observation.extension_reason = f"{before}; {reason}" if before and reason != before else reason
    observation.flagged = total > EXTENSION_FLAGGED_BEYOND
    observation.planned_end = observation.planned_end + dt.timedelta(minutes=minutes)
    session.flush()


def _stay(observation: ObservationRecord, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The time a patient still needs a bed: from now (or the arrival, if later) to the planned end."""
    start = max(at, observation.started_at)
    return start, max(observation.planned_end, start + MOVED_STAY_MINIMUM)


def beds_taken_by_others(session: Session, appointment: Appointment) -> set[int]:
    """Beds another patient is lying on now: a stay that runs past its booking still takes its bed."""
    return set(
        session.scalars(
            select(ObservationRecord.bed_id)
            .join(Appointment, Appointment.id == ObservationRecord.appointment_id)
            .where(
                Appointment.status == AppointmentStatus.IN_OBSERVATION,
                Appointment.id != appointment.id,
                ObservationRecord.bed_id.is_not(None),
            )
        )
    )


@dataclass(frozen=True)
class ObservationPlaces:
    """Who lies where in observation now: ``by_bed`` the patient on each bed (bed id → appointment),
    ``without_bed`` those in observation without a bed of their own, earliest arrival first."""

    by_bed: dict[int, Appointment]
    without_bed: list[Appointment]

    def has_own_bed(self, appointment: Appointment) -> bool:
        return appointment not in self.without_bed


def observation_places(session: Session) -> ObservationPlaces:
    """The one rule for where patients in observation are (the nurse's board and the radiologist's page
    say the same): earliest arrival first, a patient lying on a bed keeps it; one who arrives while their
    booked bed is still taken, or who has no bed, is in observation without a bed of their own."""
    patients = session.scalars(
        select(Appointment)
        .where(Appointment.status == AppointmentStatus.IN_OBSERVATION)
        .order_by(Appointment.status_changed_at, Appointment.id)
    ).all()
    by_bed: dict[int, Appointment] = {}
    without_bed: list[Appointment] = []
    for appointment in patients:
        record = observation_of(session, appointment)
        bed_id = record.bed_id if record and record.bed_id else appointment.bed_id
        if bed_id is None or bed_id in by_bed:
            without_bed.append(appointment)
        else:
            by_bed[bed_id] = appointment
    return ObservationPlaces(by_bed, without_bed)


def planned_bed(session: Session, appointment: Appointment) -> ObservationBed | None:
    """The bed the booking reserved (or its last move to another time): a move to another bed during the
    stay changes ``appointment.bed``, so the plan is read from the bookings. A booking's rows are inserted
    together, room first and bed last (``insert_bookings``); a bed moved to later comes after them."""
    rows = appointment.bookings  # ordered by id
    last_room = max((row.id for row in rows if row.room_id is not None), default=None)
    booked = [row for row in rows if row.bed_id is not None and (last_room is None or row.id > last_room)]
    if not booked:
        return appointment.bed
    return session.get(ObservationBed, booked[0].bed_id)


@dataclass(frozen=True)
class ActualStay:
    """Where and when the patient actually lay in observation: the bed they lie on (None: in observation
    without a bed of their own), since when, and until when (None while they are still there)."""

    bed: ObservationBed | None
    started: dt.datetime
    ended: dt.datetime | None


def actual_stay(session: Session, appointment: Appointment) -> ActualStay | None:
    """The stay as it happened, once the patient came to observation (None before)."""
    record = observation_of(session, appointment)
    if record is None:
        return None
    bed = record.bed
    if appointment.status == AppointmentStatus.IN_OBSERVATION and not observation_places(session).has_own_bed(
        appointment
    ):
        bed = None  # the booked bed is still taken: the nurse's board has the patient without a bed
    return ActualStay(bed=bed, started=record.started_at, ended=record.discharged_at)


def critical_releases(session: Session, appointment: Appointment) -> list[CriticalRelease]:
    """Every physician's release of the appointment's critical observation values, the first first."""
    record = observation_of(session, appointment)
    return list(record.critical_releases) if record is not None else []


def free_beds(session: Session, appointment: Appointment, at: dt.datetime) -> list[ObservationBed]:
    """Beds free for this patient's remaining stay: nobody on them, and no active booking of another
    appointment or hold overlapping it (half-open ranges, as the exclusion constraint counts them)."""
    observation = observation_of(session, appointment)
    if observation is None:
        return []
    start, end = _stay(observation, at)
    booked = set(
        session.scalars(
            select(Booking.bed_id).where(
                Booking.active,
                Booking.bed_id.is_not(None),
                overlap_clause(Booking.starts_at, Booking.ends_at, start, end),
                Booking.appointment_id.is_distinct_from(appointment.id),
            )
        )
    )
    taken = booked | beds_taken_by_others(session, appointment)
    beds = session.scalars(select(ObservationBed).where(ObservationBed.active).order_by(ObservationBed.sort_order))
    return [bed for bed in beds if bed.id not in taken]


def move_to_bed(session: Session, actor, appointment: Appointment, bed_id: int, *, at: dt.datetime, zone: str) -> None:
    """Move a patient in observation to another bed: the bed booking moves with the same guards as
    booking (no overlap with another active bed booking; on PostgreSQL the exclusion constraint is the
    last guard), and the bed must have nobody on it."""
    observation = observation_of(session, appointment)
    if observation is None or appointment.status != AppointmentStatus.IN_OBSERVATION:
        raise DomainError(N_("Only a patient in observation can move to another bed."), code="invalid_state")
    bed = session.get(ObservationBed, bed_id) if bed_id else None
    if bed is None or not bed.active:
        raise InvalidInput(N_("Choose a bed of the observation area."), details={"field": "bed_id"})
    start, end = _stay(observation, at)
    if bed.id not in {b.id for b in free_beds(session, appointment, at)}:
        raise Conflict(
            N_("{bed} is not free for this stay (until {until}): choose another bed."),
            bed=bed.label,
            until=fmt_time(end, zone),
            details={"field": "bed_id"},
        )
    old_label = observation.bed.label if observation.bed else None
    session.execute(
        update(Booking)
        .where(Booking.appointment_id == appointment.id, Booking.bed_id.is_not(None), Booking.active)
        .values(active=False)
    )
    guard = session.begin_nested() if session.get_bind().dialect.name == "postgresql" else nullcontext()
    try:
        with guard:
            session.add(Booking(appointment_id=appointment.id, bed_id=bed.id, starts_at=start, ends_at=end))
            session.flush()
    except IntegrityError as error:
        if constraint_name(error) != "ex_bookings_bed_overlap":
            raise
        raise Conflict(N_("{bed} was taken meanwhile: choose another bed."), bed=bed.label) from None
    appointment.bed = bed
    observation.bed = bed
    audit.record(
        session,
        "observation.bed_moved",
        "appointments",
        appointment.id,
        summary={"from": old_label, "to": bed.label},
        patient_id=appointment.patient_id,
        actor=actor,
    )
    session.flush()


# Corticosteroids raise a diabetic's blood glucose for a day or more (clinical facts file, ESI-GLU).
STEROID_NAMES = ("triamcinolon", "dexamethason", "methylprednisolon", "betamethason", "prednisolon")


@dataclass(frozen=True)
class BedsideFacts:
    """What the nurse needs at the bed, from the pre-registration and the procedure record."""

    allergies: Phrases  # the marked labels (and any other allergy as typed): a screen shows them in its language
    diabetes: bool
    steroid_given: bool
    escort_name: str | None
    escort_phone: str | None

    @property
    def glucose_check(self) -> bool:
        return self.diabetes and self.steroid_given


def bedside_facts(session: Session, appointment: Appointment) -> BedsideFacts:
    prereg = (
        session.scalar(select(PreRegistration).where(PreRegistration.referral_id == appointment.referral_id))
        if appointment.referral_id
        else None
    )
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    steroid = record is not None and any(
        any(name in drug.drug_option.name.lower() for name in STEROID_NAMES) for drug in record.drugs
    )
    return BedsideFacts(
        allergies=Phrases(prereg.allergies if prereg else [], ", "),
        diabetes=bool(prereg and prereg.diabetes),
        steroid_given=steroid,
        escort_name=prereg.escort_name if prereg else None,
        escort_phone=prereg.escort_phone if prereg else None,
    )


STABLE_REFUSED = N_(
    "“Circulation stable” cannot be ticked: the last check is critical ({values}: {reasons}). Inform a "
    "physician; record a new check once the values are back in range."
)
DISCHARGE_REFUSED = N_(
    "No discharge: the last check is critical ({values}: {reasons}). Inform a physician; the patient can go "
    "home once a new check is back in range, or once a physician has released these values with a reason."
)

RELEASE_REASON_LENGTH = 500
RELEASED_TWICE = "uq_critical_releases_observation_id_check_id"  # two physicians released the same check at once
RELEASED_TWICE_COLUMNS = "critical_releases.observation_id, critical_releases.check_id"


def release_critical(
    session: Session, actor, appointment: Appointment, reason: str | None, *, seen_check_id: int | None = None
) -> ObservationRecord:
    """A physician (a radiologist) lets the patient go home with the critical values standing now, giving the
    reason (the patient's pressure is as high as it always is, a known slow pulse). Nurses cannot: the
    values keep the patient until a physician has seen them (``DISCHARGE_REFUSED``). The release covers the
    checks recorded so far; a later check that is critical itself needs a physician again. The circulation is
    then ticked stable by the nurse as usual. ``seen_check_id``: the last check the physician saw (the board's
    form sends it); a check recorded since is refused, to be looked at first (walk 26: a release given on a page
    showing 120/80 covered the 230/130 a nurse had saved meanwhile)."""
    if actor is None or not actor.has_role(Role.RADIOLOGIST):
        raise PermissionDenied(N_("Only a physician releases critical values."))
    observation = observation_of(session, appointment)
    if observation is None or observation.discharged_at is not None:
        raise DomainError(N_("There is no open observation for this appointment."), code="invalid_state")
    if not observation.vitals.critical:
        raise DomainError(N_("The last check is not critical: there is nothing to release."), code="invalid_state")
    if observation.critical_released:
        raise DomainError(N_("These values are released already."), code="invalid_state")
    latest = max(check.id for check in observation.checks)
    if seen_check_id is not None and seen_check_id != latest:
        raise Conflict(
            N_("A check was recorded since the page was shown, now {values}: look at it and release again."),
            code="changed_meanwhile",
            values=observation.vitals.shown,
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(
            N_("Give the reason the patient may go home with these values."), details={"field": "reason"}
        )
    if len(reason) > RELEASE_REASON_LENGTH:
        raise InvalidInput(
            N_("The reason is too long ({limit} characters at most)."),
            details={"field": "reason"},
            limit=RELEASE_REASON_LENGTH,
        )
    at, who, values = utcnow(), audit.actor_of(actor), observation.vitals.shown
    # Each release is kept (walk 27: a second release overwrote the first physician's reason); the
    # observation's columns name the latest, which covers the checks up to ``latest``.
    guard = session.begin_nested() if session.get_bind().dialect.name == "postgresql" else nullcontext()
    try:
        with guard:
            release = CriticalRelease(check_id=latest, released_at=at, released_by_id=who.id, reason=reason)
            observation.critical_releases.append(release)
            session.flush()
    except IntegrityError as error:
        # PostgreSQL names the constraint, SQLite its columns.
        if constraint_name(error) != RELEASED_TWICE and RELEASED_TWICE_COLUMNS not in str(error.orig):
            raise
        raise Conflict(N_("These values are released already."), code="changed_meanwhile") from None
    observation.critical_released_at = at
    observation.critical_released_by_id = who.id
    observation.critical_release_reason = reason
    observation.critical_released_check_id = latest
    # In words, with the reason (walk 27: the trail said only "Observation changed", the reason "changed").
    audit.record(
        session,
        "observation.critical_released",
        "appointments",
        appointment.id,
        summary={"values": values, "reason": reason},
        patient_id=appointment.patient_id,
        actor=actor,
    )
    session.flush()
    return observation


DISCHARGE_ITEMS = {
    "stable": Phrase(N_("Circulation stable")),
    "can_walk": Phrase(N_("Can walk safely")),
    "escort_present": Phrase(N_("Escort present")),
    "instructions_given": Phrase(N_("Aftercare instructions given")),
}


def set_discharge_checklist(session: Session, appointment: Appointment, **items: bool) -> ObservationRecord:
    observation = observation_of(session, appointment)
    if observation is None or observation.discharged_at is not None:
        raise DomainError(N_("There is no open observation for this appointment."), code="invalid_state")
    for key in items:
        if key not in DISCHARGE_ITEMS:
            raise InvalidInput(N_("Unknown checklist item {key}."), key=key)
    if items.get("stable"):
        problem = critical_problem(observation, STABLE_REFUSED)
        if problem is not None:
            raise problem
    for key, value in items.items():
        setattr(observation, key, bool(value))
    session.flush()
    return observation


# The checks a procedure needs before the patient goes home (clinical facts file, §2 and §3): blood pressure
# and pulse after every procedure (SYMP: BP before standing); the legs' motor function where local
# anaesthetic can reach the nerve roots (numb or weak leg: PRT, epidural, RFA).
MOTOR_CHECK_PROCEDURES = frozenset({"PRT", "EPI", "RFA"})
# The strength the motor check tests: the arms' after a cervical level, whose roots supply the arm
# (procedures.md §2.1 PRT: "The leg or arm may be numb or weak for some hours"), the legs' otherwise.
MOTOR_LABEL_ARM = N_("Motor (arm strength)")
MOTOR_LABEL_LEG = N_("Motor (leg strength)")


def arm_strength(appointment: Appointment) -> bool:
    """Whether the motor check of this appointment is the arms' (a cervical level), not the legs'."""
    return appointment.region == Region.CERVICAL


def motor_label(appointment: Appointment) -> Phrase | None:
    """The board's label of the motor check for this appointment: which strength to test; None for a
    procedure without a motor check (the board keeps its plain label)."""
    if appointment.procedure_type.code not in MOTOR_CHECK_PROCEDURES:
        return None
    return Phrase(MOTOR_LABEL_ARM if arm_strength(appointment) else MOTOR_LABEL_LEG)


# The strength found reduced at the last check that looked at it (motor block from local anaesthetic: the patient
# walks only with help until it resolves, clinical facts file §2.1 and §3). Stored in English as the other gaps.
GAP_MOTOR_REDUCED = N_("strength (motor) reduced at the last check")
MOTOR_REFUSED = N_(
    "No discharge: the last check of the strength (motor) found it reduced. The patient stays until a new check "
    "finds it normal, or a physician discharges with a reason."
)


def reduced_motor(observation: ObservationRecord) -> ObservationCheck | None:
    """The check that found the strength reduced, while it is the last check that looked at the strength (a
    later check that left it empty does not hide it: walk 27, "vermindert" at 09:50, "—" at 09:51), or None."""
    looked = [check for check in observation.checks if check.motor_normal is not None]
    return looked[-1] if looked and looked[-1].motor_normal is False else None


def discharge_gaps(session: Session, appointment: Appointment, at: dt.datetime) -> list[Phrase]:
    """What a discharge now would skip: observation time still planned, checks the procedure needs."""
    observation = observation_of(session, appointment)
    if observation is None:
        return []
    gaps = []
    if at < observation.planned_end:
        stayed = max(0, int((at - observation.started_at).total_seconds() // 60))
        planned = int((observation.planned_end - observation.started_at).total_seconds() // 60)
        gaps.append(Phrase(GAP_OBSERVED, stayed=stayed, planned=planned))
    checks = observation.checks
    if not any(c.systolic is not None and c.pulse is not None for c in checks):
        gaps.append(Phrase(GAP_NO_VITALS))
    if appointment.procedure_type.code in MOTOR_CHECK_PROCEDURES and not any(
        c.motor_normal is not None for c in checks
    ):
        gaps.append(Phrase(GAP_NO_MOTOR_ARM if arm_strength(appointment) else GAP_NO_MOTOR))
    if reduced_motor(observation) is not None:
        gaps.append(Phrase(GAP_MOTOR_REDUCED))
    return gaps


def discharge(
    session: Session,
    actor,
    appointment: Appointment,
    *,
    at: dt.datetime | None = None,
    reason: str | None = None,
    seen_check_id: int | None = None,
) -> None:
    """Discharge when the checklist is complete. Before the planned end, or without the checks the
    procedure needs, a radiologist or nurse gives a reason; the discharge is then flagged and keeps what
    was missing. While the last check of the strength found it reduced, only a physician (a radiologist)
    discharges, with a reason, and flagged (``MOTOR_REFUSED``); ``seen_check_id``: the last check the physician
    saw (the board's form sends it): a check recorded since is refused, to be looked at first (walk 26)."""
    observation = observation_of(session, appointment)
    if observation is None:
        raise DomainError(N_("The patient has not been in observation."), code="invalid_state")
    if observation.discharged_at is None:
        # Before the checklist and before any reason for an early discharge: no reason sends a patient home
        # with a critical reading.
        problem = critical_problem(observation, DISCHARGE_REFUSED)
        if problem is not None:
            raise problem
        if reduced_motor(observation) is not None:
            # Walk 27: weak legs after local anaesthetic, sent home 2 minutes after an RFA with "wants to go home".
            # A nurse's reason is not enough; a physician's is (a gap below: reason required, flagged).
            if actor is None or not actor.has_role(Role.RADIOLOGIST):
                raise DomainError(MOTOR_REFUSED, code="motor_reduced")
            latest = observation.checks[-1].id
            if seen_check_id is not None and seen_check_id != latest:
                raise Conflict(
                    N_("A check was recorded since the page was shown: look at it and discharge again."),
                    code="changed_meanwhile",
                )
    missing = [label for key, label in DISCHARGE_ITEMS.items() if not getattr(observation, key)]
    if missing:
        raise DomainError(
            N_("Discharge needs: {missing}."),
            missing=Phrases(missing, ", "),
            code="discharge_incomplete",
            details={"missing": missing},
        )
    at = at or utcnow()
    gaps = discharge_gaps(session, appointment, at) if appointment.status == AppointmentStatus.IN_OBSERVATION else []
    reason = (reason or "").strip() or None
    if gaps:
        if reason is None:
            raise DomainError(
                N_("Discharge now needs a reason: {gaps}."),
                gaps=Phrases(gaps),
                code="discharge_early",
                details={"gaps": gaps, "field": "reason"},
            )
        if actor is None or not (actor.has_role(Role.RADIOLOGIST) or actor.has_role(Role.NURSE)):
            raise PermissionDenied(N_("Only a radiologist or a nurse discharges early or without the checks."))
    appointment.discharge(actor, at)
    who = audit.actor_of(actor)
    observation.discharged_at = at
    observation.discharged_by_id = who.id
    if gaps:
        observation.discharge_flagged = True
        observation.discharge_gaps = "; ".join(gaps)
        observation.discharge_reason = reason
        audit.record(
            session,
            "observation.discharged_with_gaps",
            "appointments",
            appointment.id,
            summary={"gaps": gaps, "reason": reason},
            patient_id=appointment.patient_id,
            actor=actor,
        )
    schedule_follow_ups(session, appointment, at)
    episodes.after_discharge(session, actor, appointment)
    session.flush()


def flagged_discharges(
    session: Session, since: dt.datetime, until: dt.datetime
) -> list[tuple[Appointment, ObservationRecord]]:
    """The discharges between ``since`` and ``until`` that were flagged (early, or without the needed checks),
    latest first: the board lists the day's, so they are seen there, not only in the audit trail (walk 27)."""
    rows = session.execute(
        select(Appointment, ObservationRecord)
        .join(ObservationRecord, ObservationRecord.appointment_id == Appointment.id)
        .where(
            ObservationRecord.discharge_flagged,
            ObservationRecord.discharged_at >= since,
            ObservationRecord.discharged_at < until,
        )
        .order_by(ObservationRecord.discharged_at.desc(), ObservationRecord.id.desc())
    ).all()
    return [(appointment, record) for appointment, record in rows]


def schedule_follow_ups(session: Session, appointment: Appointment, at: dt.datetime) -> list[FollowUp]:
    days = [int(d) for d in settings.get(session, "follow_up_days").split(",")]
    plan = list(zip((FollowUpKind.TWO_WEEKS, FollowUpKind.THREE_MONTHS), days, strict=False))
    if episodes.leads_to_a_later_stage(session, appointment.procedure_type_id, appointment.stage):
        # A diagnostic stage's relief shows within hours: its result can be recorded on the day.
        plan.insert(0, (FollowUpKind.SAME_DAY, 0))
    created = []
    for kind, after in plan:
        exists = session.scalar(
            select(FollowUp.id).where(FollowUp.appointment_id == appointment.id, FollowUp.kind == kind)
        )
        if exists is None:
            follow_up = FollowUp(
                appointment_id=appointment.id,
                kind=kind,
                due_on=at.date() + dt.timedelta(days=after),
                status=FollowUpStatus.PENDING,
            )
            session.add(follow_up)
            created.append(follow_up)
    return created
