"""Browser, staff walk on German screens at 1000 px (Chromium, de-DE): on the patient card the label
"Krankenkasse" and the e-mail address broke in the middle of a word, on the nurse's observation board the
label "Schmerz (0–10)" took two lines, and the week calendar's room names wrapped ("CT" over "1"). Labels and
room names stay whole on one line; an e-mail address too long for its cell breaks only after its "@" or
before a dot, and never runs out of its cell."""

from __future__ import annotations

import datetime as dt

from tests.browser.test_words_whole_at_1000_px import SPLIT_WORDS, WIDTH
from tests.browser_fixtures import hand_over, speak
from tests.factories import book, build_clinic, make_patient, make_ready_referral
from tests.radiology.day_helpers import START, to_observation
from tests.scheduling.helpers import chain

# The lines a text takes: the distinct tops of the boxes its characters are laid out in.
LINES = """n => {
  const r = document.createRange();
  r.selectNodeContents(n);
  return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size;
}"""
EMAIL = "anna-katharina.mueller-luedenscheidt@praxis-am-stadtpark-hamburg.de"


def test_labels_room_names_and_an_email_stay_whole_at_1000_px(session, settings, staff):
    clinic = build_clinic(session, texts=True)
    patient = make_patient(
        session,
        family_name="Müller-Lüdenscheidt",
        given_name="Anna-Katharina",
        email=EMAIL,
        insurance_name="Techniker Krankenkasse",
    )
    appointments = []
    for n in range(3):
        referral = make_ready_referral(session, clinic, patient if n == 0 else make_patient(session))
        room = clinic.rooms["CT 1" if n % 2 == 0 else "CT 2"]
        start = START + dt.timedelta(minutes=30 * n)
        appointments.append(
            book(session, settings, referral, chain(room, clinic.radiologists[n], clinic.beds[n], start, 20, 30))
        )
    for appointment in appointments:
        to_observation(session, clinic, appointment)
    # A busy week: every day's cells hold appointments, and squeeze the rooms' column.
    for n in range(12):
        referral = make_ready_referral(session, clinic, make_patient(session, family_name=f"Schwarzenbergerhofer{n}"))
        book(session, settings, referral, first_day=dt.date(2026, 11, 24 + n % 4))
    speak(session, "de")
    (patient_id,) = hand_over(session, patient)

    desk = staff("frontdesk")
    desk.page.set_viewport_size(WIDTH)
    page = desk.go(f"/patients/{patient_id}")
    desk.screenshot("patient-card-1000")
    card = page.locator("main .card", has_text="Krankenkasse")
    assert card.locator("dt", has_text="Krankenkasse").evaluate(LINES) == 1
    email = card.locator("dd", has_text="@")
    assert email.inner_text().strip() == EMAIL
    assert card.evaluate(SPLIT_WORDS) == []
    assert email.evaluate("e => e.scrollWidth <= e.clientWidth")

    page = desk.go("/desk/calendar?view=week&day=2026-11-23")
    desk.screenshot("week-calendar-1000")
    rooms = page.locator("main table tbody th")
    assert rooms.count() == 3
    for n in range(rooms.count()):
        assert rooms.nth(n).evaluate(LINES) == 1, rooms.nth(n).inner_text()

    nurse = staff("nurse")
    nurse.page.set_viewport_size(WIDTH)
    page = nurse.go("/observation/")
    nurse.screenshot("observation-board-1000")
    labels = page.locator("main label", has_text="Schmerz (0–10)")
    assert labels.count() == 3
    for n in range(labels.count()):
        assert labels.nth(n).evaluate(LINES) == 1
    # Every label of the check form within its column (none pushed into its neighbour's).
    wider = page.eval_on_selector_all(
        "main form label.form-label",
        "ls => ls.filter(l => l.getBoundingClientRect().width > l.parentElement.clientWidth).map(l => l.textContent)",
    )
    assert wider == []
    assert desk.console_errors == nurse.console_errors == []
