"""Browser, staff walk on German screens (Chromium, de-DE, 4 December): the lists' search box cut off its
placeholder "Name, Geburtsdatum oder Telefon", and the observation board's heading broke inside its word
("Überwachu|ng") at 1000 px."""

from __future__ import annotations

from tests.browser.test_name_wrapping import BREAKS_INSIDE_WORDS
from tests.browser_fixtures import hand_over, speak
from tests.factories import build_clinic

# The placeholder's width in the box's own font, and the room the box gives it (inside its padding).
PLACEHOLDER_FITS = """input => {
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [Math.ceil(context.measureText(input.placeholder).width), Math.floor(room)];
}"""


def test_the_list_search_box_shows_its_whole_placeholder(session, staff):
    build_clinic(session)
    speak(session, "de")
    hand_over(session)
    desk = staff("frontdesk")
    for path in ("/desk/referrals", "/desk/waitlist", "/desk/medication-calls"):
        box = desk.go(path).locator("#q")
        assert box.get_attribute("placeholder") == "Name, Geburtsdatum oder Telefon", path
        needed, room = box.evaluate(PLACEHOLDER_FITS)
        assert needed <= room, (path, needed, room)
    box = desk.go("/patients/").locator("#q")
    assert "Telefon" in box.get_attribute("placeholder")
    needed, room = box.evaluate(PLACEHOLDER_FITS)
    assert needed <= room, ("/patients/", needed, room)
    assert "Auch eine Telefonnummer findet den Patienten" in desk.page.locator("main .kbd-hint").inner_text()
    assert desk.console_errors == []


def test_the_observation_heading_keeps_its_word_whole_at_1000_px(session, staff):
    build_clinic(session)
    speak(session, "de")
    hand_over(session)
    nurse = staff("nurse")
    nurse.page.set_viewport_size({"width": 1000, "height": 900})
    heading = nurse.go("/observation/").locator("main h1").first
    assert heading.inner_text() == "Überwachung"
    assert heading.evaluate(BREAKS_INSIDE_WORDS) == []
    assert heading.evaluate("h => h.getClientRects().length") == 1
    assert nurse.console_errors == []
