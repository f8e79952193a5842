"""Slot and Schedule: free times from the finder, never what fills the calendar.

A Schedule is a room's bookable time (its actor the room). A Slot is one free chain the finder offers:
room and radiologist for the table time, then a bed; its id carries the chain and the plan's minutes,
so that POST Appointment with ``slot`` books exactly that chain through the booking service.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ...models import ProcedureType, Room
from ...scheduling.finder import Candidate
from ...scheduling.plan import ProcedurePlan
from ..search import FIRST_SEARCHED_DAY, LAST_SEARCHED_DAY
from .common import compact, instant, procedure_concept, ref

_SLOT_ID = re.compile(r"^(\d{1,9})-(\d{1,9})-(\d{1,9})-(\d{1,9})-(\d{12})-(\d{1,3})-(\d{1,3})$")
_STAMP = "%Y%m%d%H%M"


@dataclass(frozen=True)
class SlotKey:
    """What a Slot's id says: the procedure type, the chain's resources, its start (UTC) and minutes."""

    procedure_type_id: int
    room_id: int
    radiologist_id: int
    bed_id: int | None
    table_start: dt.datetime
    table_minutes: int
    observation_minutes: int

    @property
    def id(self) -> str:
        stamp = self.table_start.astimezone(dt.UTC).strftime(_STAMP)
        return (
            f"{self.procedure_type_id}-{self.room_id}-{self.radiologist_id}-{self.bed_id or 0}-{stamp}"
            f"-{self.table_minutes}-{self.observation_minutes}"
        )

    @classmethod
    def parse(cls, text: str) -> SlotKey | None:
        match = _SLOT_ID.match(text)
        if not match:
            return None
        pt, room, rad, bed, stamp, table, observation = match.groups()
        try:
            start = dt.datetime.strptime(stamp, _STAMP).replace(tzinfo=dt.UTC)
        except ValueError:
            return None
        if not FIRST_SEARCHED_DAY <= start.date() <= LAST_SEARCHED_DAY:
            return None  # no slot lies there, and the table's end would leave Python's calendar
        return cls(int(pt), int(room), int(rad), int(bed) or None, start, int(table), int(observation))

    @classmethod
    def of(cls, plan: ProcedurePlan, c: Candidate) -> SlotKey:
        return cls(
            plan.procedure_type.id,
            c.room_id,
            c.radiologist_id,
            c.bed_id,
            c.table_start,
            plan.table_minutes,
            plan.observation_minutes,
        )

    def candidate(self) -> Candidate:
        table_end = self.table_start + dt.timedelta(minutes=self.table_minutes)
        return Candidate(
            room_id=self.room_id,
            radiologist_id=self.radiologist_id,
            bed_id=self.bed_id,
            table_start=self.table_start,
            table_end=table_end,
            obs_end=table_end + dt.timedelta(minutes=self.observation_minutes),
        )


def slot(key: SlotKey, pt: ProcedureType, zone: str, status: str = "free") -> dict:
    c = key.candidate()
    return compact(
        {
            "resourceType": "Slot",
            "id": key.id,
            "serviceType": [procedure_concept(pt)],
            "schedule": ref("Schedule", f"room-{key.room_id}"),
            "status": status,
            "start": instant(c.table_start, zone),
            "end": instant(c.obs_end, zone),
            "comment": (
                f"{key.table_minutes} minutes on the table with the radiologist, then "
                f"{key.observation_minutes} minutes of observation"
            ),
        }
    )


def schedule(room: Room, procedure_types: list[ProcedureType], first: dt.date, last: dt.date) -> dict:
    return compact(
        {
            "resourceType": "Schedule",
            "id": f"room-{room.id}",
            "active": bool(room.active),
            "serviceType": [procedure_concept(pt) for pt in procedure_types],
            "actor": [ref("Location", f"room-{room.id}", room.name)],
            "planningHorizon": {"start": first.isoformat(), "end": last.isoformat()},
            "comment": f"Free times of {room.name}: search Slot?schedule=Schedule/room-{room.id}&service-type=CODE",
        }
    )
