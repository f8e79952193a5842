"""When rooms, radiologists and beds can work, and when they are already taken.

Everything is loaded for a range of days in a handful of queries and then answered in memory, so the
finder's cost depends on the window it looks at, never on the years of history behind it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import (
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    Time,
    cast,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from ..models import (
    Booking,
    Closure,
    ObservationBed,
    Room,
    RoomSession,
    RosterEntry,
    RosterException,
    User,
    UserRole,
)
from ..models.base import UTCDateTime
from ..models.users import radiologist_qualifications
from ..models.vocab import ClosureScope, Role
from ..timefmt import day_bounds, local_instant
from .context import MAX_BOOKING_SPAN, Settings
from .intervals import Interval, normalise, subtract


@dataclass(frozen=True)
class RoomInfo:
    id: int
    name: str
    modality: str
    unit: str


@dataclass(frozen=True)
class RadiologistInfo:
    id: int
    name: str


@dataclass(frozen=True)
class BedInfo:
    id: int
    label: str
    unit: str


def rooms_for(session: Session, modality: str, room_id: int | None = None) -> list[RoomInfo]:
    stmt = select(Room.id, Room.name, Room.modality, Room.unit).where(Room.active, Room.modality == modality)
    if room_id is not None:
        stmt = stmt.where(Room.id == room_id)
    return [RoomInfo(*row) for row in session.execute(stmt.order_by(Room.sort_order, Room.id))]


def radiologists_for(
    session: Session, procedure_type_id: int, radiologist_id: int | None = None
) -> list[RadiologistInfo]:
    """Active radiologists qualified for the procedure."""
    stmt = (
        select(User.id, User.full_name)
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.RADIOLOGIST))
        .join(radiologist_qualifications, radiologist_qualifications.c.user_id == User.id)
        .where(User.active, radiologist_qualifications.c.procedure_type_id == procedure_type_id)
    )
    if radiologist_id is not None:
        stmt = stmt.where(User.id == radiologist_id)
    return [RadiologistInfo(*row) for row in session.execute(stmt.order_by(User.id))]


@dataclass(frozen=True)
class ChainResources:
    room: RoomInfo | None
    room_active: bool
    radiologist: RadiologistInfo | None
    radiologist_active: bool  # an active account holding the radiologist role
    qualified: bool
    bed: BedInfo | None
    bed_active: bool


def chain_resources(
    session: Session, room_id: int, radiologist_id: int, bed_id: int | None, procedure_type_id: int
) -> ChainResources:
    """Everything the check of one chain needs to know about its resources, in one statement."""
    is_radiologist = (
        select(UserRole.user_id).where(UserRole.user_id == radiologist_id, UserRole.role == Role.RADIOLOGIST).exists()
    )
    is_qualified = (
        select(radiologist_qualifications.c.user_id)
        .where(
            radiologist_qualifications.c.user_id == radiologist_id,
            radiologist_qualifications.c.procedure_type_id == procedure_type_id,
        )
        .exists()
    )
    # One row whatever exists: left joins from a constant, each resource joined on its own id.
    anchor = select(literal(1).label("one")).subquery()
    row = session.execute(
        select(
            Room.id,
            Room.name,
            Room.modality,
            Room.unit,
            Room.active,
            User.id,
            User.full_name,
            User.active,
            ObservationBed.id,
            ObservationBed.label,
            ObservationBed.unit,
            ObservationBed.active,
            is_radiologist,
            is_qualified,
        )
        .select_from(anchor)
        .outerjoin(Room, Room.id == room_id)
        .outerjoin(User, User.id == radiologist_id)
        .outerjoin(ObservationBed, ObservationBed.id == bed_id)
    ).one()
    (
        r_id,
        r_name,
        r_modality,
        r_unit,
        r_active,
        u_id,
        u_name,
        u_active,
        b_id,
        b_label,
        b_unit,
        b_active,
        radiologist_role,
        qualified,
    ) = row
    return ChainResources(
        room=RoomInfo(r_id, r_name, r_modality, r_unit) if r_id is not None else None,
        room_active=bool(r_active),
        radiologist=RadiologistInfo(u_id, u_name) if u_id is not None else None,
        radiologist_active=bool(u_active) and bool(radiologist_role),
        qualified=bool(qualified),
        bed=BedInfo(b_id, b_label, b_unit) if b_id is not None else None,
        bed_active=bool(b_active),
    )


def beds(session: Session) -> list[BedInfo]:
    stmt = select(ObservationBed.id, ObservationBed.label, ObservationBed.unit).where(ObservationBed.active)
    return [BedInfo(*row) for row in session.execute(stmt.order_by(ObservationBed.sort_order, ObservationBed.id))]


def _valid_on(valid_from: dt.date, valid_to: dt.date | None, day: dt.date) -> bool:
    return valid_from <= day and (valid_to is None or day <= valid_to)


@dataclass(frozen=True)
class ClosureRow:
    scope: str
    room_id: int | None
    unit: str | None
    radiologist_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime


# The columns of the calendar's one query; each part fills its own and leaves the rest NULL.
CALENDAR_COLUMNS = {
    "kind": String(),
    "owner": Integer(),  # room (session, closure) or radiologist (roster, exception)
    "weekday": Integer(),
    "start_time": Time(),
    "end_time": Time(),
    "day_from": Date(),  # valid from (session, roster) or the exception's date
    "day_to": Date(),
    "label": String(),  # the exception's kind or the closure's scope
    "unit": String(),
    "other": Integer(),  # the closure's radiologist
    "starts_at": UTCDateTime(),
    "ends_at": UTCDateTime(),
}


def _calendar_part(kind: str, **columns) -> Select:
    """One part of the union: the given columns, typed NULLs for the others, in the same order."""
    values = [literal(kind, String()).label("kind")]
    for name, type_ in list(CALENDAR_COLUMNS.items())[1:]:
        values.append((columns[name] if name in columns else cast(null(), type_)).label(name))
    return select(*values)


def _calendar_rows(
    first_day: dt.date,
    last_day: dt.date,
    range_start: dt.datetime,
    range_end: dt.datetime,
    room_ids: list[int] | None,
    radiologist_ids: list[int] | None,
) -> CompoundSelect:
    """Session templates, rosters, roster exceptions and closures of the days, in one statement (one
    round trip instead of four: the booking check and every chunk of the finder read them)."""
    sessions = _calendar_part(
        "session",
        owner=RoomSession.room_id,
        weekday=RoomSession.weekday,
        start_time=RoomSession.start_time,
        end_time=RoomSession.end_time,
        day_from=RoomSession.valid_from,
        day_to=RoomSession.valid_to,
    ).where(
        RoomSession.valid_from <= last_day,
        or_(RoomSession.valid_to.is_(None), RoomSession.valid_to >= first_day),
        RoomSession.room_id.in_(room_ids) if room_ids is not None else true(),
    )
    roster = _calendar_part(
        "roster",
        owner=RosterEntry.radiologist_id,
        weekday=RosterEntry.weekday,
        start_time=RosterEntry.start_time,
        end_time=RosterEntry.end_time,
        day_from=RosterEntry.valid_from,
        day_to=RosterEntry.valid_to,
    ).where(
        RosterEntry.valid_from <= last_day,
        or_(RosterEntry.valid_to.is_(None), RosterEntry.valid_to >= first_day),
        RosterEntry.radiologist_id.in_(radiologist_ids) if radiologist_ids is not None else true(),
    )
    exceptions = _calendar_part(
        "exception",
        owner=RosterException.radiologist_id,
        start_time=RosterException.start_time,
        end_time=RosterException.end_time,
        day_from=RosterException.on_date,
        label=RosterException.kind,
    ).where(
        RosterException.on_date >= first_day,
        RosterException.on_date <= last_day,
        RosterException.radiologist_id.in_(radiologist_ids) if radiologist_ids is not None else true(),
    )
    closures = _calendar_part(
        "closure",
        owner=Closure.room_id,
        label=Closure.scope,
        unit=Closure.unit,
        other=Closure.radiologist_id,
        starts_at=Closure.starts_at,
        ends_at=Closure.ends_at,
    ).where(Closure.starts_at < range_end, Closure.ends_at > range_start)
    return union_all(sessions, roster, exceptions, closures)


class Calendar:
    """Session templates, rosters, roster exceptions and closures for a range of local days."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        first_day: dt.date,
        last_day: dt.date,
        *,
        room_ids: list[int] | None = None,
        radiologist_ids: list[int] | None = None,
    ):
        """All rooms and radiologists, or only those named (checking one chain needs no more)."""
        self.zone = settings.zone
        self.first_day = first_day
        self.last_day = last_day
        range_start, _ = day_bounds(first_day, self.zone)
        _, range_end = day_bounds(last_day, self.zone)

        self._sessions: dict[int, list[tuple]] = defaultdict(list)
        self._roster: dict[int, list[tuple]] = defaultdict(list)
        self._exceptions: dict[tuple[int, dt.date], list[tuple]] = defaultdict(list)
        self._closures: list[ClosureRow] = []
        for row in session.execute(
            _calendar_rows(first_day, last_day, range_start, range_end, room_ids, radiologist_ids)
        ):
            if row.kind == "session":
                self._sessions[row.owner].append((row.weekday, row.start_time, row.end_time, row.day_from, row.day_to))
            elif row.kind == "roster":
                self._roster[row.owner].append((row.weekday, row.start_time, row.end_time, row.day_from, row.day_to))
            elif row.kind == "exception":
                self._exceptions[(row.owner, row.day_from)].append((row.label, row.start_time, row.end_time))
            else:
                self._closures.append(ClosureRow(row.label, row.owner, row.unit, row.other, row.starts_at, row.ends_at))

    def _closed(
        self, *, room: RoomInfo | None = None, radiologist_id: int | None = None, unit: str | None = None
    ) -> list[Interval]:
        found = []
        for c in self._closures:
            if (
                c.scope == ClosureScope.CLINIC
                or (room is not None and c.scope == ClosureScope.ROOM and c.room_id == room.id)
                or (c.scope == ClosureScope.UNIT and unit is not None and c.unit == unit)
                or (
                    radiologist_id is not None
                    and c.scope == ClosureScope.RADIOLOGIST
                    and c.radiologist_id == radiologist_id
                )
            ):
                found.append((c.starts_at, c.ends_at))
        return found

    def room_open(self, room: RoomInfo, day: dt.date) -> list[Interval]:
        opened = [
            (local_instant(day, start, self.zone), local_instant(day, end, self.zone))
            for weekday, start, end, valid_from, valid_to in self._sessions.get(room.id, ())
            if weekday == day.weekday() and _valid_on(valid_from, valid_to, day)
        ]
        return subtract(opened, self._closed(room=room, unit=room.unit))

    def radiologist_on_duty(self, radiologist_id: int, day: dt.date) -> list[Interval]:
        duty = [
            (local_instant(day, start, self.zone), local_instant(day, end, self.zone))
            for weekday, start, end, valid_from, valid_to in self._roster.get(radiologist_id, ())
            if weekday == day.weekday() and _valid_on(valid_from, valid_to, day)
        ]
        off = []
        for kind, start, end in self._exceptions.get((radiologist_id, day), ()):
            if kind == "extra":
                duty.append((local_instant(day, start, self.zone), local_instant(day, end, self.zone)))
            elif start is None:
                off.append(day_bounds(day, self.zone))
            else:
                off.append((local_instant(day, start, self.zone), local_instant(day, end, self.zone)))
        return subtract(normalise(duty), off + self._closed(radiologist_id=radiologist_id))

    def bed_open(self, bed: BedInfo, day: dt.date) -> list[Interval]:
        return subtract([day_bounds(day, self.zone)], self._closed(unit=bed.unit))


