"""Walk finding (5 December, German screens): with a radiologist's override of the medication hold in force,
the medication plan's "Frühester Eingriff" column said "—" for a drug without a hold rule, and for a drug
whose last dose is not recorded a time counted from the clock. The override decides the drugs without a
rule (``HoldPlan.overridden``, walk 27): their row shows its date; a drug with a rule keeps its own hold."""

from __future__ import annotations

import datetime as dt
import html as markup

import pytest

from clinic.core.timefmt import fmt_date
from clinic.services import triage
from tests.browser_fixtures import speak
from tests.conftest import TODAY
from tests.factories import build_clinic, make_ready_referral


@pytest.fixture
def clinic(session):
    return build_clinic(session, texts=True)


def _rows(page: str) -> list[str]:
    plan = page[page.index('id="medication-plan"') :]
    plan = plan[: plan.index("</table>")]
    body = plan[plan.index("<tbody>") :]
    return [row for row in body.split("<tr>")[1:]]


def test_the_plan_shows_the_override_date_as_the_earliest_procedure(session, clinic, browser):
    referral = make_ready_referral(session, clinic, medications=[("phenprocoumon", "", None), ("apixaban", "", None)])
    day = TODAY + dt.timedelta(days=9)
    triage.override_hold(session, clinic.radiologists[0], referral, day, "Nutzen überwiegt deutlich", today=TODAY)
    session.commit()
    speak(session, "de")
    browser.login("frontdesk")
    page = markup.unescape(browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True))
    assert "<th>Frühester Eingriff</th>" in page
    rows = _rows(page)
    assert len(rows) == 2
    earliest = {row.split("<td")[1]: row.split("<td")[3] for row in rows}  # drug, rule, earliest procedure, ...
    [no_rule] = [cell for drug, cell in earliest.items() if "Phenprocoumon" in drug]
    assert fmt_date(day) in no_rule and "—" not in no_rule and ":" not in no_rule.split(">", 1)[1], no_rule
    [ruled] = [cell for drug, cell in earliest.items() if "Apixaban" in drug]
    assert fmt_date(day) not in ruled, ruled  # its own hold, counted once its last dose is recorded


def test_the_booking_page_says_the_override_not_hours_from_a_last_dose(session, clinic, browser):
    """The booking page said "the earliest possible start is 02.12.2026 00:00 (the hold's hours from the last
    possible dose)" under an override: no hours were counted, a radiologist chose the day."""
    referral = make_ready_referral(session, clinic, medications=[("phenprocoumon", "", None)])
    day = TODAY + dt.timedelta(days=9)
    triage.override_hold(session, clinic.radiologists[0], referral, day, "Nutzen überwiegt deutlich", today=TODAY)
    session.commit()
    speak(session, "de")
    browser.login("frontdesk")
    page = markup.unescape(browser.get(f"/desk/referrals/{referral.id}/book").get_data(as_text=True))
    assert f"frühestes Datum {fmt_date(day)}. Grund: Nutzen überwiegt deutlich" in page
    assert "frühestmöglicher Beginn" not in page
