"""The procedure record: what was done. Signed by the radiologist; after that only addenda."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ..core import audit
from ..core.errors import DomainError, InvalidInput, PermissionDenied, invalid
from ..core.messages import N_, Phrase, Phrases
from ..core.spine import outside
from ..core.timefmt import fmt_date, fmt_time, to_local
from ..models import Appointment, DrugOption, ProcedureAddendum, ProcedureDrug, ProcedureRecord
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus, Modality, Region, Role, Side
from .procedure_day import CLOCK_SLACK


@dataclass(frozen=True)
class RecordDetails:
    started_at: dt.datetime
    ended_at: dt.datetime | None
    levels: str | None
    side: str | None
    approach: str | None
    guidance: str | None
    dlp_mgycm: Decimal | None
    complications: str | None
    pain_before: int | None
    pain_after: int | None
    note: str | None
    drugs: list[tuple[int, Decimal]] = field(default_factory=list)  # (drug option id, dose)


def _checked_in_at(appointment: Appointment) -> dt.datetime | None:
    """When the patient was checked in for this appointment (the last such status change), or None."""
    times = [e.at for e in appointment.events if e.to_status == AppointmentStatus.CHECKED_IN]
    return max(times) if times else None


def time_problem(
    appointment: Appointment, started_at: dt.datetime, ended_at: dt.datetime | None, zone: str
) -> InvalidInput | None:
    """The refusal of a start or end the procedure cannot have had, at the field it names, or None: the one
    rule for the times of a record, when it is saved (``update``) and again when it is signed (``sign``).

    Both lie on the appointment's day in the clinic's zone (a date typed wrongly, a day early or a week
    late, was saved and signed, and the signed record shows only the times); neither lies in the future
    (the clock, with the ward's slack); the start is not before the patient was checked in (to the minute,
    as the form types it); the end is not before the start."""
    day = to_local(appointment.table_start, zone).date()
    now = utcnow()
    if to_local(started_at, zone).date() != day:
        return invalid(N_("The start must be on the day of the appointment ({day})."), "started_at", day=fmt_date(day))
    if started_at > now + CLOCK_SLACK:
        return invalid(
            N_("The start cannot lie in the future (it is {now} now): give the time the procedure began."),
            "started_at",
            now=fmt_time(now, zone),
        )
    checked_in = _checked_in_at(appointment)
    if checked_in is not None and started_at < checked_in.replace(second=0, microsecond=0):
        return invalid(
            N_("The start cannot come before the patient was checked in ({time})."),
            "started_at",
            time=fmt_time(checked_in, zone),
        )
    if ended_at is None:
        return None
    if to_local(ended_at, zone).date() != day:
        return invalid(N_("The end must be on the day of the appointment ({day})."), "ended_at", day=fmt_date(day))
    if ended_at < started_at:
        return invalid(N_("The end lies before the start."), "ended_at")
    if ended_at > now + CLOCK_SLACK:
        return invalid(
            N_(
                "The end cannot lie in the future (it is {now} now): give the time the procedure ended, "
                "or leave it empty until then."
            ),
            "ended_at",
            now=fmt_time(now, zone),
        )
    return None


def update(session: Session, actor, record: ProcedureRecord, details: RecordDetails, *, zone: str) -> ProcedureRecord:
    """Save what the radiologist wrote; ``zone`` is the clinic's, whose day the start and end lie on."""
    if record.is_signed:
        raise DomainError(N_("The record is signed: add an addendum instead."), code="record_signed")
    appointment = session.get(Appointment, record.appointment_id)
    if appointment is not None:
        problem = time_problem(appointment, details.started_at, details.ended_at, zone)
        if problem is not None:
            raise problem
        wrong = outside(details.levels, appointment.region)
        if wrong:  # a level of another part of the spine: a slip of the pen, or the wrong level treated
            raise invalid(
                N_("{levels} does not lie in this appointment's region ({region}): check the level(s)."),
                "levels",
                levels=", ".join(wrong),
                region=Phrase(Region(appointment.region).label),
            )
    problems = []
    for name in ("pain_before", "pain_after"):
        value = getattr(details, name)
        if value is not None and not 0 <= value <= 10:
            problems.append(N_("pain scores run from 0 to 10"))
    if details.side is not None and details.side not in Side.values():
        problems.append(N_("unknown side"))
    if details.guidance is not None and details.guidance not in Modality.values():
        problems.append(N_("unknown guidance"))
    if details.dlp_mgycm is not None and details.dlp_mgycm < 0:
        problems.append(N_("the dose-length product cannot be negative"))
    options = {d.id: d for d in session.scalars(select(DrugOption))}
    given: set[int] = set()
    for option_id, dose in details.drugs:
        if option_id not in options:
            problems.append(N_("unknown drug"))
        elif option_id in given:  # one row per drug, with the whole dose (walk finding F-11)
            problems.append(
                Phrase(N_("{name} is listed twice: give the whole dose in one row"), name=options[option_id].name)
            )
        elif dose is None or dose <= 0:
            problems.append(Phrase(N_("give a dose above zero for {name}"), name=options[option_id].name))
        given.add(option_id)
    if problems:
        raise InvalidInput(
            N_("The record is not valid: {problems}."), problems=Phrases(dict.fromkeys(problems)), details=problems
        )
    for name in (
        "started_at",
        "ended_at",
        "levels",
        "side",
        "approach",
        "guidance",
        "dlp_mgycm",
        "complications",
        "pain_before",
        "pain_after",
        "note",
    ):
        value = getattr(details, name)
        setattr(record, name, value.strip() or None if isinstance(value, str) else value)
    record.drugs.clear()
    session.flush()
    for option_id, dose in details.drugs:
        record.drugs.append(ProcedureDrug(drug_option_id=option_id, dose=dose, unit=options[option_id].unit))
    session.flush()
    return record


