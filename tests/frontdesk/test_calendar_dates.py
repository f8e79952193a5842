"""The day and week calendars' day, from the address or the "Go to date" field: a day that cannot be read
(31 February, letters, a year such as 0001) answers 400 with the calendar's page, the message at the date
field and what was typed kept in it; no grid is shown for a day nobody chose."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clinic.models.vocab import Role
from tests.conftest import logged_in
from tests.factories import book, build_clinic, make_patient, make_ready_referral, make_user

NOT_A_DATE = "Kein gültiges Datum."
FAR = "Bitte einen Tag zwischen den Jahren 2000 und 2099 wählen."
BOOKED_ON = dt.date(2026, 11, 24)


def _day_field(html: str) -> tuple[str, str]:
    """The "Go to date" form: its date input and the form's whole markup."""
    form = re.search(r'<form method="get"[^>]*>.*?</form>', html, re.S)
    assert form, "no go-to-date form"
    field = re.search(r'<input[^>]*name="day"[^>]*>', form.group(0))
    assert field, "no day field"
    return field.group(0), form.group(0)


@pytest.fixture
def desk_de(app, session, settings):
    clinic = build_clinic(session)
    patient = make_patient(session, family_name="Kalenderfrau", given_name="Ute")
    book(session, settings, make_ready_referral(session, clinic, patient), first_day=BOOKED_ON, days=1, limit=1)
    make_user(session, "desk_de", {Role.FRONT_DESK}, "Petra Schäfer", language="de")
    session.commit()
    (browser,) = logged_in(app, "desk_de")
    return browser


@pytest.mark.parametrize("view", ["", "&view=week"])
@pytest.mark.parametrize(("typed", "message"), [("2026-02-31", NOT_A_DATE), ("abc", NOT_A_DATE), ("0001-01-01", FAR)])
def test_a_day_that_cannot_be_read_is_refused_at_the_date_field(desk_de, view, typed, message):
    answer = desk_de.get(f"/desk/calendar?day={typed}{view}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    field, form = _day_field(html)
    assert f'value="{typed}"' in field and "is-invalid" in field
    assert message in form  # at the field, in the screen's language
    assert ('name="view" value="week"' in form) == bool(view)  # the week's field stays in the week
    assert "Bitte korrigieren Sie das Datum oben, um den Kalender zu sehen." in html
    assert "Kalenderfrau" not in html and "calendar-grid" not in html and "<tbody>" not in html


def test_the_week_has_the_go_to_date_field(desk_de):
    html = desk_de.get("/desk/calendar?view=week&day=2026-11-24").get_data(as_text=True)
    field, form = _day_field(html)
    assert 'type="date"' in field and 'value="2026-11-24"' in field and "is-invalid" not in field
    assert 'name="view" value="week"' in form
    assert "Kalenderfrau" in html
    # Going to a day of another week shows that week.
    html = desk_de.get("/desk/calendar?view=week&day=2026-12-02").get_data(as_text=True)
    assert "Woche ab 30.11.2026" in html and "Kalenderfrau" not in html


def test_the_day_field_shows_the_day_shown(desk_de):
    html = desk_de.get("/desk/calendar?day=2026-11-24").get_data(as_text=True)
    field, form = _day_field(html)
    assert 'value="2026-11-24"' in field and "is-invalid" not in field and 'name="view"' not in form
    assert "Kalenderfrau" in html and "calendar-grid" in html
    # Without a day in the address: the clinic's today (the tests' pinned clock).
    field, _form = _day_field(desk_de.get("/desk/calendar").get_data(as_text=True))
    assert 'value="2026-11-23"' in field
