"""The radiologist's referral page once the referral is accepted (walk): the accepted plan and the team's
note instead of the accept form, a way to change the plan while nothing is booked, and an acceptance
with an open red flag that says booking waits for the flag's review."""

from __future__ import annotations

import pytest

from clinic.models import RedFlagAnswer, Referral
from clinic.models.vocab import ReferralStatus
from tests.factories import book, build_clinic, make_ready_referral, make_referral

NOTE = "Bring the MRI CD; patient is hard of hearing"


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def _plan(clinic, **changes) -> dict:
    data = {
        "accept-procedure_type_id": str(clinic.pt("PRT").id),
        "accept-region": "lumbar",
        "accept-side": "left",
        "accept-levels": "L4/5",
        "accept-stage": "",
        "accept-target": "",
        "accept-guidance": "CT",
        "accept-priority": "routine",
        "accept-note": NOTE,
    }
    data.update(changes)
    return data


def test_an_accepted_referral_shows_its_plan_and_the_team_note_not_the_accept_form(session, clinic, browser):
    referral = make_ready_referral(session, clinic)
    referral.triage_note = NOTE
    session.commit()
    browser.login("rad1")
    page = browser.get(f"/radiology/referrals/{referral.id}").get_data(as_text=True)
    assert "Accept with a plan" not in page and ">Accept</button>" not in page
    plan = page[page.index('id="accepted-plan"') :][:1500]
    assert "Accepted plan" in plan and "(PRT)" in plan and "L4/5" in plan and "Accepted by Dr. Radiologist 1" in plan
    note = page[page.index('id="team-note"') :][:400]
    assert "Note for the team" in note and "Bring the MRI CD; patient is hard of hearing" in note
    change = page[page.index('id="change-plan"') :]
    assert "Change the plan" in change and "Save the changed plan" in change
    assert f"{NOTE}</textarea>" in change  # the note is kept when the plan changes


def test_the_plan_changes_and_keeps_the_note(session, clinic, browser):
    referral = make_ready_referral(session, clinic)
    referral.triage_note = NOTE
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    changed = browser.post(f"{path}/accept", _plan(clinic, **{"accept-levels": "L5/S1"}), form_page=path)
    assert changed.status_code == 302
    page = browser.get(path, follow_redirects=True).get_data(as_text=True)
    assert "Plan changed. The front desk books with the new plan." in page
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.planned_levels == "L5/S1" and stored.triage_note == NOTE


def test_a_booked_referral_says_why_its_plan_cannot_change(session, settings, clinic, browser):
    referral = make_ready_referral(session, clinic)
    book(session, settings, referral, limit=1)
    session.commit()
    browser.login("rad1")
    page = browser.get(f"/radiology/referrals/{referral.id}").get_data(as_text=True)
    assert "The plan cannot change while an appointment is booked" in page
    assert 'id="change-plan"' not in page and f'action="/radiology/referrals/{referral.id}/accept"' not in page


def test_accepting_with_an_open_red_flag_says_booking_waits_for_its_review(session, clinic, browser):
    """DESIGN.md §2: an open red flag blocks elective booking (it does not block the acceptance)."""
    referral = make_referral(session)
    referral.red_flags.append(RedFlagAnswer(code="tumour", present=True))
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    accepted = browser.post(f"{path}/accept", _plan(clinic), form_page=path)
    assert accepted.status_code == 302
    page = browser.get(path, follow_redirects=True).get_data(as_text=True)
    assert "Booking waits until a radiologist has reviewed the open red flag" in page
    assert "once the pre-registration is complete" not in page
    session.expire_all()
    assert session.get(Referral, referral.id).status == ReferralStatus.ACCEPTED


def test_accepting_without_a_flag_still_says_the_desk_can_book(session, clinic, browser):
    referral = make_referral(session)
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    assert browser.post(f"{path}/accept", _plan(clinic), form_page=path).status_code == 302
    page = browser.get(path, follow_redirects=True).get_data(as_text=True)
    assert "Accepted. The front desk can book once the pre-registration is complete." in page


@pytest.mark.parametrize(
    ("changes", "name", "message"),
    [
        ({"accept-target": "stellate"}, "target", "Periradicular therapy cannot aim at “Stellate ganglion”"),
        ({"accept-levels": ""}, "levels", "Periradicular therapy needs the spinal level(s)"),
    ],
)
def test_an_incomplete_plan_is_refused_at_its_field(session, clinic, browser, changes, name, message):
    """Walk finding: a PRT aimed at the stellate ganglion, or without levels, was refused in a banner above
    the page only. The refusal stands under the field it is about, the plan as typed kept, nothing saved."""
    referral = make_referral(session, region="lumbar", side="left")
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    response = browser.post(f"{path}/accept", _plan(clinic, **changes), form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    at = html.index(f'id="accept-{name}"')
    shown = html[html.rindex("<", 0, at) : html.index('name="accept-', at + 40)]
    assert "is-invalid" in shown and message in shown, shown
    assert html.count(message) == 1, "said in a banner as well as at the field"
    session.expire_all()
    assert session.get(Referral, referral.id).status == ReferralStatus.RECEIVED
