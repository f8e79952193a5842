"""Rooms, observation beds, session templates, rosters, roster exceptions and closures.

Flush only; the caller commits. Rooms and beds that appointments refer to are switched off, never
deleted. Templates, roster entries, exceptions and closures are deleted for real only while they
have not yet mattered (not yet in effect, or not yet over); older ones are kept for the record and
ended instead. Whether a change strands booked appointments is ``clinic.services.stranding``'s job:
these functions make the change, the caller decides whether to keep it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, invalid
from ..core.messages import N_, Phrase
from ..models import Closure, ObservationBed, ProcedureType, Room, RoomSession, RosterEntry, RosterException, User
from ..models.vocab import ClosureScope, Modality, Role

Switchable = TypeVar("Switchable", Room, ObservationBed, ProcedureType)

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))


def _clean(text: str | None) -> str:
    return (text or "").strip()


def hhmm(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


# --- rooms and beds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomFields:
    name: str
    modality: str
    unit: str
    location_hint: str | None = None  # German letters
    location_hint_en: str | None = None  # English letters: without it they say "report to reception"
    sort_order: int = 0
    ae_title: str | None = None  # the DICOM AE title of the room's scanner


def _refuse_taken(session: Session, column, value: str, row, message: str) -> None:
    """Refused when another row of the table has ``value`` in ``column`` already, whatever the case;
    ``message`` names the other row's value as {<column>}."""
    clash = session.scalar(select(column.class_).where(func.lower(column) == value.lower()))
    if clash is not None and clash is not row:
        raise invalid(message, column.key, **{column.key: getattr(clash, column.key)})


def _check_room(session: Session, fields: RoomFields, room: Room | None) -> None:
    name = _clean(fields.name)
    if not name:
        raise invalid(N_("Give the room a name."), "name")
    if fields.modality not in Modality.values():
        raise invalid(N_("Choose CT or MRI."), "modality")
    if not _clean(fields.unit):
        raise invalid(N_("Name the unit the room belongs to (closures of a unit close all its rooms)."), "unit")
    _refuse_taken(session, Room.name, name, room, N_("There is already a room called {name}."))
    ae_title = _clean(fields.ae_title)
    if ae_title:
        if problem := ae_title_problem(ae_title):
            raise invalid(problem, "ae_title")
        clash = session.scalar(select(Room).where(func.upper(Room.ae_title) == ae_title.upper()))
        if clash is not None and clash is not room:
            raise invalid(
                N_("Room {name} already has the AE title {ae_title}."),
                "ae_title",
                name=clash.name,
                ae_title=clash.ae_title,
            )


def ae_title_problem(ae_title: str) -> str | None:
    """DICOM's rule for an AE title: 1 to 16 characters of plain ASCII, no backslash, no control characters."""
    if len(ae_title) > 16:
        return N_("An AE title has at most 16 characters.")
    if any(not (32 <= ord(ch) < 127) or ch == "\\" for ch in ae_title):
        return N_("An AE title uses plain letters, digits and punctuation (no umlauts, no backslash).")
    return None


def _apply_room(room: Room, fields: RoomFields) -> None:
    room.name = _clean(fields.name)
    room.modality = fields.modality
    room.unit = _clean(fields.unit)
    room.location_hint = _clean(fields.location_hint) or None
    room.location_hint_en = _clean(fields.location_hint_en) or None
    room.sort_order = fields.sort_order
    room.ae_title = _clean(fields.ae_title) or None


def create_room(session: Session, actor, fields: RoomFields) -> Room:
    return save_row(session, Room(active=True), fields, _check_room, _apply_room, new=True)


def update_room(session: Session, actor, room: Room, fields: RoomFields) -> Room:
    return save_row(session, room, fields, _check_room, _apply_room, new=False)


def save_row(session: Session, row: Switchable, fields, check, apply, *, new: bool) -> Switchable:
    """The save of a room, bed or procedure: ``check(session, fields, row or None)`` refuses what clashes with
    the others of its table, ``apply(row, fields)`` writes the fields; a new row is added."""
    check(session, fields, None if new else row)
    apply(row, fields)
    if new:
        session.add(row)
    session.flush()
    return row


