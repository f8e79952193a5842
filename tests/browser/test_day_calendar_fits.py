"""Browser, staff walk on German screens at 1000 px (Chromium, de-DE, walk 26): on the day calendar the
observation beds' columns were cut off at the window's edge; the grid scrolled sideways only in a box whose scroll
bar sat at the foot of the day-long table, out of sight. Three rooms and six beds now fit 1000 px; with less room
the grid scrolls inside a box that stays within the window (both scroll bars in view), never the page."""

from __future__ import annotations

import datetime as dt

from tests.browser_fixtures import hand_over, speak
from tests.factories import book, build_clinic, make_patient, make_ready_referral
from tests.radiology.day_helpers import START
from tests.scheduling.helpers import chain

# The calendar's box and its columns: the page's width and the window's, the box's scrolled width and its own,
# its bottom edge and the window's height, and the right edge of the last column heading.
MEASURE = """() => {
  const box = document.querySelector('.calendar-grid').parentElement;
  const headings = [...box.querySelectorAll('thead th')];
  return {page: document.documentElement.scrollWidth, window: innerWidth, scrolled: box.scrollWidth,
          box: box.clientWidth, boxHeight: box.getBoundingClientRect().height, windowHeight: innerHeight,
          lastRight: headings[headings.length - 1].getBoundingClientRect().right,
          boxRight: box.getBoundingClientRect().right, beds: headings.filter(th => th.matches('.cal-bed')).length};
}"""


def test_the_day_calendars_beds_fit_1000_px_and_scroll_in_view_when_narrower(session, settings, staff):
    clinic = build_clinic(session, texts=True)
    for n, family in enumerate(("Müller-Lüdenscheidt", "Oberhauser-Wittgenstein", "Papadopoulou")):
        referral = make_ready_referral(session, clinic, make_patient(session, family_name=family))
        room = clinic.rooms["CT 1" if n % 2 == 0 else "CT 2"]
        start = START + dt.timedelta(minutes=30 * n)
        book(session, settings, referral, chain(room, clinic.radiologists[n % 2], clinic.beds[-1 - n], start, 20, 30))
    speak(session, "de")
    hand_over(session)
    desk = staff("frontdesk")

    desk.page.set_viewport_size({"width": 1000, "height": 900})
    page = desk.go("/desk/calendar?day=2026-11-23")
    desk.screenshot("day-calendar-1000")
    fit = page.evaluate(MEASURE)
    assert fit["beds"] == len(clinic.beds) == 6
    assert fit["page"] <= fit["window"], fit
    assert fit["scrolled"] <= fit["box"], fit  # nothing to scroll to: every bed in view
    assert fit["lastRight"] <= fit["boxRight"] + 1, fit
    assert page.locator("td.cal-obs", has_text="Papadopoulou").is_visible()

    desk.page.set_viewport_size({"width": 760, "height": 700})
    narrow = page.evaluate(MEASURE)
    assert narrow["page"] <= narrow["window"], narrow
    assert narrow["scrolled"] > narrow["box"], narrow  # the grid scrolls in its box ...
    assert narrow["boxHeight"] < narrow["windowHeight"], narrow  # ... whose scroll bar is in the window
    assert desk.console_errors == []
