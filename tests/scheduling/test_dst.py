"""Sessions are local wall-clock time: an 08:00 session is 08:00 in Berlin on both sides of a
daylight-saving change, which means a different UTC hour."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.core.timefmt import to_local
from clinic.scheduling.availability import Calendar, RoomInfo
from clinic.scheduling.context import Settings
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import appointments
from tests.factories import build_clinic, make_ready_referral

from .helpers import first_candidates, utc

CASES = [
    # (clock, Friday before, Monday after, UTC hour of 08:00 local before, after)
    pytest.param(utc(2027, 3, 20, 12), dt.date(2027, 3, 26), dt.date(2027, 3, 29), 7, 6, id="spring-2027-03-28"),
    pytest.param(utc(2026, 10, 17, 12), dt.date(2026, 10, 23), dt.date(2026, 10, 26), 6, 7, id="autumn-2026-10-25"),
]


@pytest.mark.parametrize(("clock", "before", "after", "hour_before", "hour_after"), CASES)
def test_eight_oclock_session_stays_eight_oclock_local(session, clock, before, after, hour_before, hour_after):
    settings = Settings(zone="Europe/Berlin", clock=lambda: clock)
    clinic = build_clinic(session)
    room = clinic.rooms["CT 1"]
    calendar = Calendar(session, settings, before, after)
    info = RoomInfo(room.id, room.name, room.modality, room.unit)
    assert calendar.room_open(info, before) == [
        (
            utc(before.year, before.month, before.day, hour_before),
            utc(before.year, before.month, before.day, hour_before + 8),
        )
    ]
    assert calendar.room_open(info, after) == [
        (utc(after.year, after.month, after.day, hour_after), utc(after.year, after.month, after.day, hour_after + 8))
    ]

    for day, hour in ((before, hour_before), (after, hour_after)):
        referral = make_ready_referral(session, clinic)
        offered = first_candidates(session, settings, referral, first_day=day, days=0, limit=1)
        assert offered[0].table_start == utc(day.year, day.month, day.day, hour)
        appointment = appointments.book(
            session, settings, None, referral=referral, plan=ProcedurePlan.from_referral(referral), candidate=offered[0]
        )
        session.commit()
        session.expire_all()
        local = to_local(appointment.table_start, "Europe/Berlin")
        assert (local.date(), local.hour, local.minute) == (day, 8, 0)


def test_a_session_on_the_change_day_keeps_its_wall_clock_length(session):
    settings = Settings(zone="Europe/Berlin", clock=lambda: utc(2026, 10, 1))
    clinic = build_clinic(session)
    from clinic.models import RoomSession

    room = clinic.rooms["CT 2"]
    session.add(
        RoomSession(
            room=room, weekday=6, start_time=dt.time(1, 0), end_time=dt.time(5, 0), valid_from=dt.date(2026, 1, 1)
        )
    )
    session.flush()
    sunday = dt.date(2026, 10, 25)
    calendar = Calendar(session, settings, sunday, sunday)
    [(start, end)] = calendar.room_open(RoomInfo(room.id, room.name, room.modality, room.unit), sunday)
    # 01:00 CEST is 23:00 UTC the day before; 05:00 CET is 04:00 UTC: five real hours for a 01:00-05:00
    # session on the night the clocks go back. zoneinfo resolves it; nobody adds fixed offsets.
    assert start == utc(2026, 10, 24, 23) and end == utc(2026, 10, 25, 4)
