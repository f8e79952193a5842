"""Browser, staff walk 25 on German screens at 1000 px (Chromium): on the front desk's appointment page the
blood-thinner plan was cut off in its half-width column ("Erfasste letzte Einnahme" read "07.12.20…" and had
to be scrolled sideways in its box), and the admin's procedure catalogue was 1084 px wide. Both fit now: no
table scrolls in its box, no date is split, and the page does not scroll sideways."""

from __future__ import annotations

import datetime as dt

from tests.browser.test_words_whole_at_1000_px import (
    ON_ONE_LINE,
    PAGE_WIDTH,
    SCROLLING_TABLES,
    SPLIT_WORDS,
    WIDTH,
)
from tests.browser_fixtures import hand_over, speak
from tests.factories import book, build_clinic, make_patient, make_ready_referral


def _fits(person, path: str) -> dict:
    person.page.set_viewport_size(WIDTH)
    page = person.go(path)
    page.wait_for_load_state()
    person.screenshot("fit-" + path.strip("/").replace("/", "-"))
    body = page.locator("body").element_handle()
    found = {}
    if page.evaluate(SCROLLING_TABLES):
        found["scrolling tables"] = page.evaluate(SCROLLING_TABLES)
    width, room = page.evaluate(PAGE_WIDTH)
    if width > room:
        found["page width"] = (width, room)
    if split := page.evaluate(SPLIT_WORDS, body) + page.evaluate(ON_ONE_LINE, body):
        found["split"] = split
    return found


def test_the_appointments_blood_thinner_plan_is_readable_at_1000_px(session, settings, staff):
    clinic = build_clinic(session, texts=True)
    last_dose = dt.date(2026, 11, 20)
    referral = make_ready_referral(
        session,
        clinic,
        make_patient(session, family_name="Testwalk-Übermüller", given_name="Jörg"),
        medications=[("apixaban", "", last_dose), ("clopidogrel", "", last_dose - dt.timedelta(days=2))],
    )
    appointment = book(session, settings, referral, first_day=dt.date(2026, 11, 30))
    speak(session, "de")
    [appointment_id] = hand_over(session, appointment)
    desk = staff("frontdesk")
    assert _fits(desk, f"/desk/appointments/{appointment_id}") == {}
    plan = desk.page.locator("#medication-plan table")
    assert plan.locator("th", has_text="Erfasste letzte Einnahme").is_visible()
    assert plan.locator("td", has_text="20.11.2026").is_visible()
    assert desk.console_errors == []


def test_the_procedure_catalogue_fits_at_1000_px(session, staff):
    clinic = build_clinic(session)
    clinic.pt("RFA").active = False  # marked under its code when all are shown
    speak(session, "de")
    hand_over(session)
    admin = staff("admin")
    for show in ("active", "all"):
        assert _fits(admin, f"/admin/procedures?show={show}") == {}, show
    assert admin.page.locator("main table .badge", has_text="Außer Betrieb").count() == 1
    assert admin.console_errors == []
