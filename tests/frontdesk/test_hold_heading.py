"""The hold page's heading says the hold's state (walk 22): a hold a newer one replaced still said "Termin
vorgemerkt für …" above "Freigegeben um …: eine neuere Vormerkung hat sie ersetzt"."""

from __future__ import annotations

import datetime as dt
import html as markup
import re

from clinic.core import clock
from tests.conftest import NOW
from tests.factories import build_clinic, german_desk, make_ready_referral
from tests.scheduling.helpers import first_candidates

from .helpers import hold_on_the_booking_page


def _heading(browser, page: str) -> str:
    html = markup.unescape(browser.get(page).get_data(as_text=True))
    return re.search(r'<h1[^>]*id="hold-heading"[^>]*>(.*?)</h1>', html, re.S).group(1).strip()


def _german_desk(session, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    german_desk(session, browser, "Doris Empfang")
    return referral, referral.patient.display_name


def test_a_replaced_and_a_released_hold_say_so_in_the_heading(session, settings, browser):
    referral, name = _german_desk(session, browser)
    first = hold_on_the_booking_page(session, settings, browser, referral)
    assert _heading(browser, first) == f"Termin vorgemerkt für {name}"
    later = first_candidates(session, settings, referral, first_day=dt.date(2026, 11, 25))[0]
    second = hold_on_the_booking_page(session, settings, browser, referral, later)
    assert _heading(browser, first) == f"Vormerkung ersetzt: {name}"
    assert _heading(browser, second) == f"Termin vorgemerkt für {name}"
    assert browser.post(second, {"action": "release"}).status_code == 302
    assert _heading(browser, second) == f"Vormerkung freigegeben: {name}"
    assert _heading(browser, first) == f"Vormerkung ersetzt: {name}"


def test_a_lapsed_hold_says_so_in_the_heading(session, settings, browser):
    referral, name = _german_desk(session, browser)
    page = hold_on_the_booking_page(session, settings, browser, referral)
    clock.pin(NOW + dt.timedelta(minutes=settings.hold_minutes + 1))
    assert _heading(browser, page) == f"Vormerkung abgelaufen: {name}"