def unsigned_gaps(record: ProcedureRecord) -> list[str]:
    """What a signed record may not lack: the drugs given, and for a diagnostic stage the pain before and
    after (they decide whether the next stage may follow, invariant 8)."""
    gaps = []
    if not record.drugs:
        gaps.append(N_("the drugs given"))
    appointment = object_session(record).get(Appointment, record.appointment_id)
    stage = appointment.stage if appointment is not None else None
    if stage == "diagnostic" and (record.pain_before is None or record.pain_after is None):
        gaps.append(N_("the pain before and after (a diagnostic block is judged by them)"))
    return gaps


def sign(session: Session, actor, record: ProcedureRecord, *, zone: str) -> None:
    """The radiologist signs the record as it is stored. Its times are checked again by the rule ``update``
    applies (``time_problem``, in the clinic's ``zone``): a record saved before the rule, or whose times no
    longer fit (the check-in recorded later, the appointment moved to another day), is not signed."""
    if record.is_signed:
        raise DomainError(N_("Already signed."), code="record_signed")
    if actor is None or not actor.has_role(Role.RADIOLOGIST):
        raise PermissionDenied(N_("Only a radiologist signs the procedure record."))
    if record.ended_at is None:
        raise DomainError(N_("Enter the end time before signing."), code="record_incomplete")
    appointment = session.get(Appointment, record.appointment_id)
    if appointment is not None:
        problem = time_problem(appointment, record.started_at, record.ended_at, zone)
        if problem is not None:
            raise problem
    missing = unsigned_gaps(record)
    if missing:
        raise DomainError(
            N_("Before signing, record {missing}."), missing=Phrases(missing, N_(" and ")), code="record_incomplete"
        )
    record.signed_by_id = actor.id
    record.signed_at = utcnow()
    audit.record(session, "procedure_record.signed", "procedure_records", record.id, actor=actor)
    session.flush()


def add_addendum(session: Session, actor, record: ProcedureRecord, text: str) -> ProcedureAddendum:
    if not record.is_signed:
        raise DomainError(N_("The record is not signed yet: edit it directly."), code="record_unsigned")
    if not (text or "").strip():
        raise InvalidInput(N_("The addendum is empty."))
    addendum = ProcedureAddendum(record_id=record.id, text=text.strip(), author_id=audit.actor_of(actor).id)
    session.add(addendum)
    session.flush()
    return addendum
