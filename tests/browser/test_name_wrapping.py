"""Browser, staff walk: patients' names in the triage list broke mid-word in its narrow column ("Mül|ler";
every table cell may break anywhere, which lets the table squeeze the name's column below its words). A
name now wraps at its spaces and hyphens only; a single word too long for any column still breaks."""

from __future__ import annotations

import datetime as dt

from tests.browser_fixtures import hand_over
from tests.factories import build_clinic, make_patient, make_referral

# Each text node of the name, character by character: where a new line starts, the character before it
# must be a space or a hyphen.
BREAKS_INSIDE_WORDS = """link => {
  const breaks = [];
  const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
  let previous = null, top = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      if (top !== null && rect.top > top + 2 && !/[\\s-]/.test(previous) && !/\\s/.test(node.data[i])) {
        breaks.push(previous + "|" + node.data[i]);
      }
      top = rect.top;
      previous = node.data[i];
    }
  }
  return breaks;
}"""


def test_triage_names_wrap_at_spaces_and_hyphens_only(session, staff):
    build_clinic(session)
    names = [
        ("Meyer-Lüdenscheidt", "Anna-Katharina Sophie"),
        ("Schwarzenberger", "Maximiliane Friederike"),
        ("Q" * 60, "W"),  # one word longer than any column: breaks, the last resort
    ]
    question = "Lumboischialgie rechts seit zwölf Wochen, Physiotherapie ohne Erfolg, bitte PRT L5 rechts erwägen"
    for family, given in names:
        make_referral(
            session,
            make_patient(session, family_name=family, given_name=given),
            received_on=dt.date(2026, 11, 20),
            clinical_question=question,
        )
    hand_over(session)
    doctor = staff("rad1")
    doctor.page.set_viewport_size({"width": 480, "height": 900})
    page = doctor.go("/radiology/triage")
    for family, _given in names[:2]:
        link = page.locator("main table a", has_text=family).first
        assert link.evaluate(BREAKS_INSIDE_WORDS) == [], family
        assert link.evaluate("l => l.getClientRects().length") >= 1
    long_name = page.locator("main table a", has_text="Q" * 30).first
    assert long_name.evaluate(BREAKS_INSIDE_WORDS) != []  # it had to break inside its one word
    widths = page.evaluate(
        "() => [document.querySelector('main table').scrollWidth, document.querySelector('main').clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    assert doctor.console_errors == []


def test_a_name_is_escaped_and_only_a_long_word_may_break():
    from clinic.templating import person_name

    shown = str(person_name("<b>O'Brien</b>-" + "Q" * 30 + " Anna"))
    assert "<b>" not in shown and "&lt;b&gt;" in shown
    assert shown.count('class="long-word"') == 1 and f'<span class="long-word">{"Q" * 30}</span>' in shown
