"""The calendar of a range of days is read in one statement (session templates, rosters, roster
exceptions and closures in one UNION ALL): every kind of row read back with its values and types, on
SQLite and PostgreSQL, for the whole clinic and for one room and radiologist."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.core.timefmt import day_bounds, local_instant
from clinic.models import Closure, RoomSession, RosterException
from clinic.scheduling.availability import BedInfo, Calendar, RoomInfo
from tests.conftest import TODAY, ZONE
from tests.factories import build_clinic

# TODAY, the pinned clinic date, is a Monday.
TUESDAY, WEDNESDAY, SATURDAY = (TODAY + dt.timedelta(days=n) for n in (1, 2, 5))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local_instant(day, dt.time(hour, minute), ZONE)


def hours(day: dt.date, *spans: tuple[int, int]) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(at(day, start), at(day, end)) for start, end in spans]


@pytest.fixture
def clinic(session):
    clinic = build_clinic(session)  # CT rooms and radiologists Monday to Friday 08:00-16:00
    ct1, ct2 = clinic.rooms["CT 1"], clinic.rooms["CT 2"]
    rad1, rad2, rad3, rad4 = clinic.radiologists
    session.add_all(
        [
            # CT 1 opens an extra hour on Mondays from this week; CT 2's evening session ended the day before.
            RoomSession(room_id=ct1.id, weekday=0, start_time=dt.time(16), end_time=dt.time(17), valid_from=TODAY),
            RoomSession(
                room_id=ct2.id,
                weekday=0,
                start_time=dt.time(16),
                end_time=dt.time(19),
                valid_from=dt.date(2020, 1, 1),
                valid_to=TODAY - dt.timedelta(days=1),
            ),
            RosterException(
                radiologist_id=rad1.id, on_date=TODAY, kind="off", start_time=dt.time(10), end_time=dt.time(12)
            ),
            RosterException(radiologist_id=rad2.id, on_date=TODAY, kind="off"),
            RosterException(
                radiologist_id=rad3.id, on_date=SATURDAY, kind="extra", start_time=dt.time(8), end_time=dt.time(12)
            ),
            Closure(scope="room", room_id=ct1.id, starts_at=at(TUESDAY, 9), ends_at=at(TUESDAY, 10), reason="Tube"),
            Closure(
                scope="unit", unit="Observation", starts_at=at(TODAY, 15), ends_at=at(TODAY, 16), reason="Cleaning"
            ),
            Closure(
                scope="radiologist",
                radiologist_id=rad4.id,
                starts_at=day_bounds(TUESDAY, ZONE)[0],
                ends_at=day_bounds(TUESDAY, ZONE)[1],
                reason="Congress",
            ),
            Closure(
                scope="clinic",
                starts_at=day_bounds(WEDNESDAY, ZONE)[0],
                ends_at=day_bounds(WEDNESDAY, ZONE)[1],
                reason="Training",
            ),
        ]
    )
    session.commit()
    return clinic


def room(r) -> RoomInfo:
    return RoomInfo(r.id, r.name, r.modality, r.unit)


def test_every_kind_of_calendar_row_is_read_back(session, settings, clinic):
    ct1, ct2 = room(clinic.rooms["CT 1"]), room(clinic.rooms["CT 2"])
    rad1, rad2, rad3, rad4 = (r.id for r in clinic.radiologists)
    bed = BedInfo(clinic.beds[0].id, clinic.beds[0].label, clinic.beds[0].unit)
    calendar = Calendar(session, settings, TODAY, SATURDAY)

    assert calendar.room_open(ct1, TODAY) == hours(TODAY, (8, 17))  # the new hour joins the session
    assert calendar.room_open(ct2, TODAY) == hours(TODAY, (8, 16))  # the ended evening session is gone
    assert calendar.room_open(ct1, TUESDAY) == hours(TUESDAY, (8, 9), (10, 16))  # room closure
    assert calendar.room_open(ct2, TUESDAY) == hours(TUESDAY, (8, 16))
    assert calendar.room_open(ct1, WEDNESDAY) == []  # the clinic is closed
    assert calendar.room_open(ct1, SATURDAY) == []

    assert calendar.radiologist_on_duty(rad1, TODAY) == hours(TODAY, (8, 10), (12, 16))  # off for two hours
    assert calendar.radiologist_on_duty(rad2, TODAY) == []  # off all day
    assert calendar.radiologist_on_duty(rad3, SATURDAY) == hours(SATURDAY, (8, 12))  # extra duty
    assert calendar.radiologist_on_duty(rad4, TUESDAY) == []  # absent (closure for one radiologist)
    assert calendar.radiologist_on_duty(rad4, TODAY) == hours(TODAY, (8, 16))
    assert calendar.radiologist_on_duty(rad1, WEDNESDAY) == []

    monday_start, monday_end = day_bounds(TODAY, ZONE)
    assert calendar.bed_open(bed, TODAY) == [(monday_start, at(TODAY, 15)), (at(TODAY, 16), monday_end)]
    assert calendar.bed_open(bed, WEDNESDAY) == []
    for start, end in calendar.bed_open(bed, TODAY):  # instants come back aware, in UTC
        assert start.utcoffset() == dt.timedelta(0) and end.utcoffset() == dt.timedelta(0)


def test_a_calendar_for_one_room_and_radiologist_reads_only_theirs(session, settings, clinic):
    ct1, ct2 = room(clinic.rooms["CT 1"]), room(clinic.rooms["CT 2"])
    rad1, rad2 = (r.id for r in clinic.radiologists[:2])
    calendar = Calendar(session, settings, TODAY, TUESDAY, room_ids=[ct1.id], radiologist_ids=[rad1])

    assert calendar.room_open(ct1, TODAY) == hours(TODAY, (8, 17))
    assert calendar.room_open(ct1, TUESDAY) == hours(TUESDAY, (8, 9), (10, 16))
    assert calendar.radiologist_on_duty(rad1, TODAY) == hours(TODAY, (8, 10), (12, 16))
    assert calendar.room_open(ct2, TODAY) == []  # not read
    assert calendar.radiologist_on_duty(rad2, TUESDAY) == []
