"""Booked appointments that a change to the clinic's setup would leave outside its availability.

A proposed change (a session template, roster entry or exception, closure, a room, bed or account
switched off, a radiologist's qualifications) is applied inside a SAVEPOINT and flushed; every future
booked appointment is then checked against the changed setup with the same ``Calendar`` that the
booking checks use, and the savepoint is rolled back. Only appointments that fitted before the change
and no longer fit after it are reported.

Nothing here moves or cancels a booking. The admin sees the list and confirms (or not); the front
desk reschedules. The front desk's screens ask ``still_stranded``: it checks only the appointments that
confirmed changes named (their audit events), so a busy screen does not scan every future booking.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..core import audit
from ..core.errors import DomainError
from ..core.intervals import contains, normalise
from ..core.messages import N_, Phrase, Phrases
from ..core.timefmt import to_local
from ..models import Appointment, AuditEvent
from ..models.vocab import AppointmentStatus, Role
from ..scheduling.availability import BedInfo, Calendar, RoomInfo
from ..scheduling.context import Settings

T = TypeVar("T")

# A checked-in patient may still be moved; later states are already in the room or on a bed.
PENDING_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
# The audit event of a change saved although it strands appointments; its summary names them.
STRANDED_EVENT = "setup.appointments_stranded"


@dataclass(frozen=True)
class Stranded:
    """A booked appointment that no longer fits, and why."""

    appointment_id: int
    reference: str
    status: str
    patient_name: str
    procedure_code: str
    table_start: dt.datetime
    obs_end: dt.datetime
    room_name: str
    radiologist_name: str
    bed_label: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ChangeOutcome(Generic[T]):
    """What ``apply_change`` did: saved or not, the appointments it strands, the service's result."""

    saved: bool
    stranded: list[Stranded]
    result: T | None = None

    @property
    def needs_confirmation(self) -> bool:
        return not self.saved

    @property
    def stranded_ids(self) -> list[int]:
        return [s.appointment_id for s in self.stranded]


def upcoming(session: Session, now: dt.datetime, ids: Iterable[int] | None = None) -> list[Appointment]:
    """Booked or checked-in appointments whose table time has not begun (only those of ``ids``, if given)."""
    stmt = select(Appointment).where(Appointment.status.in_(PENDING_STATUSES), Appointment.table_start >= now)
    if ids is not None:
        stmt = stmt.where(Appointment.id.in_(sorted(ids)))
    return list(
        session.scalars(
            stmt.order_by(Appointment.table_start, Appointment.id).options(
                selectinload(Appointment.patient),
                selectinload(Appointment.procedure_type),
                selectinload(Appointment.room),
                selectinload(Appointment.radiologist),
                selectinload(Appointment.bed),
            )
        )
    )


def _resource_problems(appointment: Appointment) -> list[str]:
    problems = []
    room = appointment.room
    if not room.active:
        problems.append(Phrase(N_("room {name} is no longer in use"), name=room.name))
    elif room.modality != appointment.guidance:
        sentence = (  # read as letters: "an MRI room"
            N_("{name} is an {modality} room; the procedure is {guidance}-guided")
            if room.modality[:1] in "AEFHILMNORSX"
            else N_("{name} is a {modality} room; the procedure is {guidance}-guided")
        )
        modality, guidance = Phrase(room.modality), Phrase(appointment.guidance)  # MRI: MRT on German screens
        problems.append(Phrase(sentence, name=room.name, modality=modality, guidance=guidance))
    radiologist = appointment.radiologist
    procedure = appointment.procedure_type.named
    if not radiologist.active:
        problems.append(Phrase(N_("{full_name}'s account is deactivated"), full_name=radiologist.full_name))
    elif not radiologist.has_role(Role.RADIOLOGIST):
        problems.append(Phrase(N_("{full_name} no longer has the radiologist role"), full_name=radiologist.full_name))
    elif not radiologist.is_qualified_for(appointment.procedure_type_id):
        problems.append(
            Phrase(
                N_("{full_name} is no longer qualified for {procedure}"),
                full_name=radiologist.full_name,
                procedure=procedure,
            )
        )
    if appointment.bed is not None and not appointment.bed.active:
        problems.append(Phrase(N_("{label} is no longer in use"), label=appointment.bed.label))
    return problems


def _calendar_problems(calendar: Calendar, appointment: Appointment, zone: str) -> list[str]:
    """Invariant 4 and 5 as ``booking.validate_chain`` checks them, on the appointment's own times."""
    problems = []
    day = to_local(appointment.table_start, zone).date()
    room = appointment.room
    room_info = RoomInfo(room.id, room.name, room.modality, room.unit)
    if not contains(calendar.room_open(room_info, day), appointment.table_start, appointment.table_end):
        problems.append(Phrase(N_("{name} is not open then: outside its sessions, or closed"), name=room.name))
    if not contains(
        calendar.radiologist_on_duty(appointment.radiologist_id, day), appointment.table_start, appointment.table_end
    ):
        problems.append(Phrase(N_("{full_name} is not on duty then"), full_name=appointment.radiologist.full_name))
    bed = appointment.bed
    if bed is not None and appointment.obs_end > appointment.table_end:
        info = BedInfo(bed.id, bed.label, bed.unit)
        open_ = normalise(calendar.bed_open(info, day) + calendar.bed_open(info, day + dt.timedelta(days=1)))
        if not any(s <= appointment.table_end and appointment.obs_end <= e for s, e in open_):
            problems.append(Phrase(N_("the observation unit {unit} is closed then"), unit=bed.unit))
    return problems


