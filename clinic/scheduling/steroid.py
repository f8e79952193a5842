"""Steroid injections of one patient kept apart, and the series a radiologist should see (clinical facts
§2.1 PRT "series / repetition", §2.4 RFA "repeatability").

* Two steroid-giving appointments of one patient lie at least ``MIN_INTERVAL_DAYS`` calendar days apart
  (in the clinic's zone): booking, holding or moving one closer to another is refused (``TooSoonForSteroid``),
  and the finder offers no time on the days in between.
  A hold confirmed after another was booked near it meanwhile is refused too.
* More than ``YEAR_LIMIT`` steroid injections in the 12 months before an appointment, and an RFA within
  ``RFA_REPEAT_MONTHS`` months before another, are warnings for the screens, not refusals: the booking and
  appointment pages (``series_notes``), the triage page before a plan is chosen (``history_notes``).

Which plans give a steroid, from the clinical facts' "drugs typically used": a PRT and an epidural injection
always; a facet block at its therapeutic stage (the diagnostic block is local anaesthetic only); a sympathetic
block never (local anaesthetic, or alcohol at the neurolytic stage); an RFA gives steroid only now and then,
after lesioning, so it is not counted here (its own six-month warning applies).

An appointment counts unless it was cancelled or the patient did not come (no injection was given).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import DomainError
from ..core.messages import N_, Phrase
from ..core.timefmt import fmt_date, local_midnight, to_local
from ..models import Appointment, ProcedureType
from ..models.appointments import ACTIVE_STATUSES
from ..models.vocab import AppointmentStatus, Stage
from .locks import lock_patient
from .plan import ProcedurePlan

MIN_INTERVAL_DAYS = 7
YEAR_LIMIT = 4
YEAR_DAYS = 365
RFA_REPEAT_MONTHS = 6
RFA_REPEAT_DAYS = 183  # six months, counted in days
STEROID_PROCEDURES = frozenset({"PRT", "EPI"})
STEROID_STAGES = {"FACET": frozenset({Stage.THERAPEUTIC.value})}
RFA = "RFA"
NOT_GIVEN = (AppointmentStatus.CANCELLED.value, AppointmentStatus.NO_SHOW.value)
GAP = dt.timedelta(days=MIN_INTERVAL_DAYS - 1)  # the days kept free on either side of a steroid injection


def gives_steroid(code: str, stage: str | None) -> bool:
    """Whether a procedure (catalogue code) at this stage gives the patient a steroid."""
    return code in STEROID_PROCEDURES or stage in STEROID_STAGES.get(code, ())


@dataclass(frozen=True)
class Planned:
    """An appointment as these rules judge it: the patient's, a procedure (catalogue code) at a stage, and
    the appointment itself once it exists (``ignore_appointment_id``: the one being moved or shown, left out
    of the patient's others). The time is handed beside it: a table start for the interval and the series,
    the first day offered for the interval notes."""

    patient_id: int
    code: str
    stage: str | None = None
    ignore_appointment_id: int | None = None

    @classmethod
    def of(cls, patient_id: int, plan: ProcedurePlan, ignore_appointment_id: int | None = None) -> Planned:
        return cls(patient_id, plan.procedure_type.code, plan.stage, ignore_appointment_id)

    @classmethod
    def of_appointment(cls, appointment: Appointment) -> Planned:
        return cls(appointment.patient_id, appointment.procedure_type.code, appointment.stage, appointment.id)

    @property
    def steroid(self) -> bool:
        """Whether it gives the patient a steroid (``gives_steroid``)."""
        return gives_steroid(self.code, self.stage)


@dataclass(frozen=True)
class Given:
    """One appointment of the patient that counts: when, and what it gives."""

    appointment_id: int
    reference: str
    day: dt.date  # the local day of the table start
    steroid: bool
    rfa: bool


def patient_appointments(
    session: Session, zone: str, patient_id: int, since: dt.date, *, ignore_appointment_id: int | None = None
) -> list[Given]:
    """The patient's appointments from ``since`` (a local day) on that were not cancelled or missed, and that
    give a steroid or are an RFA, in time order."""
    rows = session.execute(
        select(Appointment.id, Appointment.reference, Appointment.table_start, Appointment.stage, ProcedureType.code)
        .join(ProcedureType, ProcedureType.id == Appointment.procedure_type_id)
        .where(
            Appointment.patient_id == patient_id,
            Appointment.status.not_in(NOT_GIVEN),
            Appointment.table_start >= local_midnight(since, zone),
        )
        .order_by(Appointment.table_start, Appointment.id)
    ).all()
    found = []
    for appointment_id, reference, table_start, stage, code in rows:
        if appointment_id == ignore_appointment_id:
            continue
        steroid, rfa = gives_steroid(code, stage), code == RFA
        if steroid or rfa:
            found.append(Given(appointment_id, reference, to_local(table_start, zone).date(), steroid, rfa))
    return found


def too_close(day: dt.date, other: dt.date) -> bool:
    return abs((day - other).days) < MIN_INTERVAL_DAYS


@dataclass(frozen=True)
class History:
    """The patient's appointments that count (``Given``, in time order) from ``since`` (a local day in
    ``zone``) on, ``planned``'s own appointment left out. Read once (``read_history``) and handed to the
    finder's blocked days and the booking page's notes, which otherwise read it each. Empty, without a read,
    for a plan that neither gives a steroid nor is an RFA: nothing here looks at it then."""

    planned: Planned
    zone: str
    since: dt.date
    given: tuple[Given, ...] = ()

    def from_day(self, day: dt.date) -> list[Given]:
        """Those on ``day`` or later; ``day`` must not lie before the history starts."""
        if day < self.since:
            raise ValueError(f"the history starts on {self.since}, not on {day}")
        return [given for given in self.given if given.day >= day]

    def steroids_from(self, day: dt.date) -> list[Given]:
        return [given for given in self.from_day(day) if given.steroid]


def read_history(session: Session, zone: str, planned: Planned, since: dt.date) -> History:
    """``planned``'s patient's appointments that count from ``since`` on (one statement, none when the plan
    neither gives a steroid nor is an RFA)."""
    if not (planned.steroid or planned.code == RFA):
        return History(planned, zone, since)
    found = patient_appointments(
        session, zone, planned.patient_id, since, ignore_appointment_id=planned.ignore_appointment_id
    )
    return History(planned, zone, since, tuple(found))


def blocked_days(history: History, first: dt.date) -> frozenset[dt.date]:
    """The local days from ``first`` on on which a steroid-giving appointment of the patient cannot lie."""
    days = set()
    for given in history.steroids_from(first - GAP):
        for offset in range(-GAP.days, GAP.days + 1):
            days.add(given.day + dt.timedelta(days=offset))
    return frozenset(days)


def earliest_day(day: dt.date, others: list[Given]) -> dt.date:
    """The first day at or after ``day`` at least the interval away from every one of ``others``."""
    while (clash := next((given for given in others if too_close(day, given.day)), None)) is not None:
        day = clash.day + dt.timedelta(days=MIN_INTERVAL_DAYS)
    return day


class TooSoonForSteroid(DomainError):
    """A steroid-giving appointment less than a week from another of the same patient (422, as a medication
    hold's refusal): nothing is booked, and the refusal names the days kept free around the other injection
    (``details.earliest_day``: the first day from the one asked for that may be)."""

    code = "steroid_interval"

    def __init__(self, other: Given, earliest: dt.date):
        super().__init__(
            # The days around the other injection, not "the earliest day": days before it may be free too,
            # and the times the page lists beside the refusal must not contradict it.
            N_(
                "This patient has another steroid injection on {other} (reference {reference}). Steroid "
                "injections are kept at least {days} days apart: no day from {first} to {last} is possible."
            ),
            other=fmt_date(other.day),
            reference=other.reference,
            days=MIN_INTERVAL_DAYS,
            first=fmt_date(other.day - GAP),
            last=fmt_date(other.day + GAP),
            details={
                "other_appointment": other.reference,
                "other_day": other.day.isoformat(),
                "earliest_day": earliest.isoformat(),
                "min_interval_days": MIN_INTERVAL_DAYS,
            },
        )
        self.other = other
        self.earliest = earliest


def require_interval(
    session: Session, zone: str, planned: Planned, table_start: dt.datetime, *, locked: bool = False
) -> None:
    """Refuse a steroid-giving appointment at ``table_start`` less than the interval from another of the
    patient's (``planned.ignore_appointment_id``: the appointment being moved). ``locked``: the caller has
    locked the patient's row in this transaction already (``booking.require_unbooked``)."""
    if not planned.steroid:
        return
    # No constraint can hold a rule across rows: two desks booking the same patient at once would both find
    # the other's injection not there yet. The patient's row is locked until the transaction ends, so the
    # second check waits for the first booking and reads it (PostgreSQL; SQLite's write lock does the same).
    if not locked:
        lock_patient(session, planned.patient_id)
    day = to_local(table_start, zone).date()
    others = read_history(session, zone, planned, day - GAP).steroids_from(day - GAP)
    clash = next((given for given in others if too_close(day, given.day)), None)
    if clash is not None:
        raise TooSoonForSteroid(clash, earliest_day(day, others))


def series_notes(history: History, table_start: dt.datetime, *, booked: bool = False) -> list[Phrase]:
    """What a radiologist should know of the patient's earlier injections before ``history.planned`` at
    ``table_start`` (warnings, not refusals): more than ``YEAR_LIMIT`` steroid injections in the 12 months
    before it, counting this one; an RFA within ``RFA_REPEAT_MONTHS`` months before another RFA. ``booked``:
    said of an appointment that is booked ("this is"), not of a time being chosen ("this would be"). The
    history must reach back 12 months before ``table_start``."""
    planned = history.planned
    day = to_local(table_start, history.zone).date()
    earlier = [given for given in history.from_day(day - dt.timedelta(days=YEAR_DAYS)) if given.day <= day]
    notes = []
    if planned.steroid:
        count = 1 + sum(given.steroid for given in earlier)
        if count > YEAR_LIMIT:
            notes.append(
                Phrase(
                    N_(
                        "This is the patient's steroid injection number {count} within 12 months (more than "
                        "{limit} a year is not advised): a radiologist decides whether it is still right."
                    )
                    if booked
                    else N_(
                        "This would be the patient's steroid injection number {count} within 12 months (more "
                        "than {limit} a year is not advised): a radiologist decides whether it is still right."
                    ),
                    count=count,
                    limit=YEAR_LIMIT,
                )
            )
    if planned.code == RFA:
        rfa_since = day - dt.timedelta(days=RFA_REPEAT_DAYS)
        last = next((given for given in reversed(earlier) if given.rfa and given.day >= rfa_since), None)
        if last is not None:
            notes.append(
                Phrase(
                    N_(
                        "The patient had a radiofrequency ablation on {day} (reference {reference}), less than "
                        "{months} months before this one: a radiologist decides whether to repeat it so soon."
                    ),
                    day=fmt_date(last.day),
                    reference=last.reference,
                    months=RFA_REPEAT_MONTHS,
                )
            )
    return notes


def interval_notes(history: History, since: dt.date) -> list[Phrase]:
    """Why the finder offers no time on some days (the booking screen says it above the times): the
    patient's steroid injections from a week before ``since`` on, each with the days kept free around it."""
    if not history.planned.steroid:
        return []
    return [
        Phrase(
            N_(
                "The patient has a steroid injection on {day} (reference {reference}): no times are offered from "
                "{first} to {last}, steroid injections are kept at least {days} days apart."
            ),
            day=fmt_date(given.day),
            reference=given.reference,
            first=fmt_date(max(given.day - GAP, since)),
            last=fmt_date(given.day + GAP),
            days=MIN_INTERVAL_DAYS,
        )
        for given in history.steroids_from(since - GAP)
    ]


def appointment_notes(session: Session, zone: str, appointment: Appointment) -> list[Phrase]:
    """``series_notes`` for an appointment still to be done (its page shows them); none once it is over."""
    if appointment.status not in ACTIVE_STATUSES:
        return []
    planned = Planned.of_appointment(appointment)
    since = to_local(appointment.table_start, zone).date() - dt.timedelta(days=YEAR_DAYS)
    return series_notes(read_history(session, zone, planned, since), appointment.table_start, booked=True)


def history_notes(
    session: Session, zone: str, patient_id: int, today: dt.date, *, own: Appointment | None = None
) -> list[Phrase]:
    """What the triage page says of the patient's injections: ``YEAR_LIMIT`` or more steroid injections in the
    12 months up to today and booked ahead (a further one would be above the limit), and an RFA within the
    last ``RFA_REPEAT_MONTHS`` months or booked ahead. ``own``: the referral's active appointment, if it has
    one: it is the injection the page is about, counted once (walk finding: it was counted among the others,
    and "a further one" then read as one more beside it); above the limit with it, the note names it."""
    found = patient_appointments(
        session, zone, patient_id, today - dt.timedelta(days=YEAR_DAYS), ignore_appointment_id=own and own.id
    )
    steroids = [given for given in found if given.steroid]
    notes = []
    if own is not None and gives_steroid(own.procedure_type.code, own.stage):
        count = len(steroids) + 1
        if count > YEAR_LIMIT:
            notes.append(
                Phrase(
                    N_(
                        "With this referral's appointment on {day} (reference {reference}), the patient has had or "
                        "is booked for {count} steroid injections within 12 months (more than {limit} a year is not "
                        "advised): a radiologist decides whether this one is still right."
                    ),
                    day=fmt_date(to_local(own.table_start, zone).date()),
                    reference=own.reference,
                    count=count,
                    limit=YEAR_LIMIT,
                )
            )
    elif len(steroids) >= YEAR_LIMIT:
        notes.append(
            Phrase(
                N_(
                    "The patient has had or is booked for {count} steroid injections within 12 months (the last "
                    "on {day}): a further one would be more than {limit} a year."
                ),
                count=len(steroids),
                day=fmt_date(steroids[-1].day),
                limit=YEAR_LIMIT,
            )
        )
    rfa_since = today - dt.timedelta(days=RFA_REPEAT_DAYS)
    rfas = [given for given in found if given.rfa and given.day >= rfa_since]
    if rfas:
        notes.append(
            Phrase(
                N_(
                    "The patient has had or is booked for a radiofrequency ablation on {day}: another within "
                    "{months} months of it is a repeat to decide on."
                ),
                day=fmt_date(rfas[-1].day),
                months=RFA_REPEAT_MONTHS,
            )
        )
    return notes
