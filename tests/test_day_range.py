"""Walk F-18: a day in the address outside the years a screen shows (a typo such as 0001 or 9999 in "go to
date") is answered with 400 and a clear message on every screen that takes one, never a server error."""

from __future__ import annotations

import pytest

from clinic.models.vocab import Role
from tests.conftest import Browser
from tests.factories import build_clinic, make_ready_referral, make_user

FAR_DAYS = ["9999-12-31", "9999-12-28", "0001-01-01", "0002-12-08", "1999-12-31", "2100-01-01"]


@pytest.mark.parametrize("day", FAR_DAYS)
def test_a_day_outside_the_shown_years_is_a_clear_400_on_every_screen(app, session, day):
    clinic = build_clinic(session, radiologists=1)
    room = clinic.rooms["CT 1"]
    session.commit()
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    radiologist = Browser(app.test_client())
    radiologist.login("rad1")
    for browser, url in [
        (desk, f"/desk/calendar?day={day}"),
        (desk, f"/desk/calendar?day={day}&view=week"),
        (radiologist, f"/radiology/worklist?day={day}"),
        (radiologist, f"/radiology/worklist/{room.id}.pdf?day={day}"),
        (radiologist, f"/radiology/reports?from={day}"),
        (radiologist, f"/radiology/reports?to={day}"),
    ]:
        answer = browser.get(url)
        assert answer.status_code == 400, url
        assert "Choose a day between the years 2000 and 2099." in answer.get_data(as_text=True), url


def test_the_edges_of_the_shown_years_are_shown(app, session):
    clinic = build_clinic(session, radiologists=1)
    session.commit()
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    for day in ("2000-01-01", "2099-12-31"):
        assert desk.get(f"/desk/calendar?day={day}").status_code == 200
        assert desk.get(f"/desk/calendar?day={day}&view=week").status_code == 200
    radiologist = Browser(app.test_client())
    radiologist.login("rad1")
    assert radiologist.get(f"/radiology/worklist/{clinic.rooms['CT 1'].id}.pdf?day=2099-12-31").status_code == 200


def test_the_german_message_for_a_far_day(app, session):
    build_clinic(session, radiologists=1)
    make_user(session, "empfang", {Role.FRONT_DESK}, "Erika Empfang", language="de")
    session.commit()
    desk = Browser(app.test_client())
    desk.login("empfang")
    answer = desk.get("/desk/calendar?day=0001-01-01")
    assert answer.status_code == 400
    assert "Bitte einen Tag zwischen den Jahren 2000 und 2099 wählen." in answer.get_data(as_text=True)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_finders_not_before_refuses_a_far_day(app, session, day):
    clinic = build_clinic(session, radiologists=1)
    referral = make_ready_referral(session, clinic)
    session.commit()
    desk = Browser(app.test_client())
    desk.login("frontdesk")
    answer = desk.get(f"/desk/referrals/{referral.id}/book?earliest_date={day}")
    assert answer.status_code == 400
    assert "Choose a day between the years 2000 and 2099." in answer.get_data(as_text=True)