def _stranded(appointment: Appointment, reasons: list[str]) -> Stranded:
    return Stranded(
        appointment_id=appointment.id,
        reference=appointment.reference,
        status=appointment.status,
        patient_name=appointment.patient.display_name,
        procedure_code=appointment.procedure_type.code,
        table_start=appointment.table_start,
        obs_end=appointment.obs_end,
        room_name=appointment.room.name,
        radiologist_name=appointment.radiologist.full_name,
        bed_label=appointment.bed.label if appointment.bed else None,
        reasons=tuple(reasons),
    )


def find_stranded(session: Session, settings: Settings) -> list[Stranded]:
    """Every future booked appointment that does not fit the clinic's setup as it is in ``session``."""
    return _check(session, settings, upcoming(session, settings.now()))


def named_by_changes(session: Session) -> set[int]:
    """The appointments that setup changes saved "anyway" left outside the clinic's availability, as
    ``apply_change`` recorded them. Such changes are rare, so this stays a short read however many
    appointments are booked."""
    named: set[int] = set()
    for summary in session.scalars(select(AuditEvent.summary).where(AuditEvent.action == STRANDED_EVENT)):
        try:
            named.update(int(i) for i in json.loads(summary or "{}").get("appointments", []))
        except (ValueError, TypeError, AttributeError):
            continue  # a summary written by hand: nothing to read from it
    return named


def still_stranded(session: Session, settings: Settings, among: Iterable[int] | None = None) -> list[Stranded]:
    """The appointments named by confirmed setup changes (``named_by_changes``) that are still booked
    and still do not fit: moved, cancelled or fitting again, they drop out. ``among`` narrows the check
    to those appointments (a page that shows only some). One statement when nothing was stranded."""
    named = named_by_changes(session)
    if among is not None:
        named &= set(among)
    if not named:
        return []
    return _check(session, settings, upcoming(session, settings.now(), named))


def refuse_letter_if_stranded(session: Session, settings: Settings, appointment: Appointment) -> None:
    """A letter confirms the time to the patient: refused for an appointment a setup change left outside
    the clinic's availability (``still_stranded``). Walk finding: with CT 1 closed on the day, the page said
    the appointment no longer fits, and the letter and the print pack still confirmed 08:00 in CT 1."""
    _refuse_if_stranded(
        session,
        settings,
        appointment,
        N_(
            "This appointment no longer fits the clinic's setup ({reasons}): move it first; the letter then "
            "gives the new time. Nothing was printed."
        ),
    )


def refuse_consent_if_stranded(session: Session, settings: Settings, appointment: Appointment) -> None:
    """The consent form names the appointment's time and is recorded as printed for it: refused as the
    letter is (walk finding: printed alone, it was not checked, and recorded a form for a time that cannot
    take place)."""
    _refuse_if_stranded(
        session,
        settings,
        appointment,
        N_(
            "This appointment no longer fits the clinic's setup ({reasons}): move it first, then print the "
            "consent form for the new time. Nothing was printed."
        ),
    )


def _refuse_if_stranded(session: Session, settings: Settings, appointment: Appointment, sentence: str) -> None:
    found = still_stranded(session, settings, among=[appointment.id])
    if found:
        raise DomainError(sentence, code="stranded", reasons=Phrases(found[0].reasons))


def _check(session: Session, settings: Settings, appointments: list[Appointment]) -> list[Stranded]:
    """Those of ``appointments`` that do not fit the clinic's setup, with the reasons."""
    if not appointments:
        return []
    zone = settings.zone
    first = to_local(appointments[0].table_start, zone).date()
    last = max(to_local(a.obs_end, zone).date() for a in appointments) + dt.timedelta(days=1)
    calendar = Calendar(session, settings, first, last)
    found = []
    for appointment in appointments:
        reasons = _resource_problems(appointment) + _calendar_problems(calendar, appointment, zone)
        if reasons:
            found.append(_stranded(appointment, reasons))
    return found


def preview(session: Session, settings: Settings, change: Callable[[], object]) -> list[Stranded]:
    """The appointments that ``change`` would strand. The change is rolled back; nothing is saved.

    ``change`` must make its changes through the session (it runs again when the change is saved);
    a ``DomainError`` it raises passes through, after the rollback."""
    session.flush()
    before = {s.appointment_id for s in find_stranded(session, settings)}
    nested = session.begin_nested()
    try:
        change()
        session.flush()
        after = find_stranded(session, settings)
    finally:
        nested.rollback()
    return [s for s in after if s.appointment_id not in before]


def apply_change(
    session: Session, settings: Settings, change: Callable[[], T], *, confirmed: Iterable[int] = ()
) -> ChangeOutcome[T]:
    """Save ``change`` unless it strands appointments that the admin has not confirmed.

    ``confirmed`` are the ids the admin was shown and accepted. If the change would now strand any
    other appointment (one booked in the meantime), nothing is saved and the new list is returned.
    """
    stranded = preview(session, settings, change)
    if not {s.appointment_id for s in stranded} <= set(confirmed):
        return ChangeOutcome(saved=False, stranded=stranded)
    result = change()
    session.flush()
    if stranded:
        audit.record(
            session,
            STRANDED_EVENT,
            "appointments",
            summary={"appointments": [s.appointment_id for s in stranded]},
        )
    return ChangeOutcome(saved=True, stranded=stranded, result=result)


def parse_ids(text: str | None) -> set[int]:
    """The ids of a confirmation ("12,15,40"); anything that is not a number is ignored."""
    return {int(part) for part in (text or "").split(",") if part.strip().isdigit()}
