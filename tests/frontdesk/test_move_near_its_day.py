"""Walk 22: moved near its day, the message after the move still said to print the new letter and post it,
while the appointment page said "call the patient now" (the letter would not arrive in time). The message
says what the appointment page says, and that the patient is told by telephone."""

from __future__ import annotations

import datetime as dt
import html as markup
import re

from clinic.services import moves
from tests.conftest import NOW
from tests.factories import book, build_clinic, make_ready_referral, make_user
from tests.scheduling.helpers import first_candidates

from .test_move_says_what_changes import _buttons

POSTED = "schicken Sie ihn per Post"


def _desk(session, medications):
    clinic = build_clinic(session)
    make_user(session, "empfang", {"front_desk"}, "Erika Empfang", language="de")
    return clinic, make_ready_referral(session, clinic, medications=medications)


def _move(browser, appointment, pick) -> tuple[str, str]:
    """Moves ``appointment`` to the first time offered that ``pick`` takes; the message after the move and
    the appointment page."""
    path = f"/desk/appointments/{appointment.id}/reschedule"
    fields = next(f for f, _question in _buttons(browser.get(path).get_data(as_text=True)) if pick(f))
    moved = browser.post(path, fields, form_page=path)
    assert moved.status_code == 302, moved.status_code
    page = markup.unescape(browser.get(moved.headers["Location"], follow_redirects=True).get_data(as_text=True))
    message = re.search(r"(Verschoben auf .*?)</div>", page, re.S).group(1)
    return message, page


def test_moved_near_its_day_with_a_drug_to_stop_unconfirmed_the_message_says_call_now(session, settings, browser):
    """Apixaban, its plan still to confirm by telephone: moved from December to the 27th, its stop time
    (24.11) is within the 48 hours of the appointment page's "Rufen Sie den Patienten jetzt an"."""
    _clinic, referral = _desk(session, [("apixaban", "", None)])
    later = first_candidates(session, settings, referral, first_day=dt.date(2026, 12, 7))[0]
    appointment = book(session, settings, referral, later)
    session.commit()
    assert moves.hold_plan(session, appointment).call_urgently(appointment.table_start, NOW) is None
    browser.login("empfang")
    message, page = _move(browser, appointment, lambda f: f["table_start"].startswith("2026-11-27"))
    assert "Rufen Sie den Patienten jetzt an: Das erste Medikament muss bis" in page.split("Verschoben auf")[1]
    assert "Rufen Sie den Patienten jetzt an: Das erste Medikament muss bis" in message
    assert "Ein Brief käme nicht rechtzeitig an: Teilen Sie dem Patienten die neue Uhrzeit telefonisch mit." in message
    assert "Letzte Einnahme von Apixaban spätestens:" in message  # the stop time's change, as before
    assert POSTED not in message and "muss den neuen Terminbrief bekommen" not in message


def test_moved_to_within_48_hours_the_message_says_to_tell_the_patient_by_telephone(session, settings, browser):
    _clinic, referral = _desk(session, [])
    later = first_candidates(session, settings, referral, first_day=dt.date(2026, 12, 7))[0]
    appointment = book(session, settings, referral, later)
    session.commit()
    browser.login("empfang")
    soon = (NOW + dt.timedelta(hours=48)).isoformat()
    message, _page = _move(browser, appointment, lambda f: f["table_start"] < soon)
    assert "Ein Brief käme nicht rechtzeitig an: Teilen Sie dem Patienten die neue Uhrzeit telefonisch mit." in message
    assert "Rufen Sie den Patienten jetzt an" not in message  # no drug to stop
    assert POSTED not in message


def test_moved_to_a_later_day_the_message_still_says_to_post_the_letter(session, settings, browser):
    _clinic, referral = _desk(session, [])
    later = first_candidates(session, settings, referral, first_day=dt.date(2026, 12, 7))[0]
    appointment = book(session, settings, referral, later)
    session.commit()
    browser.login("empfang")
    far = (NOW + dt.timedelta(hours=49)).isoformat()  # the 48 hours and the rounding of a time offered
    message, _page = _move(browser, appointment, lambda f: f["table_start"] > far)
    assert POSTED in message and "nicht rechtzeitig" not in message
