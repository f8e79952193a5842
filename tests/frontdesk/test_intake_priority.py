"""The intake form asks for the priority (issue 21, item 18): a referral can be urgent without a red flag."""

from __future__ import annotations

from sqlalchemy import select

from clinic.models import Referral
from clinic.models.vocab import Priority
from tests.factories import build_clinic

from .helpers import referral_form


def test_a_referral_can_be_urgent_without_a_red_flag(session, browser):
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    form = browser.get("/desk/referrals/new").get_data(as_text=True)
    assert 'name="priority"' in form
    answer = browser.post("/desk/referrals/new", referral_form(priority="urgent"))
    assert answer.status_code == 302
    referral = session.scalar(select(Referral))
    assert referral.priority == Priority.URGENT and not referral.open_red_flags
    assert referral.is_urgent


def test_the_priority_is_routine_unless_chosen(session, browser):
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    assert browser.post("/desk/referrals/new", referral_form()).status_code == 302
    assert session.scalar(select(Referral)).priority == Priority.ROUTINE