@dataclass
class Busy:
    """Active bookings (and live holds) per resource, as half-open intervals."""

    room: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))
    radiologist: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))
    bed: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))
    patient: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))


def load_busy(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    *,
    patient_id: int | None = None,
    ignore_appointment_id: int | None = None,
    ignore_hold_id: int | None = None,
) -> Busy:
    stmt = select(
        Booking.room_id,
        Booking.radiologist_id,
        Booking.bed_id,
        Booking.patient_id,
        Booking.starts_at,
        Booking.ends_at,
        Booking.appointment_id,
        Booking.hold_id,
    ).where(
        Booking.active,
        Booking.starts_at >= start - MAX_BOOKING_SPAN,
        Booking.starts_at < end,
        Booking.ends_at > start,
        or_(Booking.hold_id.is_(None), Booking.hold_expires_at > now),
        # Other patients' rows would be dropped below anyway; not fetching them saves a quarter of the rows.
        Booking.patient_id.is_(None)
        if patient_id is None
        else or_(Booking.patient_id.is_(None), Booking.patient_id == patient_id),
    )
    busy = Busy()
    for row in session.execute(stmt):
        if ignore_appointment_id is not None and row.appointment_id == ignore_appointment_id:
            continue
        if ignore_hold_id is not None and row.hold_id == ignore_hold_id:
            continue
        interval = (row.starts_at, row.ends_at)
        if row.room_id is not None:
            busy.room[row.room_id].append(interval)
        elif row.radiologist_id is not None:
            busy.radiologist[row.radiologist_id].append(interval)
        elif row.bed_id is not None:
            busy.bed[row.bed_id].append(interval)
        elif row.patient_id is not None and row.patient_id == patient_id:
            busy.patient[row.patient_id].append(interval)
    return busy
