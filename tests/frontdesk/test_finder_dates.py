"""The slot finder's "Not before" (earliest date): one that cannot be read (31 February, letters, a year
such as 9999) answers 400 with the booking page, the message at that field and what was typed kept, and the
other preferences the user chose still chosen. No times are listed: times that ignore the date the user
asked for could be booked by mistake."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clinic.models.vocab import Role
from tests.conftest import logged_in
from tests.factories import book, build_clinic, make_ready_referral, make_user

NOT_A_DATE = "Kein gültiges Datum."
FAR = "Bitte einen Tag zwischen den Jahren 2000 und 2099 wählen."
BOOKED_ON = dt.date(2026, 11, 24)


def _field(html: str, name: str) -> str:
    """A field's block in the search form: its label, input or select, and its messages."""
    start = html.index(f'<label class="form-label" for="{name}"')
    return html[start : html.index('<div class="col-', start)]


def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option selected value="([^"]*)"', select.group(0))
    return chosen.group(1) if chosen else None


@pytest.fixture
def clinic(session):
    clinic = build_clinic(session)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    return clinic


@pytest.mark.parametrize(("typed", "message"), [("2026-02-31", NOT_A_DATE), ("abc", NOT_A_DATE), ("9999-01-01", FAR)])
def test_a_bad_not_before_is_refused_at_its_field_keeping_the_other_preferences(app, session, clinic, typed, message):
    referral = make_ready_referral(session, clinic)
    session.commit()
    (desk,) = logged_in(app, "desk_de")
    room, radiologist = clinic.rooms["CT 2"], clinic.radiologists[1]
    chosen = f"radiologist_id={radiologist.id}&room_id={room.id}&part_of_day=afternoon"
    good = desk.get(f"/desk/referrals/{referral.id}/book?{chosen}&earliest_date=2026-12-01")
    assert good.status_code == 200 and 'name="table_start"' in good.get_data(as_text=True)

    answer = desk.get(f"/desk/referrals/{referral.id}/book?{chosen}&earliest_date={typed}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    field = _field(html, "earliest_date")
    assert message in field and "is-invalid" in field and f'value="{typed}"' in field
    assert _selected(html, "radiologist_id") == str(radiologist.id)
    assert _selected(html, "room_id") == str(room.id)
    assert _selected(html, "part_of_day") == "afternoon"
    assert 'name="table_start"' not in html  # no times that ignore the date asked for
    assert "Bitte korrigieren Sie die Suche oben, um freie Termine zu sehen." in html


def test_moving_an_appointment_refuses_a_bad_not_before_the_same_way(app, session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, first_day=BOOKED_ON, days=1, limit=1)
    session.commit()
    (desk,) = logged_in(app, "desk_de")
    answer = desk.get(f"/desk/appointments/{appointment.id}/reschedule?part_of_day=morning&earliest_date=2026-02-31")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    field = _field(html, "earliest_date")
    assert NOT_A_DATE in field and 'value="2026-02-31"' in field
    assert _selected(html, "part_of_day") == "morning"
    assert 'name="table_start"' not in html
    assert desk.get(f"/desk/appointments/{appointment.id}/reschedule?earliest_date=2026-12-01").status_code == 200


def test_a_not_before_beyond_eight_weeks_finds_times_from_that_day(app, session, clinic):
    """Walk finding: the search window counted from today, so a "Not before" more than eight weeks ahead
    said "no free time in the next eight weeks" on an empty calendar. The window counts from that day."""
    referral = make_ready_referral(session, clinic)
    session.commit()
    (desk,) = logged_in(app, "desk_de")
    answer = desk.get(f"/desk/referrals/{referral.id}/book?earliest_date=2027-02-15")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    offered = re.findall(r'name="table_start" value="([^"]+)"', html)
    assert offered, "no times offered twelve weeks ahead on an empty calendar"
    assert min(dt.datetime.fromisoformat(t).date() for t in offered) >= dt.date(2027, 2, 15)
    assert "Keine freie Zeit" not in html
