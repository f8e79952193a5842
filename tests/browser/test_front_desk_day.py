"""Browser, issue 21 (front desk): the pre-registration section stays open after a save, the booking
candidates come a few per day with weekday names, a waitlist offer is held before it is booked."""

from __future__ import annotations

import datetime as dt
import re

from tests.browser_fixtures import hand_over, submit
from tests.factories import (
    accept_referral,
    add_to_waitlist,
    book,
    build_clinic,
    make_patient,
    make_ready_referral,
    make_referral,
)


def test_a_saved_pre_registration_section_stays_open(session, staff):
    clinic = build_clinic(session)
    referral = accept_referral(session, clinic, make_referral(session))
    [referral_id] = hand_over(session, referral)
    page = staff("frontdesk").go(f"/desk/referrals/{referral_id}")
    page.click("[data-bs-target='#i-esc']")
    page.locator("#i-esc.show").wait_for()
    page.fill("#escort-name", "Maria Großmann")
    page.fill("#escort-phone", "+49 40 555 0199")
    assert "alert-success" in submit(page, page.locator("#i-esc button[type=submit]").last)
    assert page.url.endswith("#i-esc")
    page.locator("#i-esc.show").wait_for(timeout=3000)
    assert page.locator("[data-bs-target='#i-esc']").get_attribute("aria-expanded") == "true"
    assert page.locator("#i-contact.show").count() == 0


def test_candidates_by_day_and_a_held_waitlist_offer(session, settings, staff):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, first_day=dt.date(2026, 11, 24))
    waiting = make_ready_referral(session, clinic, make_patient(session, family_name="Wartemann", phone="+49 40 333"))
    add_to_waitlist(session, waiting)
    other = make_ready_referral(session, clinic)
    other_id, appointment_id = hand_over(session, other, appointment)
    desk = staff("frontdesk")
    page = desk.go(f"/desk/referrals/{other_id}/book")
    days = page.locator("tbody.candidate-day")
    assert days.count() >= 4
    headers = [days.nth(n).locator("th").first.inner_text() for n in range(days.count())]
    assert re.match(r"(Monday|Montag), 23\.11\.2026", headers[0]), headers
    for n in range(days.count()):
        assert days.nth(n).locator("button[value=book]").count() <= 4
    page.locator("tbody.candidate-day").first.locator("a").click()
    page.wait_for_url(re.compile(r"day=2026-11-23"))
    assert page.locator("tbody.candidate-day").count() == 1
    assert page.locator("button[value=book]").count() > 4
    desk.screenshot("21b-candidates-one-day")

    page = desk.go(f"/desk/appointments/{appointment_id}")
    page.fill("#reason", "Patient is ill")
    page.click("button:has-text('Cancel appointment')")
    page.wait_for_url(re.compile(r"/offers$"))
    assert "+49 40 333" in page.content()
    held = submit(page, page.locator("#offers button[type=submit]").first)
    assert "/desk/holds/" in page.url and "Wartemann" in held and "+49 40 333" in held
    desk.screenshot("21b-waitlist-offer-held")
    booked = submit(page, "button[value=confirm]")
    assert re.search(r"/desk/appointments/\d+$", page.url) and "Booked" in booked
    assert desk.console_errors == []