def switch_active(session: Session, actor, row: Switchable, active: bool) -> Switchable:
    """Switch a room, bed or procedure off (no new bookings; booked appointments keep it) or on again,
    recorded as ``<table>.activated`` or ``<table>.deactivated``."""
    row.active = active
    session.flush()
    table = row.__tablename__
    audit.record(session, f"{table}.activated" if active else f"{table}.deactivated", table, row.id, actor=actor)
    return row


def set_room_active(session: Session, actor, room: Room, active: bool) -> Room:
    return switch_active(session, actor, room, active)


@dataclass(frozen=True)
class BedFields:
    label: str
    unit: str
    sort_order: int = 0


def _check_bed(session: Session, fields: BedFields, bed: ObservationBed | None) -> None:
    label = _clean(fields.label)
    if not label:
        raise invalid(N_("Give the bed a label, e.g. Bed 7."), "label")
    if not _clean(fields.unit):
        raise invalid(N_("Name the unit the bed belongs to."), "unit")
    _refuse_taken(session, ObservationBed.label, label, bed, N_("There is already a bed called {label}."))


def _apply_bed(bed: ObservationBed, fields: BedFields) -> None:
    bed.label = _clean(fields.label)
    bed.unit = _clean(fields.unit)
    bed.sort_order = fields.sort_order


def create_bed(session: Session, actor, fields: BedFields) -> ObservationBed:
    return save_row(session, ObservationBed(active=True), fields, _check_bed, _apply_bed, new=True)


def update_bed(session: Session, actor, bed: ObservationBed, fields: BedFields) -> ObservationBed:
    return save_row(session, bed, fields, _check_bed, _apply_bed, new=False)


def set_bed_active(session: Session, actor, bed: ObservationBed, active: bool) -> ObservationBed:
    return switch_active(session, actor, bed, active)


def units(session: Session) -> list[str]:
    """The units of rooms and beds, for closures of a whole unit."""
    names = set(session.scalars(select(Room.unit))) | set(session.scalars(select(ObservationBed.unit)))
    return sorted(n for n in names if n)


# --- weekly patterns: session templates and roster entries ------------------------------------------


@dataclass(frozen=True)
class WeeklyFields:
    """A weekly slot in local wall-clock time. ``owner_id`` is the room (templates) or the radiologist."""

    owner_id: int
    weekday: int
    start_time: dt.time
    end_time: dt.time
    valid_from: dt.date
    valid_to: dt.date | None = None


def _check_weekly(fields: WeeklyFields) -> None:
    if fields.weekday not in range(7):
        raise invalid(N_("Choose a weekday from Monday to Sunday."), "weekday")
    if fields.end_time <= fields.start_time:
        raise invalid(N_("The end time must be after the start time."), "end_time")
    if fields.valid_to is not None and fields.valid_to < fields.valid_from:
        raise invalid(N_("“Valid to” cannot be before “valid from”."), "valid_to")


