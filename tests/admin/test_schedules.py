"""Session templates, rosters and roster exceptions: validation, and the stranded-appointment warning
for each kind of change."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic.models import RoomSession, RosterEntry, RosterException

from .helpers import (
    book_on_day,
    count,
    form_refusals,
    next_monday,
    refused_saving_nothing,
    snapshot,
    text,
    warn_then_confirm,
)


def _session_template(session, room, weekday: int = 0) -> RoomSession:
    return session.scalar(select(RoomSession).where(RoomSession.room_id == room.id, RoomSession.weekday == weekday))


def _roster_entry(session, user, weekday: int = 0) -> RosterEntry:
    return session.scalar(
        select(RosterEntry).where(RosterEntry.radiologist_id == user.id, RosterEntry.weekday == weekday)
    )


def _weekly(owner_field: str, owner_id: int, **kw) -> dict:
    data = {
        owner_field: str(owner_id),
        "weekday": "5",
        "start_time": "08:00",
        "end_time": "12:00",
        "valid_from": "2026-01-05",
        "valid_to": "",
    }
    data.update(kw)
    return data


# --- validation -----------------------------------------------------------------------------------


WEEKLY_ERRORS = [
    ({"start_time": "12:00", "end_time": "08:00"}, "The end time must be after the start time."),
    ({"start_time": "12:00", "end_time": "12:00"}, "The end time must be after the start time."),
    ({"valid_from": "2026-06-01", "valid_to": "2026-05-31"}, "“Valid to” cannot be before “valid from”."),
    ({"weekday": "9"}, "Choose a weekday from Monday to Sunday."),
    ({"weekday": "Funday"}, "Choose a weekday from Monday to Sunday."),
    ({"start_time": "08:07"}, "Times lie on the 5-minute grid"),
    ({"start_time": ""}, "Give the start time, e.g. 08:00."),
    ({"end_time": "25:00"}, "Not a valid time value."),  # the field's own message, once
    ({"end_time": ""}, "Give the end time, e.g. 16:00."),
    ({"valid_from": ""}, "Give a date."),
    ({"weekday": "0"}, "already has"),  # overlaps the clinic's Monday 08:00-16:00
]


@form_refusals(WEEKLY_ERRORS)
def test_session_template_form_errors_save_nothing(session, clinic, admin, change, message):
    data = _weekly("room_id", clinic.rooms["CT 1"].id, **change)
    refused_saving_nothing(session, admin, "/admin/sessions/new", data, message, RoomSession)


@form_refusals(WEEKLY_ERRORS)
def test_roster_entry_form_errors_save_nothing(session, clinic, admin, change, message):
    data = _weekly("radiologist_id", clinic.radiologists[0].id, **change)
    refused_saving_nothing(session, admin, "/admin/rosters/new", data, message, RosterEntry)


def test_unknown_room_or_radiologist_is_refused(session, clinic, admin):
    nurse = clinic.staff["nurse"]
    no_room = admin.post("/admin/sessions/new", _weekly("room_id", 999))
    assert no_room.status_code == 422 and "Choose a room." in text(no_room)
    not_a_radiologist = admin.post("/admin/rosters/new", _weekly("radiologist_id", nurse.id))
    assert not_a_radiologist.status_code == 422 and "Choose a radiologist." in text(not_a_radiologist)


def test_a_saturday_session_and_duty_are_added(session, clinic, admin):
    ct1, rad = clinic.rooms["CT 1"], clinic.radiologists[0]
    assert admin.post("/admin/sessions/new", _weekly("room_id", ct1.id)).status_code == 302
    assert admin.post("/admin/rosters/new", _weekly("radiologist_id", rad.id)).status_code == 302
    assert _session_template(session, ct1, 5).end_time == dt.time(12)
    assert _roster_entry(session, rad, 5).start_time == dt.time(8)
    sessions = text(admin.get(f"/admin/sessions?room={ct1.id}"))
    assert "Saturday" in sessions and "08:00–12:00" in sessions and "05.01.2026" in sessions


EXCEPTION_ERRORS = [
    ({"kind": "extra", "start_time": "", "end_time": ""}, "An extra duty needs its start and end time."),
    ({"kind": "off", "start_time": "09:00", "end_time": ""}, "Give both a start and an end time, or neither"),
    ({"kind": "off", "start_time": "11:00", "end_time": "10:00"}, "The end time must be after the start time."),
    ({"kind": "sick"}, "Choose “off” or “extra duty”."),
    ({"on_date": ""}, "Give a date."),
    ({"radiologist_id": "999"}, "Choose a radiologist."),
]


@form_refusals(EXCEPTION_ERRORS)
def test_roster_exception_form_errors_save_nothing(session, clinic, admin, change, message):
    data = {"radiologist_id": str(clinic.radiologists[0].id), "on_date": "2026-12-24", "kind": "off", "note": ""}
    response = admin.post("/admin/rosters/exceptions/new", {**data, **change})
    assert response.status_code == 422
    assert message in text(response)
    assert count(session, RosterException) == 0


def test_a_roster_exception_sent_again_is_refused(session, clinic, admin):
    """Found in the walk: the same exception sent twice (back button, reload) was saved twice."""
    rad = clinic.radiologists[0]
    data = {"radiologist_id": str(rad.id), "on_date": "2026-12-24", "kind": "off", "note": "", "start_time": ""}
    data["end_time"] = ""
    assert admin.post("/admin/rosters/exceptions/new", data).status_code == 302
    response = admin.post("/admin/rosters/exceptions/new", data)
    assert response.status_code == 422
    assert "This exception is already recorded for that day." in text(response)
    morning = {**data, "start_time": "08:00", "end_time": "12:00"}
    assert admin.post("/admin/rosters/exceptions/new", morning).status_code == 302  # another time: new
    assert admin.post("/admin/rosters/exceptions/new", morning).status_code == 422
    assert count(session, RosterException) == 2


# --- the stranded-appointment warning, per kind of change -----------------------------------------


def test_changing_a_session_template_warns_of_bookings_outside_it(session, clinic, admin):
    ct1 = clinic.rooms["CT 1"]
    monday = next_monday()
    early = book_on_day(session, clinic, monday, room=ct1)
    late = book_on_day(session, clinic, monday, room=ct1, not_before=dt.time(13))
    template = _session_template(session, ct1)
    data = _weekly("room_id", ct1.id, weekday="0", start_time="12:00", end_time="16:00", valid_from="2020-01-01")
    warn_then_confirm(
        session,
        admin,
        f"/admin/sessions/{template.id}",
        data,
        [early],
        spared=[late],
        reason="CT 1 is not open then: outside its sessions, or closed",
    )
    session.expire_all()
    assert session.get(RoomSession, template.id).start_time == dt.time(12)


def test_a_change_that_strands_nothing_is_saved_at_once(session, clinic, admin):
    ct1 = clinic.rooms["CT 1"]
    book_on_day(session, clinic, next_monday(), room=ct1)
    template = _session_template(session, ct1)
    data = _weekly("room_id", ct1.id, weekday="0", start_time="07:00", end_time="17:00", valid_from="2020-01-01")
    response = admin.post(f"/admin/sessions/{template.id}", data)
    assert response.status_code == 302 and "/admin/sessions" in response.headers["Location"]


def test_ending_a_session_template_warns_of_bookings_after_it(session, clinic, admin):
    ct1 = clinic.rooms["CT 1"]
    monday = next_monday()
    appointment = book_on_day(session, clinic, monday, room=ct1)
    template = _session_template(session, ct1)
    last_day = (monday - dt.timedelta(days=1)).isoformat()
    warn_then_confirm(
        session,
        admin,
        f"/admin/sessions/{template.id}/end",
        {"last_day": last_day},
        [appointment],
        form_page=f"/admin/sessions/{template.id}",
    )
    session.expire_all()
    assert session.get(RoomSession, template.id).valid_to == monday - dt.timedelta(days=1)


def _saturday_clinic(session, clinic, saturday, *, session_from=None, roster_from=None):
    """CT 1 and the first radiologist also work on Saturday mornings."""
    ct1, rad = clinic.rooms["CT 1"], clinic.radiologists[0]
    template = RoomSession(
        room=ct1, weekday=5, start_time=dt.time(8), end_time=dt.time(12), valid_from=session_from or dt.date(2020, 1, 1)
    )
    entry = RosterEntry(
        radiologist=rad,
        weekday=5,
        start_time=dt.time(8),
        end_time=dt.time(12),
        valid_from=roster_from or dt.date(2020, 1, 1),
    )
    session.add_all([template, entry])
    session.commit()
    return template, entry


def _deleted_after_the_warning(session, admin, row, page: str, appointment) -> None:
    """Deleting ``row`` (a session template or roster entry, edited at ``page``) that has not begun yet
    warns of ``appointment`` first; confirmed, the row is gone."""
    model, row_id = type(row), row.id
    warn_then_confirm(session, admin, f"{page}/delete", {}, [appointment], form_page=page)
    session.expire_all()
    assert session.get(model, row_id) is None


def test_deleting_an_upcoming_session_template_warns_of_its_bookings(session, clinic, admin):
    saturday = next_monday() + dt.timedelta(days=5)
    template, _entry = _saturday_clinic(session, clinic, saturday, session_from=saturday)
    appointment = book_on_day(session, clinic, saturday, room=clinic.rooms["CT 1"])
    _deleted_after_the_warning(session, admin, template, f"/admin/sessions/{template.id}", appointment)


def test_a_session_template_in_effect_is_ended_not_deleted(session, clinic, admin):
    template = _session_template(session, clinic.rooms["CT 1"])
    response = admin.post(f"/admin/sessions/{template.id}/delete", {}, form_page=f"/admin/sessions/{template.id}")
    assert response.status_code == 302
    page = text(admin.get(response.headers["Location"]))
    assert "kept for the record" in page and "End it instead" in page
    session.expire_all()
    assert session.get(RoomSession, template.id) is not None


def test_changing_a_roster_entry_warns_of_the_radiologists_bookings(session, clinic, admin):
    rad1, rad2 = clinic.radiologists[:2]
    monday = next_monday()
    appointment = book_on_day(session, clinic, monday, radiologist=rad1)
    colleague = book_on_day(session, clinic, monday, radiologist=rad2)
    entry = _roster_entry(session, rad1)
    data = _weekly(
        "radiologist_id", rad1.id, weekday="0", start_time="12:00", end_time="16:00", valid_from="2020-01-01"
    )
    warn_then_confirm(
        session,
        admin,
        f"/admin/rosters/{entry.id}",
        data,
        [appointment],
        spared=[colleague],
        reason=f"{rad1.full_name} is not on duty then",
    )
    session.expire_all()
    assert session.get(RosterEntry, entry.id).start_time == dt.time(12)


def test_ending_a_roster_entry_warns_of_bookings_after_it(session, clinic, admin):
    rad1 = clinic.radiologists[0]
    monday = next_monday()
    appointment = book_on_day(session, clinic, monday, radiologist=rad1)
    entry = _roster_entry(session, rad1)
    warn_then_confirm(
        session,
        admin,
        f"/admin/rosters/{entry.id}/end",
        {"last_day": (monday - dt.timedelta(days=3)).isoformat()},
        [appointment],
        form_page=f"/admin/rosters/{entry.id}",
    )


def test_deleting_an_upcoming_roster_entry_warns_of_its_bookings(session, clinic, admin):
    saturday = next_monday() + dt.timedelta(days=5)
    _template, entry = _saturday_clinic(session, clinic, saturday, roster_from=saturday)
    appointment = book_on_day(session, clinic, saturday, radiologist=clinic.radiologists[0])
    _deleted_after_the_warning(session, admin, entry, f"/admin/rosters/{entry.id}", appointment)


@pytest.mark.parametrize(("start", "end"), [("", ""), ("07:00", "10:00")])
def test_a_day_off_warns_of_the_radiologists_bookings(session, clinic, admin, start, end):
    rad1, rad2 = clinic.radiologists[:2]
    monday = next_monday()
    appointment = book_on_day(session, clinic, monday, radiologist=rad1)
    colleague = book_on_day(session, clinic, monday, radiologist=rad2)
    data = {
        "radiologist_id": str(rad1.id),
        "on_date": monday.isoformat(),
        "kind": "off",
        "start_time": start,
        "end_time": end,
        "note": "Congress",
    }
    warn_then_confirm(
        session,
        admin,
        "/admin/rosters/exceptions/new",
        data,
        [appointment],
        spared=[colleague],
        reason=f"{rad1.full_name} is not on duty then",
    )
    assert count(session, RosterException) == 1


def test_deleting_an_extra_duty_warns_of_its_bookings(session, clinic, admin):
    saturday = next_monday() + dt.timedelta(days=5)
    rad1 = clinic.radiologists[0]
    _template, entry = _saturday_clinic(session, clinic, saturday)
    session.delete(entry)  # no Saturday pattern: only the extra duty
    extra = RosterException(
        radiologist_id=rad1.id, on_date=saturday, kind="extra", start_time=dt.time(8), end_time=dt.time(12)
    )
    session.add(extra)
    session.commit()
    appointment = book_on_day(session, clinic, saturday, radiologist=rad1)
    warn_then_confirm(
        session, admin, f"/admin/rosters/exceptions/{extra.id}/delete", {}, [appointment], form_page="/admin/rosters"
    )
    assert count(session, RosterException) == 0


def test_roster_page_names_weekdays_and_shows_exceptions(session, clinic, admin):
    rad1 = clinic.radiologists[0]
    monday = next_monday()
    session.add(RosterException(radiologist_id=rad1.id, on_date=monday, kind="off", note="Congress"))
    session.commit()
    page = text(admin.get(f"/admin/rosters?radiologist={rad1.id}"))
    assert "Monday" in page and "Friday" in page and "Congress" in page and "whole day" in page
    before = snapshot(session, book_on_day(session, clinic, monday + dt.timedelta(days=1), radiologist=rad1))
    assert before[0] == "booked"
