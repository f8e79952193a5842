"""Issue 16 item 5: "no planned procedure yet" is one rule (ProcedurePlan.from_referral) with one answer,
whether the API's slot search, the desk's booking screen or a radiologist's medication plan asks."""

from __future__ import annotations

import pytest

from clinic.scheduling.plan import NotPlanned
from clinic.services import medication
from tests.conftest import ZONE

MESSAGE = "This referral has no planned procedure yet: a radiologist accepts it first."


def test_the_api_the_booking_screen_and_the_medication_plan_refuse_alike(session, world, api_as, browser):
    referral = world.received  # waiting for triage: no plan
    answer = api_as("frontdesk").get(f"/slots?referral_id={referral.id}")
    assert answer.status_code == 422  # not_ready, with the checklist that says the referral waits for triage
    assert any(
        m.startswith("Referral accepted by a radiologist") for m in answer.get_json()["error"]["details"]["missing"]
    )

    with pytest.raises(NotPlanned, match="no planned procedure yet") as refused:
        medication.confirm_plan(session, world.clinic.radiologists[0], referral, ZONE)
    assert refused.value.http_status == 422 and refused.value.message == MESSAGE

    browser.login("frontdesk")
    page = browser.get(f"/desk/referrals/{referral.id}/book")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/desk/referrals/{referral.id}")
    shown = browser.get(page.headers["Location"]).get_data(as_text=True)
    assert MESSAGE in shown.replace("&#39;", "'")
