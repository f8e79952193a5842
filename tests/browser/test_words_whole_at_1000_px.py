"""Browser, staff walk on German screens at 1000 px (Chromium, de-DE): every table cell could break anywhere
(``overflow-wrap: anywhere``), so a squeezed column split "Überwei|sung", dates "07.12.|2026", ages "47 |J.",
phone numbers and status badges in the middle. On the busy pages of a clinic day no word, date, time, age or
badge is split over two lines, and no page scrolls sideways as a whole (a wide table scrolls in its box)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.services import procedure_day
from tests.browser.test_german_fit import PLACEHOLDER_FITS
from tests.browser_fixtures import hand_over, speak
from tests.conftest import NOW, ZONE
from tests.factories import add_to_waitlist, book, build_clinic, make_patient, make_ready_referral, make_referral
from tests.radiology.day_helpers import START, to_observation, to_procedure
from tests.scheduling.helpers import chain

WIDTH = {"width": 1000, "height": 900}

# Every text of the page, character by character: where a text's next line starts, the character before the
# break must be a space, a hyphen or a slash (or the next one a space). A word too long for any column (a name's
# .long-word) may break, the last resort. Each hit: the break with a few characters either side, and the text.
SPLIT_WORDS = """root => {
  const hits = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(".long-word, script, style, option, textarea, .visually-hidden")) continue;
    const whole = document.createRange();
    whole.selectNodeContents(node);
    const lines = new Set([...whole.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (lines.size < 2) continue;
    let top = null;
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = [...range.getClientRects()].find(r => r.width > 0);
      if (!rect) continue;
      const before = i > 0 ? node.data[i - 1] : " ";
      if (top !== null && rect.top > top + 2 && !/[\\s\\-\\u2010-\\u2014\\/]/.test(before)
          && !/\\s/.test(node.data[i])) {
        hits.push(node.data.slice(Math.max(0, i - 12), i) + "|" + node.data.slice(i, i + 12)
                  + "  <" + parent.tagName.toLowerCase() + "." + parent.className + ">");
      }
      top = rect.top;
    }
  }
  return hits;
}"""
# Dates, times, ages and phone numbers inside the page's texts, and status badges: each on one line ("47 J."
# split at its space, "+49 (0)171 555 019 99" at any of its). Each hit: the text and the lines it took.
ON_ONE_LINE = r"""root => {
  const hits = [];
  const lines = range => new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
  const pattern = /\d{2}\.\d{2}\.\d{4}|\d{1,2}:\d{2}|\d+[ \u00a0]J\.|\+\d[\d ()\/]{6,}\d/g;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || node.parentElement.closest("script, style, option, textarea")) continue;
    for (const match of node.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      if (lines(range) > 1) hits.push(match[0]);
    }
  }
  for (const badge of root.querySelectorAll('.badge[class*="status-"]')) {
    const range = document.createRange();
    range.selectNodeContents(badge);
    if (lines(range) > 1) hits.push(badge.textContent.trim());
  }
  return hits;
}"""
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, innerWidth]"
# The tables that scroll sideways in their own box: [scrolled width, the box's width] each.
SCROLLING_TABLES = """() => [...document.querySelectorAll('.table-responsive')]
  .filter(box => box.scrollWidth > box.clientWidth).map(box => [box.scrollWidth, box.clientWidth])"""
# At 1000 px no table scrolls in its box: every list fits, and the day calendar (three rooms and six beds) too.
MAY_SCROLL = ()  # walk 26: the day calendar fits too (tests/browser/test_day_calendar_fits.py)

# Long German names, long phone numbers, allergies and blood thinners: the cells at their widest.
PEOPLE = [
    ("Müller-Lüdenscheidt", "Anna-Katharina", dt.date(1979, 3, 14)),
    ("Schwarzenberger", "Maximiliane Friederike", dt.date(1948, 7, 2)),
    ("Oberhauser-Wittgenstein", "Karl-Theodor", dt.date(1961, 12, 24)),
    ("Überschär", "Hans-Jürgen", dt.date(1955, 5, 5)),
    ("Papadopoulou", "Eleni", dt.date(1990, 1, 31)),
    ("Dąbrowski", "Małgorzata", dt.date(1972, 9, 9)),
]


@pytest.fixture
def clinic_day(session, settings):
    """Six appointments today (two in observation, one in the procedure, one checked in, two booked), a
    referral waiting for triage and one on the waitlist; everyone's screens in German."""
    clinic = build_clinic(session, texts=True)
    appointments = []
    for n, (family, given, born) in enumerate(PEOPLE):
        patient = make_patient(
            session, family_name=family, given_name=given, birth_date=born, phone=f"+49 (0)40 555 019 8{n}"
        )
        referral = make_ready_referral(
            session,
            clinic,
            patient,
            medications=[("clopidogrel", "", NOW.date() - dt.timedelta(days=12))] if n in (3, 5) else (),
            allergies=["contrast", "latex"] if n % 3 == 0 else (),
            escort_name="Maria-Theresia Großmann-Oberländer",
            escort_phone="+49 (0)171 555 019 99",
        )
        room = clinic.rooms["CT 1" if n % 2 == 0 else "CT 2"]
        start = START + dt.timedelta(minutes=30 * (n // 2))
        candidate = chain(room, clinic.radiologists[n % 2], clinic.beds[n], start, 20, 30)
        appointments.append(book(session, settings, referral, candidate))
    to_observation(session, clinic, appointments[0])
    to_observation(session, clinic, appointments[1])
    to_procedure(session, clinic, appointments[2])
    procedure_day.check_in(session, None, appointments[3], at=NOW, zone=ZONE)
    make_referral(
        session,
        make_patient(session, family_name="Rosenkranz-Überweisung", given_name="Wilhelmine"),
        clinical_question="Lumboischialgie rechts seit zwölf Wochen, Physiotherapie ohne Erfolg, bitte PRT L5 rechts",
    )
    waiting = make_ready_referral(session, clinic, make_patient(session, family_name="Wartemann-Brückner"))
    add_to_waitlist(session, waiting)
    speak(session, "de")
    return hand_over(session, appointments[4], appointments[4].referral)


def pages(appointment_id: int, referral_id: int) -> list[tuple[str, str]]:
    day = "2026-11-23"
    return [
        ("frontdesk", "/desk/"),
        ("frontdesk", f"/desk/calendar?day={day}"),
        ("rad1", f"/radiology/worklist?day={day}"),
        ("frontdesk", "/desk/referrals"),
        ("frontdesk", f"/desk/referrals/{referral_id}"),
        ("frontdesk", "/patients/"),
        ("frontdesk", f"/desk/appointments/{appointment_id}"),
        ("frontdesk", "/desk/check-in"),
        ("frontdesk", "/desk/waitlist"),
        ("nurse", "/observation/"),
    ]


def test_the_busy_pages_keep_words_dates_and_badges_whole_at_1000_px(clinic_day, staff):
    appointment_id, referral_id = clinic_day
    people = {}
    split, wide = {}, {}
    for username, path in pages(appointment_id, referral_id):
        person = people.get(username) or people.setdefault(username, staff(username))
        person.page.set_viewport_size(WIDTH)
        page = person.go(path)
        page.wait_for_load_state()
        person.screenshot("words-" + path.strip("/").replace("/", "-").split("?")[0])
        hits = page.evaluate(SPLIT_WORDS, page.locator("body").element_handle())
        hits += [f"{text} (on two lines)" for text in page.evaluate(ON_ONE_LINE, page.locator("body").element_handle())]
        if hits:
            split[path] = hits
        width, room = page.evaluate(PAGE_WIDTH)
        if width > room:
            wide[path] = (width, room)
        if not path.startswith(MAY_SCROLL) and page.evaluate(SCROLLING_TABLES):
            wide[path] = page.evaluate(SCROLLING_TABLES)
        if path == "/desk/":
            scan_box = page.locator("#reference").evaluate(PLACEHOLDER_FITS)  # its placeholder, and the room for it
    for person in people.values():
        assert person.console_errors == []
    assert split == {}, "\n".join(f"{path}: {hit}" for path, hits in split.items() for hit in hits)
    assert wide == {}
    assert scan_box[0] <= scan_box[1], scan_box


def test_ages_and_phone_numbers_are_kept_on_one_line(app):
    from clinic.templating import age, phones

    with app.test_request_context():
        assert age(47) == "47\u00a0J."  # the clinic's language: German
    assert age(None) == ""
    kept = '<span class="text-nowrap">{}</span>'.format
    assert phones("Maria Großmann, +49 (0)171 555 019 99") == "Maria Großmann, " + kept("+49 (0)171 555 019 99")
    assert phones("<b>040 555 0199</b>") == "&lt;b&gt;" + kept("040 555 0199") + "&lt;/b&gt;"
    # A date and a time beside each other are not a phone number.
    assert phones("Petra Möller, 23.11.2026 07:00") == "Petra Möller, 23.11.2026 07:00"
    assert phones(None) == ""
