"""Closures of the clinic, a room, a unit or a radiologist: validation and the stranding warning."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic.models import Closure
from tests.conftest import NOW

from .helpers import book_on_day, count, form_refusals, next_monday, text, warn_then_confirm


def _closure(day: dt.date, **kw) -> dict:
    data = {
        "scope": "clinic",
        "room_id": "",
        "unit": "",
        "radiologist_id": "",
        "first_day": day.isoformat(),
        "start_time": "",
        "last_day": "",
        "end_time": "",
        "reason": "Public holiday",
    }
    data.update(kw)
    return data


@form_refusals(
    [
        ({"scope": "room"}, "Choose the room that is closed."),
        ({"scope": "unit"}, "Choose the unit that is closed."),
        ({"scope": "unit", "unit": "Nowhere"}, "Choose the unit that is closed."),
        ({"scope": "radiologist"}, "Choose the radiologist who is absent."),
        ({"scope": "moon"}, "Choose what is closed"),
        ({"last_day": "2026-12-01"}, "The last day cannot be before the first day."),
        ({"start_time": "12:00", "end_time": "09:00"}, "The closure must end after it starts."),
        ({"first_day": ""}, "Give a date."),
        ({"reason": " "}, "Give a reason (holiday, maintenance, absence…)."),
    ],
)
def test_closure_form_errors_save_nothing(session, clinic, admin, change, message):
    response = admin.post("/admin/closures/new", _closure(dt.date(2026, 12, 24), **change))
    assert response.status_code == 422
    assert message in text(response)
    assert count(session, Closure) == 0


def test_whole_days_run_from_local_midnight_to_midnight(session, clinic, admin):
    response = admin.post("/admin/closures/new", _closure(dt.date(2026, 12, 24), last_day="2026-12-26"))
    assert response.status_code == 302
    closure = session.scalar(select(Closure))
    assert closure.starts_at == dt.datetime(2026, 12, 23, 23, 0, tzinfo=dt.UTC)
    assert closure.ends_at == dt.datetime(2026, 12, 26, 23, 0, tzinfo=dt.UTC)
    form = text(admin.get(f"/admin/closures/{closure.id}"))
    assert 'value="2026-12-26"' in form and "Public holiday" in form


def test_a_closure_sent_again_is_refused_and_saves_nothing(session, clinic, admin):
    """Found in the walk: the back button and a reload sent the form again and closed the day twice."""
    first = _closure(dt.date(2026, 12, 24), last_day="2026-12-26")
    assert admin.post("/admin/closures/new", first).status_code == 302
    for again in (first, _closure(dt.date(2026, 12, 25), reason="Again")):  # the same days, or some of them
        response = admin.post("/admin/closures/new", again)
        assert response.status_code == 422
        assert "This time is already closed (“Public holiday”): nothing new to save." in text(response)
        assert 'value="Again"' in text(response) or again is first  # what was typed stays in the form
    assert count(session, Closure) == 1
    ct1 = clinic.rooms["CT 1"]
    room = _closure(dt.date(2026, 12, 24), scope="room", room_id=str(ct1.id))
    assert admin.post("/admin/closures/new", room).status_code == 302  # the clinic's closure is another target
    longer = _closure(dt.date(2026, 12, 23), last_day="2026-12-27")
    assert admin.post("/admin/closures/new", longer).status_code == 302  # more days than the first: new
    assert count(session, Closure) == 3


def _scenarios(clinic):
    rad1, rad2 = clinic.radiologists[:2]
    ct1, ct2 = clinic.rooms["CT 1"], clinic.rooms["CT 2"]
    return {
        "clinic": ({}, {"room": ct1}, {"room": ct2}, True),
        "room": ({"scope": "room", "room_id": str(ct1.id)}, {"room": ct1}, {"room": ct2}, False),
        "unit of the rooms": ({"scope": "unit", "unit": "Radiology"}, {"room": ct1}, {"room": ct2}, True),
        "unit of the beds": ({"scope": "unit", "unit": "Observation"}, {"room": ct1}, {"room": ct2}, True),
        "radiologist": (
            {"scope": "radiologist", "radiologist_id": str(rad1.id)},
            {"radiologist": rad1},
            {"radiologist": rad2},
            False,
        ),
    }


@pytest.mark.parametrize("kind", ["clinic", "room", "unit of the rooms", "unit of the beds", "radiologist"])
def test_a_closure_warns_of_the_bookings_inside_it(session, clinic, admin, kind):
    fields, target, other, both_closed = _scenarios(clinic)[kind]
    monday = next_monday()
    inside = book_on_day(session, clinic, monday, **target)
    next_door = book_on_day(session, clinic, monday, **other)
    stranded, spared = ([inside, next_door], []) if both_closed else ([inside], [next_door])
    warn_then_confirm(session, admin, "/admin/closures/new", _closure(monday, **fields), stranded, spared=spared)
    assert count(session, Closure) == 1


def test_a_closure_of_a_few_hours_spares_the_rest_of_the_day(session, clinic, admin):
    monday = next_monday()
    ct1 = clinic.rooms["CT 1"]
    early = book_on_day(session, clinic, monday, room=ct1)
    late = book_on_day(session, clinic, monday, room=ct1, not_before=dt.time(13))
    data = _closure(monday, scope="room", room_id=str(ct1.id), start_time="07:00", end_time="12:00", reason="Service")
    warn_then_confirm(session, admin, "/admin/closures/new", data, [early], spared=[late])


def test_past_closures_are_kept_and_upcoming_ones_deleted(session, clinic, admin):
    now = NOW
    past = Closure(
        scope="clinic", starts_at=now - dt.timedelta(days=9), ends_at=now - dt.timedelta(days=8), reason="Old"
    )
    ahead = Closure(
        scope="clinic", starts_at=now + dt.timedelta(days=8), ends_at=now + dt.timedelta(days=9), reason="New"
    )
    session.add_all([past, ahead])
    session.commit()
    past_id, ahead_id = past.id, ahead.id
    listing = text(admin.get("/admin/closures"))
    assert "New" in listing and "Old" not in listing
    assert "Old" in text(admin.get("/admin/closures?when=past"))

    refused = admin.post(f"/admin/closures/{past_id}/delete", {}, form_page="/admin/closures")
    assert refused.status_code == 302
    assert "kept for the record" in text(admin.get(refused.headers["Location"]))
    deleted = admin.post(f"/admin/closures/{ahead_id}/delete", {}, form_page="/admin/closures")
    assert deleted.status_code == 302
    session.expire_all()
    assert session.get(Closure, past_id) is not None and session.get(Closure, ahead_id) is None


def test_the_empty_list_says_what_to_do(session, clinic, admin):
    page = text(admin.get("/admin/closures"))
    assert "No closures ahead" in page and "New closure" in page
