"""When rooms, radiologists and beds can work, and when they are already taken.

Everything is loaded for a range of days in a handful of queries and then answered in memory, so the
finder's cost depends on the window it looks at, never on the years of history behind it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..core.intervals import Interval, normalise, subtract
from ..core.timefmt import day_bounds, local_instant
from ..models.vocab import ClosureScope
from . import queries
from .context import MAX_BOOKING_SPAN, Settings


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
    stmt = queries.rooms(room_id is not None)
    return [RoomInfo(*row) for row in session.execute(stmt, {"modality": modality, "room_id": room_id})]


def radiologists_for(
    session: Session, procedure_type_id: int, radiologist_id: int | None = None
) -> list[RadiologistInfo]:
    """Active radiologists qualified for the procedure."""
    stmt = queries.radiologists(radiologist_id is not None)
    values = {"procedure_type_id": procedure_type_id, "radiologist_id": radiologist_id}
    return [RadiologistInfo(*row) for row in session.execute(stmt, values)]


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
    values = {
        "room_id": room_id,
        "radiologist_id": radiologist_id,
        "bed_id": bed_id,
        "procedure_type_id": procedure_type_id,
    }
    row = session.execute(queries.chain_resources(), values).one()
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
    return [BedInfo(*row) for row in session.execute(queries.beds())]


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
        stmt = queries.calendar(room_ids is not None, radiologist_ids is not None)
        values = {
            "first_day": first_day,
            "last_day": last_day,
            "range_start": range_start,
            "range_end": range_end,
            "room_ids": room_ids,
            "radiologist_ids": radiologist_ids,
        }
        for row in session.execute(stmt, values):
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
    # Holds that have lapsed but whose rows are still active (the job or a booking releases them).
    lapsed_holds: set[int] = field(default_factory=set)


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
    values = {"reach_back": start - MAX_BOOKING_SPAN, "start": start, "end": end, "patient_id": patient_id}
    rows = session.execute(queries.busy(patient_id is not None), values)
    busy = Busy()
    # Positional rows: a full calendar's window is thousands of them, and this loop is the finder's own cost.
    for room_id, radiologist_id, bed_id, row_patient_id, starts_at, ends_at, appointment_id, hold_id, expires in rows:
        if appointment_id is not None and appointment_id == ignore_appointment_id:
            continue
        if hold_id is not None:
            if hold_id == ignore_hold_id:
                continue
            if expires <= now:
                busy.lapsed_holds.add(hold_id)  # no longer holds anything
                continue
        if room_id is not None:
            busy.room[room_id].append((starts_at, ends_at))
        elif radiologist_id is not None:
            busy.radiologist[radiologist_id].append((starts_at, ends_at))
        elif bed_id is not None:
            busy.bed[bed_id].append((starts_at, ends_at))
        elif row_patient_id is not None and row_patient_id == patient_id:
            busy.patient[row_patient_id].append((starts_at, ends_at))
    return busy
