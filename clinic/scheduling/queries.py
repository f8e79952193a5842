"""The statements the finder and every booking send, built once and run with fresh values.

Building a SQLAlchemy statement and computing its cache key costs more Python time than running it
(the calendar's union: about 0.3 ms to build and as much again for its key, 0.2 ms to run). These
statements are built on first use, one per variant, with named parameters (``bindparam``) for the
values; SQLAlchemy keeps their compiled form, so each call costs only the round trip and the rows.
Statements are immutable once built and safe to share between threads.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import (
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    Time,
    bindparam,
    cast,
    literal,
    null,
    or_,
    select,
    union_all,
)

from ..core.intervals import overlap_clause
from ..models import Booking, Closure, ObservationBed, Room, RoomSession, RosterEntry, RosterException, User, UserRole
from ..models.base import UTCDateTime
from ..models.users import radiologist_qualifications
from ..models.vocab import Role


@cache
def rooms(one_room: bool) -> Select:
    """Active rooms of a modality (``modality``), or just ``room_id`` among them."""
    stmt = select(Room.id, Room.name, Room.modality, Room.unit).where(
        Room.active, Room.modality == bindparam("modality")
    )
    if one_room:
        stmt = stmt.where(Room.id == bindparam("room_id"))
    return stmt.order_by(Room.sort_order, Room.id)


@cache
def radiologists(one_radiologist: bool) -> Select:
    """Active radiologists qualified for ``procedure_type_id``, or just ``radiologist_id`` among them."""
    stmt = (
        select(User.id, User.full_name)
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.RADIOLOGIST))
        .join(radiologist_qualifications, radiologist_qualifications.c.user_id == User.id)
        .where(User.active, radiologist_qualifications.c.procedure_type_id == bindparam("procedure_type_id"))
    )
    if one_radiologist:
        stmt = stmt.where(User.id == bindparam("radiologist_id"))
    return stmt.order_by(User.id)


@cache
def beds() -> Select:
    return (
        select(ObservationBed.id, ObservationBed.label, ObservationBed.unit)
        .where(ObservationBed.active)
        .order_by(ObservationBed.sort_order, ObservationBed.id)
    )


@cache
def chain_resources() -> Select:
    """One row whatever exists (left joins from a constant): the room ``room_id``, the radiologist
    ``radiologist_id`` with whether the account has the role and the qualification for
    ``procedure_type_id``, and the bed ``bed_id``."""
    radiologist_id = bindparam("radiologist_id", type_=Integer())
    is_radiologist = (
        select(UserRole.user_id).where(UserRole.user_id == radiologist_id, UserRole.role == Role.RADIOLOGIST).exists()
    )
    is_qualified = (
        select(radiologist_qualifications.c.user_id)
        .where(
            radiologist_qualifications.c.user_id == radiologist_id,
            radiologist_qualifications.c.procedure_type_id == bindparam("procedure_type_id", type_=Integer()),
        )
        .exists()
    )
    anchor = select(literal(1).label("one")).subquery()
    return (
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
        .outerjoin(Room, Room.id == bindparam("room_id", type_=Integer()))
        .outerjoin(User, User.id == radiologist_id)
        .outerjoin(ObservationBed, ObservationBed.id == bindparam("bed_id", type_=Integer()))
    )


# --- the calendar: templates, rosters, exceptions and closures of a range of days -----------------------

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


def _weekly(kind: str, template, owner, first_day, last_day) -> Select:
    """Weekly templates valid on some day of the range: room sessions and radiologists' rosters."""
    return _calendar_part(
        kind,
        owner=owner,
        weekday=template.weekday,
        start_time=template.start_time,
        end_time=template.end_time,
        day_from=template.valid_from,
        day_to=template.valid_to,
    ).where(template.valid_from <= last_day, or_(template.valid_to.is_(None), template.valid_to >= first_day))


@cache
def calendar(some_rooms: bool, some_radiologists: bool) -> CompoundSelect:
    """Session templates, rosters, roster exceptions and closures of the local days ``first_day`` to
    ``last_day`` (closures by the instants ``range_start`` to ``range_end``), in one statement;
    limited to ``room_ids`` and ``radiologist_ids`` when asked."""
    first_day, last_day = bindparam("first_day", type_=Date()), bindparam("last_day", type_=Date())
    sessions = _weekly("session", RoomSession, RoomSession.room_id, first_day, last_day)
    if some_rooms:
        sessions = sessions.where(RoomSession.room_id.in_(bindparam("room_ids", expanding=True)))
    roster = _weekly("roster", RosterEntry, RosterEntry.radiologist_id, first_day, last_day)
    exceptions = _calendar_part(
        "exception",
        owner=RosterException.radiologist_id,
        start_time=RosterException.start_time,
        end_time=RosterException.end_time,
        day_from=RosterException.on_date,
        label=RosterException.kind,
    ).where(RosterException.on_date >= first_day, RosterException.on_date <= last_day)
    if some_radiologists:
        radiologist_ids = bindparam("radiologist_ids", expanding=True)
        roster = roster.where(RosterEntry.radiologist_id.in_(radiologist_ids))
        exceptions = exceptions.where(RosterException.radiologist_id.in_(radiologist_ids))
    closures = _calendar_part(
        "closure",
        owner=Closure.room_id,
        label=Closure.scope,
        unit=Closure.unit,
        other=Closure.radiologist_id,
        starts_at=Closure.starts_at,
        ends_at=Closure.ends_at,
    ).where(
        overlap_clause(
            Closure.starts_at,
            Closure.ends_at,
            bindparam("range_start", type_=UTCDateTime()),
            bindparam("range_end", type_=UTCDateTime()),
        ),
    )
    return union_all(sessions, roster, exceptions, closures)


# --- what is taken --------------------------------------------------------------------------------------


@cache
def busy(with_patient: bool) -> Select:
    """Active rows that reach into ``[start, end)``. Rows start at most ``MAX_BOOKING_SPAN`` before
    they end, so ``reach_back`` (start minus that span) keeps the search on the ``starts_at`` index.
    Patients' rows only for ``patient_id`` (the others would be dropped anyway: a quarter of the rows)."""
    start, end = bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
    return select(
        Booking.room_id,
        Booking.radiologist_id,
        Booking.bed_id,
        Booking.patient_id,
        Booking.starts_at,
        Booking.ends_at,
        Booking.appointment_id,
        Booking.hold_id,
        Booking.hold_expires_at,
    ).where(
        Booking.active,
        Booking.starts_at >= bindparam("reach_back", type_=UTCDateTime()),
        overlap_clause(Booking.starts_at, Booking.ends_at, start, end),
        or_(Booking.patient_id.is_(None), Booking.patient_id == bindparam("patient_id", type_=Integer()))
        if with_patient
        else Booking.patient_id.is_(None),
    )
