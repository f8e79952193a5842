"""Browser, staff walk on German screens at 1000 px (Chromium, de-DE, 5 December): the patient search's
placeholder was cut off on /patients/ (it fitted at 1400 px), a long name on the medication call list broke
inside its word ("Søndergaa|rd"), and the navigation's user name wrapped onto two lines. A later walk: the
radiologist's menu took two rows at 1000 px."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.core.timefmt import to_local
from clinic.models import AnticoagulantRule, MedicationEntry
from clinic.services import hold_rules
from tests.browser.test_german_fit import PLACEHOLDER_FITS
from tests.browser.test_name_wrapping import BREAKS_INSIDE_WORDS
from tests.browser_fixtures import hand_over, speak
from tests.conftest import NOW, ZONE
from tests.factories import book, build_clinic, make_patient, make_ready_referral, make_user

WIDTH = {"width": 1000, "height": 900}
# The lines a text takes: the distinct tops of the boxes its characters are laid out in.
LINES = """n => {
  const r = document.createRange();
  r.selectNodeContents(n);
  return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size;
}"""
NAMES = [("Søndergaard", "Bjørn-Henrik"), ("Müller-Lüdenscheidt", "Anna-Katharina")]


def test_the_patient_search_shows_its_whole_placeholder_at_1000_px(session, staff):
    build_clinic(session)
    speak(session, "de")
    hand_over(session)
    desk = staff("frontdesk")
    desk.page.set_viewport_size(WIDTH)
    box = desk.go("/patients/").locator("#q")
    assert box.get_attribute("placeholder").startswith("Name, Geburtsdatum (21.11.1960), Patientennummer oder")
    needed, room = box.evaluate(PLACEHOLDER_FITS)
    assert needed <= room, (needed, room)
    assert desk.console_errors == []


def test_a_long_name_on_the_call_list_keeps_its_words_whole_at_1000_px(session, settings, staff):
    clinic = build_clinic(session, texts=True)
    for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "apixaban")):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)
    for family, given in NAMES:
        referral = make_ready_referral(
            session,
            clinic,
            make_patient(session, family_name=family, given_name=given),
            medications=[("clopidogrel", "", None)],
        )
        appointment = book(session, settings, referral, first_day=dt.date(2026, 11, 30))
        # A last dose too late for the hold: the row's medication cell is at its longest.
        day = to_local(appointment.table_start, ZONE).date() - dt.timedelta(days=1)
        referral.preregistration.medications.append(MedicationEntry(drug_code="apixaban", last_dose_on=day))
    speak(session, "de")
    hand_over(session)
    desk = staff("frontdesk")
    desk.page.set_viewport_size(WIDTH)
    page = desk.go("/desk/medication-calls")
    desk.screenshot("call-list-1000")
    assert page.locator("main table .badge", has_text="Letzte Einnahme zu spät").count() == len(NAMES)
    for family, _given in NAMES:
        name = page.locator("main table tbody td:nth-child(2)", has_text=family)
        assert name.evaluate(BREAKS_INSIDE_WORDS) == [], family
    assert page.evaluate("() => document.querySelector('main table').scrollWidth <= innerWidth")
    assert desk.console_errors == []


def test_the_users_name_in_the_navigation_stays_on_one_line_at_1000_px(session, staff):
    build_clinic(session)
    make_user(session, "radiologe", {"radiologist", "admin"}, "Dr. med. Friederike Schwarzenberger")
    speak(session, "de")
    hand_over(session)
    for username in ("frontdesk", "nurse", "admin", "radiologe"):
        person = staff(username)
        person.page.set_viewport_size(WIDTH)
        page = person.go("/")
        person.screenshot(f"navigation-{username}-1000")
        name = page.locator("nav .nav-user-name:visible")  # at 1000 px the name opens its menu
        lines = name.evaluate(LINES)
        assert lines == 1, username
        nav = page.evaluate("() => [document.querySelector('nav').scrollWidth, innerWidth]")
        assert nav[0] <= nav[1], (username, nav)
        assert person.console_errors == []
        person.close()


# Each piece of the navigation bar: its text, its top and its bottom.
ROW = """() => [...document.querySelectorAll('nav .navbar-brand, nav .nav-link, nav .nav-user')]
  .filter(e => e.getClientRects().length).map(e => {
    const box = e.getBoundingClientRect();
    return [e.textContent.trim(), Math.round(box.top), Math.round(box.bottom)];
  })"""


def test_the_radiologists_menu_fits_on_one_row_at_1000_px(session, staff):
    build_clinic(session)
    make_user(session, "radiologe", {"radiologist", "admin"}, "Dr. med. Friederike Schwarzenberger")
    speak(session, "de")
    hand_over(session)
    for username in ("rad1", "radiologe"):
        person = staff(username)
        person.page.set_viewport_size(WIDTH)
        page = person.go("/radiology/worklist")
        person.screenshot(f"menu-{username}-1000")
        pieces = page.evaluate(ROW)
        texts = [text for text, _top, _bottom in pieces]
        assert {"Kalender", "Indikation", "Arbeitsliste", "Überwachung", "Auswertungen"} <= set(texts), texts
        # One row: every piece overlaps every other vertically.
        assert max(top for _t, top, _b in pieces) < min(bottom for _t, _top, bottom in pieces), pieces
        nav = page.evaluate("() => [document.querySelector('nav').scrollWidth, innerWidth]")
        assert nav[0] <= nav[1], (username, nav)
        # The name opens the settings and the logout.
        page.locator("nav .nav-user:visible").click()
        page.get_by_role("button", name="Abmelden").wait_for(state="visible")
        assert page.get_by_role("link", name="Ihre Einstellungen").is_visible()
        assert person.console_errors == []
        person.close()
