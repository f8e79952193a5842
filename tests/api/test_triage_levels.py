"""The API's triage refuses levels outside the plan's region (tests/test_spine_levels.py has the rule)."""

from __future__ import annotations

import datetime as dt

from clinic.models import Referral
from clinic.models.vocab import ReferralStatus
from tests.factories import make_referral


def test_the_api_refuses_a_lumbar_level_on_a_cervical_plan(session, clinic, api_as):
    referral = make_referral(session, received_on=dt.date(2026, 11, 20))
    session.commit()
    plan = {"decision": "accept", "procedure_type_id": clinic.pt("PRT").id, "region": "cervical", "side": "right"}
    refused = api_as("radiologist").post(f"/referrals/{referral.id}/triage", json={**plan, "levels": "L4/5"})
    assert refused.status_code == 400
    assert "L4/5 does not lie in the chosen region (Cervical)" in refused.get_json()["error"]["message"]
    session.expire_all()
    assert session.get(Referral, referral.id).status == ReferralStatus.RECEIVED
