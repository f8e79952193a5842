"""The triage page of a referral, as the radiologist sees it."""

from __future__ import annotations

import datetime as dt

from clinic.models.vocab import ReferralStatus
from tests.factories import build_clinic, make_referral


def test_a_declined_referral_shows_why_and_offers_no_accept(session, browser):
    """Walk finding 3: after a decline the page offered Accept, the imaging waiver and the hold override,
    did not show the reason, and promised a letter nobody writes."""
    build_clinic(session)
    referral = make_referral(session, received_on=dt.date(2026, 11, 20))
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    answer = browser.post(
        f"{path}/decline", {"decline-reason": "No radicular pain; physiotherapy first"}, form_page=path
    )
    assert answer.status_code == 302
    session.expire_all()
    assert referral.status == ReferralStatus.DECLINED
    page = browser.get(path).get_data(as_text=True)
    assert "No radicular pain; physiotherapy first" in page and "Declined" in page
    for action in ("/accept", "/waive-imaging", "/override-hold", "/decline"):
        assert f'action="{path}{action}"' not in page, action
    assert "letter to the referring physician" not in page
