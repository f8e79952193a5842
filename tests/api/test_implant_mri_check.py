"""The API's triage: MRI guidance for a recorded implant needs ``implant_mr_checked`` (the screens' checkbox)."""

from __future__ import annotations

from clinic.models import Referral
from clinic.models.vocab import Modality, ReferralStatus
from tests.factories import complete_preregistration, make_referral


def test_the_api_refuses_mri_for_a_recorded_implant_until_it_is_checked(session, clinic, api_as):
    referral = make_referral(session)
    complete_preregistration(session, clinic, referral, conditions={"implant"}, implant_note="Herzschrittmacher")
    session.commit()
    plan = {
        "decision": "accept",
        "procedure_type_id": clinic.pt("PRT").id,
        "region": "lumbar",
        "side": "left",
        "levels": "L4/5",
        "guidance": "MRI",
    }
    api = api_as("radiologist")
    refused = api.post(f"/referrals/{referral.id}/triage", json=plan)
    assert refused.status_code == 400
    assert "MR-conditional and checked" in refused.get_json()["error"]["message"]
    session.expire_all()
    assert session.get(Referral, referral.id).status == ReferralStatus.RECEIVED
    accepted = api.post(f"/referrals/{referral.id}/triage", json={**plan, "implant_mr_checked": True})
    assert accepted.status_code == 200, accepted.get_json()
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.planned_guidance == Modality.MRI and stored.implant_mr_checked_at is not None
