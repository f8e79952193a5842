"""Calendar feeds: made and revoked on the admin screen, fetched as a subscriber does, parsed back with
icalendar; no patient names; the right hour on both sides of a daylight-saving change."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from clinic.core import clock
from clinic.models import Appointment, CalendarFeed
from clinic.services import feeds
from tests.api.conftest import clinic, world  # noqa: F401  (fixtures)
from tests.api.world import ready_referral
from tests.factories import book
from tests.scheduling.helpers import first_candidates

SUBSCRIBER = {
    "User-Agent": "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0)",
    "Accept": "text/calendar",
}
BERLIN = ZoneInfo("Europe/Berlin")


def _make_feed(browser, owner: str) -> str:
    browser.login("admin")
    page = browser.post("/admin/calendar-feeds", {"owner": owner}, form_page="/admin/calendar-feeds")
    assert page.status_code == 200
    match = re.search(r"(https?://[^\s<\"]+/feeds/cf_[^\s<\"]+\.ics)", page.get_data(as_text=True))
    assert match, "the new feed address is shown"
    return match.group(1)


def _fetch(app, url: str):
    path = url.split("clinic.test", 1)[-1]
    return app.test_client().get(path, headers=SUBSCRIBER)


def test_a_radiologist_feed_lists_their_appointments_without_patient_names(app, browser, world, session):  # noqa: F811
    radiologist = world.appointments["booked"].radiologist
    url = _make_feed(browser, f"radiologist:{radiologist.id}")
    assert session.scalar(select(CalendarFeed.token_hash)) not in url  # only the hash is stored

    response = _fetch(app, url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    assert calendar["X-WR-CALNAME"] == radiologist.full_name
    events = {e["UID"]: e for e in calendar.walk("VEVENT")}
    theirs = session.scalars(select(Appointment).where(Appointment.radiologist_id == radiologist.id)).all()
    expected = {f"appointment-{a.id}@pain-clinic" for a in theirs if a.status != "no_show"}
    assert set(events) == expected and expected
    body = response.get_data(as_text=True)
    for appointment in world.appointments.values():
        assert appointment.patient.family_name not in body
        assert appointment.patient.given_name not in body
    booked = world.appointments["booked"]
    if booked.radiologist_id == radiologist.id:
        event = events[f"appointment-{booked.id}@pain-clinic"]
        assert booked.reference in event["SUMMARY"] and event["SUMMARY"].startswith("PRT")
        assert event.decoded("DTSTART") == booked.table_start
        assert event.decoded("DTEND") == booked.table_end
    cancelled = world.appointments["cancelled"]
    if cancelled.radiologist_id == radiologist.id:
        assert events[f"appointment-{cancelled.id}@pain-clinic"]["STATUS"] == "CANCELLED"


def test_a_revoked_or_unknown_feed_is_404(app, browser, world, session):  # noqa: F811
    room = world.appointments["booked"].room
    url = _make_feed(browser, f"room:{room.id}")
    assert _fetch(app, url).status_code == 200
    feed = session.scalars(select(CalendarFeed)).one()
    browser.post(f"/admin/calendar-feeds/{feed.id}/revoke", {}, form_page="/admin/calendar-feeds")
    session.expire_all()
    assert session.get(CalendarFeed, feed.id).revoked_at is not None
    assert _fetch(app, url).status_code == 404
    assert app.test_client().get("/feeds/cf_nothing-here.ics").status_code == 404


def test_only_an_administrator_makes_feeds(app, browser, world):  # noqa: F811
    browser.login("frontdesk")
    assert browser.get("/admin/calendar-feeds").status_code == 403


def test_times_are_right_across_the_change_to_summer_time(app, session, settings, clinic):  # noqa: F811
    """Friday 26 March 2027 is CET (+01:00), Monday 29 March CEST (+02:00): the first procedure of each
    day starts at 08:00 on the clinic's clock, 07:00 and 06:00 UTC."""
    friday, monday = dt.date(2027, 3, 26), dt.date(2027, 3, 29)
    booked = []
    for day in (friday, monday):
        referral = ready_referral(session, clinic)
        chain = first_candidates(
            session, settings, referral, first_day=day, days=0, limit=1, room_id=clinic.rooms["CT 1"].id
        )[0]
        booked.append(book(session, settings, referral, chain))
    session.commit()
    assert [a.table_start for a in booked] == [
        dt.datetime(2027, 3, 26, 7, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 3, 29, 6, 0, tzinfo=dt.UTC),
    ]
    token = feeds.create(session, None, room_id=clinic.rooms["CT 1"].id)
    session.commit()
    clock.pin(dt.datetime(2027, 3, 24, 6, 0, tzinfo=dt.UTC))  # the week of the change (the fixture restores NOW)
    response = app.test_client().get(f"/feeds/{token}.ics", headers=SUBSCRIBER)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Berlin" in text
    assert "DTSTART;TZID=Europe/Berlin:20270326T080000" in text
    assert "DTSTART;TZID=Europe/Berlin:20270329T080000" in text
    calendar = Calendar.from_ical(response.get_data())
    starts = sorted(e.decoded("DTSTART") for e in calendar.walk("VEVENT"))
    assert [s.astimezone(dt.UTC) for s in starts] == [a.table_start for a in booked]
    assert [s.astimezone(BERLIN).utcoffset() for s in starts] == [dt.timedelta(hours=1), dt.timedelta(hours=2)]
    # the VTIMEZONE itself carries the 2027 change: 02:00 CET becomes 03:00 CEST on 28 March
    timezone = calendar.walk("VTIMEZONE")[0].to_tz()
    assert dt.datetime(2027, 3, 28, 1, 30).replace(tzinfo=timezone).utcoffset() == dt.timedelta(hours=1)
    assert dt.datetime(2027, 3, 28, 3, 30).replace(tzinfo=timezone).utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize("owner", ["radiologist", "room"])
def test_feed_service_refuses_a_feed_without_exactly_one_owner(session, clinic, owner):  # noqa: F811
    from clinic.core.errors import InvalidInput, NotFound

    with pytest.raises(InvalidInput):
        feeds.create(session, None)
    with pytest.raises(NotFound):
        feeds.create(session, None, **{f"{owner}_id": 999999})
