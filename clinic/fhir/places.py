"""The resources that are no patient's record: radiologists (Practitioner), rooms and beds (Location),
rooms' bookable time (Schedule) and free chains (Slot)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..models import ObservationBed, ProcedureType, Room, User, UserRole
from ..models.vocab import Role
from ..web import local_today, scheduling_settings, zone
from . import queries, slots
from .found import Found, Result, numeric_id, prefixed_id, run
from .resources import people
from .resources import slots as slot_resources
from .resources.slots import SlotKey
from .search import Page


def _radiologists():
    return select(User).join(UserRole).where(UserRole.role == Role.RADIOLOGIST).order_by(User.id)


def read_practitioner(ident: str) -> Found | None:
    number = numeric_id(ident)
    user = db.session.scalar(_radiologists().where(User.id == number)) if number else None
    return (people.practitioner(user), None) if user else None


def search_practitioners(args: MultiDict, page: Page, posted: bool) -> Result:
    queries.check_known(args, {"_id", "active"}, "Practitioner")
    stmt = _radiologists()
    if "_id" in args:
        stmt = stmt.where(User.id.in_(queries._ids(args)))
    for raw in args.getlist("active"):
        stmt = stmt.where(User.active.is_(raw == "true"))
    return run(queries.Search(stmt), page, lambda u: (people.practitioner(u), None))


def read_location(ident: str) -> Found | None:
    if (room_id := prefixed_id(ident, "room-")) is not None:
        room = db.session.get(Room, room_id)
        return (people.room(room), None) if room else None
    if (bed_id := prefixed_id(ident, "bed-")) is not None:
        bed = db.session.get(ObservationBed, bed_id)
        return (people.bed(bed), None) if bed else None
    return None


def search_locations(args: MultiDict, page: Page, posted: bool) -> Result:
    queries.check_known(args, set(), "Location")
    found = [people.room(r) for r in db.session.scalars(select(Room).order_by(Room.sort_order, Room.id))]
    found += [
        people.bed(b)
        for b in db.session.scalars(select(ObservationBed).order_by(ObservationBed.sort_order, ObservationBed.id))
    ]
    return Result([(r, None) for r in found[page.offset : page.offset + page.count]], total=len(found))


def _horizon() -> tuple[dt.date, dt.date]:
    first = local_today()
    return first, first + dt.timedelta(days=slots.SCHEDULE_HORIZON_DAYS)


def read_schedule(ident: str) -> Found | None:
    room_id = prefixed_id(ident, "room-")
    found = slots.schedules(db.session, MultiDict({"_id": f"room-{room_id}"})) if room_id is not None else []
    return (slot_resources.schedule(*found[0], *_horizon()), None) if found else None


def search_schedules(args: MultiDict, page: Page, posted: bool) -> Result:
    found = [(slot_resources.schedule(room, pts, *_horizon()), None) for room, pts in slots.schedules(db.session, args)]
    return Result(found[page.offset : page.offset + page.count], total=len(found))


def read_slot(ident: str) -> Found | None:
    key = SlotKey.parse(ident)
    if key is None:
        return None
    pt, status = slots.status_of(db.session, scheduling_settings(), key)
    return slot_resources.slot(key, pt, zone(), status), None


def search_slots(args: MultiDict, page: Page, posted: bool) -> Result:
    keys, more = slots.search(db.session, scheduling_settings(), args, page)
    found = [
        (slot_resources.slot(key, db.session.get(ProcedureType, key.procedure_type_id), zone()), None) for key in keys
    ]
    return Result(found, has_more=more)