def _periods_overlap(a_from: dt.date, a_to: dt.date | None, b_from: dt.date, b_to: dt.date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def _clash(rows, fields: WeeklyFields, this) -> object | None:
    for row in rows:
        if row is this or row.weekday != fields.weekday:
            continue
        times_overlap = row.start_time < fields.end_time and fields.start_time < row.end_time
        if times_overlap and _periods_overlap(row.valid_from, row.valid_to, fields.valid_from, fields.valid_to):
            return row
    return None


def _describe_weekly(row) -> Phrase:
    """The clashing weekly pattern, for the refusal: a Phrase, so that a German screen says the weekday and
    "gültig ab" in German (walk finding: "Friday 08:00–16:00, valid from 04.12.2025" on German screens)."""
    params = {
        "weekday": Phrase(WEEKDAYS[row.weekday]),
        "start": hhmm(row.start_time),
        "end": hhmm(row.end_time),
        "valid_from": f"{row.valid_from:%d.%m.%Y}",
    }
    if row.valid_to:
        return Phrase(
            N_("{weekday} {start}–{end}, valid from {valid_from} to {valid_to}"),
            valid_to=f"{row.valid_to:%d.%m.%Y}",
            **params,
        )
    return Phrase(N_("{weekday} {start}–{end}, valid from {valid_from}"), **params)


def save_session_template(session: Session, actor, template: RoomSession | None, fields: WeeklyFields) -> RoomSession:
    """Create (``template`` None) or change a weekly opening of a room."""
    _check_weekly(fields)
    room = session.get(Room, fields.owner_id)
    if room is None:
        raise invalid(N_("Choose a room."), "room_id")
    if not room.active and (template is None or template.room_id != room.id):
        raise invalid(N_("{name} is not in use; switch it on before giving it sessions."), "room_id", name=room.name)
    overlap = N_("{name} already has a session that overlaps: {session}.")
    return _save_weekly(session, template, fields, RoomSession.room_id, room.id, overlap, name=room.name)


def _save_weekly(session: Session, row, fields: WeeklyFields, owner, owner_id: int, overlap: str, **names):
    """Create (``row`` None) or change a weekly pattern of its ``owner`` (a room's session, a radiologist's
    duty), refused when it overlaps another of the same owner (``overlap`` names the clash as {session})."""
    model = owner.class_
    others = session.scalars(select(model).where(owner == owner_id))
    clash = _clash(others, fields, row)
    if clash is not None:
        raise invalid(overlap, "start_time", session=_describe_weekly(clash), **names)
    if row is None:
        row = model(**{owner.key: owner_id})
        session.add(row)
    setattr(row, owner.key, owner_id)
    row.weekday = fields.weekday
    row.start_time = fields.start_time
    row.end_time = fields.end_time
    row.valid_from = fields.valid_from
    row.valid_to = fields.valid_to
    session.flush()
    return row


def _radiologist(session: Session, user_id: int, field: str = "radiologist_id") -> User:
    user = session.get(User, user_id)
    if user is None or not user.has_role(Role.RADIOLOGIST):
        raise invalid(N_("Choose a radiologist."), field)
    if not user.active:
        raise invalid(N_("{full_name}'s account is deactivated."), field, full_name=user.full_name)
    return user


def save_roster_entry(session: Session, actor, entry: RosterEntry | None, fields: WeeklyFields) -> RosterEntry:
    """Create (``entry`` None) or change a radiologist's weekly duty."""
    _check_weekly(fields)
    user = _radiologist(session, fields.owner_id)
    overlap = N_("{full_name} already has a duty that overlaps: {session}.")
    return _save_weekly(session, entry, fields, RosterEntry.radiologist_id, user.id, overlap, full_name=user.full_name)


def in_effect_since(row: RoomSession | RosterEntry, today: dt.date) -> bool:
    """A weekly pattern that has already applied is history: it is ended, not deleted."""
    return row.valid_from <= today


def delete_weekly(session: Session, actor, row: RoomSession | RosterEntry, today: dt.date) -> None:
    if in_effect_since(row, today):
        raise DomainError(
            N_("This has applied since {valid_from} and is kept for the record. End it instead: give its last day."),
            valid_from=f"{row.valid_from:%d.%m.%Y}",
        )
    session.delete(row)
    session.flush()


def end_weekly(session: Session, actor, row: RoomSession | RosterEntry, last_day: dt.date) -> None:
    """Stop a weekly pattern after ``last_day`` (it stays in the record)."""
    if last_day < row.valid_from:
        raise invalid(
            N_("The last day cannot be before it began ({valid_from})."),
            "last_day",
            valid_from=f"{row.valid_from:%d.%m.%Y}",
        )
    if row.valid_to is not None and row.valid_to <= last_day:
        raise invalid(N_("It already ends on {valid_to}."), "last_day", valid_to=f"{row.valid_to:%d.%m.%Y}")
    row.valid_to = last_day
    session.flush()


# --- roster exceptions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExceptionFields:
    radiologist_id: int
    on_date: dt.date
    kind: str  # "extra" or "off"
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    note: str | None = None


def save_roster_exception(session: Session, actor, fields: ExceptionFields) -> RosterException:
    user = _radiologist(session, fields.radiologist_id)
    if fields.kind not in ("extra", "off"):
        raise invalid(N_("Choose “off” or “extra duty”."), "kind")
    if (fields.start_time is None) != (fields.end_time is None):
        raise invalid(N_("Give both a start and an end time, or neither (the whole day)."), "end_time")
    if fields.kind == "extra" and fields.start_time is None:
        raise invalid(N_("An extra duty needs its start and end time."), "start_time")
    if fields.start_time is not None and fields.end_time <= fields.start_time:
        raise invalid(N_("The end time must be after the start time."), "end_time")
    same = session.scalar(
        select(RosterException.id).where(
            RosterException.radiologist_id == user.id,
            RosterException.on_date == fields.on_date,
            RosterException.kind == fields.kind,
            _same(RosterException.start_time, fields.start_time),
            _same(RosterException.end_time, fields.end_time),
        )
    )
    if same is not None:  # a form sent twice (the back button, a reload): the day is already recorded
        raise invalid(N_("This exception is already recorded for that day."), "on_date")
    row = RosterException(
        radiologist_id=user.id,
        on_date=fields.on_date,
        kind=fields.kind,
        start_time=fields.start_time,
        end_time=fields.end_time,
        note=_clean(fields.note) or None,
    )
    session.add(row)
    session.flush()
    return row


def _same(column, value):
    """``column`` holds ``value``, an empty value included (SQL's ``=`` is never true for NULL)."""
    return column.is_(None) if value is None else column == value


def delete_roster_exception(session: Session, actor, row: RosterException, today: dt.date) -> None:
    if row.on_date < today:
        raise DomainError(N_("Past exceptions are kept for the record."))
    session.delete(row)
    session.flush()


# --- closures -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosureFields:
    scope: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    room_id: int | None = None
    unit: str | None = None
    radiologist_id: int | None = None


def _closure_target(session: Session, fields: ClosureFields) -> dict:
    target = {"room_id": None, "unit": None, "radiologist_id": None}
    if fields.scope == ClosureScope.ROOM:
        room = session.get(Room, fields.room_id) if fields.room_id else None
        if room is None:
            raise invalid(N_("Choose the room that is closed."), "room_id")
        target["room_id"] = room.id
    elif fields.scope == ClosureScope.UNIT:
        unit = _clean(fields.unit)
        if not unit:
            raise invalid(N_("Choose the unit that is closed."), "unit")
        target["unit"] = unit
    elif fields.scope == ClosureScope.RADIOLOGIST:
        target["radiologist_id"] = _radiologist(session, fields.radiologist_id or 0).id
    elif fields.scope != ClosureScope.CLINIC:
        raise invalid(N_("Choose what is closed: the clinic, a room, a unit or a radiologist."), "scope")
    return target


def save_closure(session: Session, actor, closure: Closure | None, fields: ClosureFields) -> Closure:
    """Create (``closure`` None) or change a closure."""
    target = _closure_target(session, fields)
    if fields.ends_at <= fields.starts_at:
        raise invalid(N_("The closure must end after it starts."), "last_day")
    reason = _clean(fields.reason)
    if not reason:
        raise invalid(N_("Give a reason (holiday, maintenance, absence…)."), "reason")
    covering = session.scalar(
        select(Closure).where(
            Closure.scope == fields.scope,
            _same(Closure.room_id, target["room_id"]),
            _same(Closure.unit, target["unit"]),
            _same(Closure.radiologist_id, target["radiologist_id"]),
            Closure.starts_at <= fields.starts_at,
            Closure.ends_at >= fields.ends_at,
            Closure.id != (closure.id if closure is not None else -1),
        )
    )
    if covering is not None:  # a form sent twice (the back button, a reload) would close it twice
        raise invalid(
            N_("This time is already closed (“{reason}”): nothing new to save."), "first_day", reason=covering.reason
        )
    if closure is None:
        closure = Closure(created_by_id=audit.actor_of(actor).id)
        session.add(closure)
    closure.scope = fields.scope
    closure.room_id = target["room_id"]
    closure.unit = target["unit"]
    closure.radiologist_id = target["radiologist_id"]
    closure.starts_at = fields.starts_at
    closure.ends_at = fields.ends_at
    closure.reason = reason
    session.flush()
    return closure


def delete_closure(session: Session, actor, closure: Closure, now: dt.datetime) -> None:
    if closure.ends_at <= now:
        raise DomainError(N_("Closures that are over are kept for the record."))
    session.delete(closure)
    session.flush()
