"""Follow-up calls (issue 21, item 13): "could not reach" records an attempt and keeps the patient on
the list with the next try date, giving up only after the set number of attempts; a diagnostic stage's
result can be recorded on the day of the block."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from clinic.core.errors import InvalidInput
from clinic.models import FollowUp
from clinic.models.vocab import FollowUpKind, FollowUpStatus
from clinic.services import outcomes, stages
from clinic.services import settings as clinic_settings
from tests.conftest import TODAY, Browser
from tests.factories import book, build_clinic, make_ready_referral
from tests.frontdesk.test_ready_to_book import _discharge


def _due_follow_up(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral)
    appointment.status = "discharged"
    follow_up = FollowUp(appointment_id=appointment.id, kind=FollowUpKind.TWO_WEEKS, due_on=TODAY, status="due")
    session.add(follow_up)
    session.flush()
    return follow_up


def test_could_not_reach_keeps_the_patient_on_the_list_until_the_last_attempt(session, settings, browser):
    clinic = build_clinic(session)
    follow_up = _due_follow_up(session, settings, clinic)
    session.commit()
    browser.login("frontdesk")
    url = f"/radiology/follow-ups/{follow_up.id}"
    for attempt in (1, 2):
        answer = browser.post(url, {"action": "unreachable", "unreachable-reason": "voicemail"})
        assert answer.status_code == 302
        session.expire_all()
        assert follow_up.status == FollowUpStatus.DUE and follow_up.attempts == attempt
        assert follow_up.next_try_on == TODAY + dt.timedelta(days=2)
        listed = browser.get("/radiology/follow-ups").get_data(as_text=True)
        assert follow_up.appointment.patient.display_name in listed
        assert f"attempt {attempt} of 3" in listed and "next try 25.11.2026" in listed
    browser.post(url, {"action": "unreachable", "unreachable-reason": "voicemail"})
    session.expire_all()
    assert follow_up.status == FollowUpStatus.UNREACHABLE and follow_up.attempts == 3
    assert follow_up.appointment.patient.display_name not in browser.get("/radiology/follow-ups").get_data(as_text=True)


def test_the_number_of_attempts_is_a_setting(session, settings):
    clinic = build_clinic(session)
    follow_up = _due_follow_up(session, settings, clinic)
    clinic_settings.put(session, "follow_up_attempts", "1")
    outcomes.mark_unreachable(session, None, follow_up, "no answer", today=TODAY)
    assert follow_up.status == FollowUpStatus.UNREACHABLE


def test_a_diagnostic_stage_result_is_recorded_on_the_day(session, settings):
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic, code="SYMP", stage="diagnostic", levels=None)
    appointment = book(session, settings, referral)
    _discharge(session, clinic, appointment)
    same_day = session.scalar(
        select(FollowUp).where(FollowUp.appointment_id == appointment.id, FollowUp.kind == FollowUpKind.SAME_DAY)
    )
    assert same_day is not None and same_day.due_on == TODAY
    assert same_day in session.scalars(outcomes.due_statement(TODAY)).all()
    procedure = clinic.pt("SYMP")
    assert stages.unmet_rule(session, referral.patient_id, procedure, "neurolytic") is not None
    outcomes.record_outcome(
        session, None, same_day, pain_score=1, relief_percent=80, relief_category=None, complications=None, note=None
    )
    assert stages.unmet_rule(session, referral.patient_id, procedure, "neurolytic") is None


def test_a_contradictory_outcome_is_refused_and_a_recorded_one_is_shown_where_the_next_stage_is_decided(
    app, session, settings, browser
):
    """Walk finding F-08: 80 % relief with the category "none" was saved, and the recorded result was
    shown nowhere (the follow-up came back as an empty form). A category outside the percentage's band is
    refused at its field, keeping what was typed, and nothing is stored; the recorded result (values,
    who, when) is shown on the follow-up, both appointment pages and the referral."""
    clinic = build_clinic(session)
    follow_up = _due_follow_up(session, settings, clinic)
    appointment_id, referral_id = follow_up.appointment_id, follow_up.appointment.referral_id
    session.commit()
    browser.login("frontdesk")
    url = f"/radiology/follow-ups/{follow_up.id}"
    typed = {"action": "outcome", "pain_score": "2", "relief_percent": "80", "note": "walks again"}
    for category in ("none", "mild_to_moderate"):
        answer = browser.post(url, {**typed, "relief_category": category})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422, category
        assert "80 per cent relief is “Complete or significant” (50 per cent or more)" in page
        assert re.search(r'<select[^>]*id="relief_category"[^>]*>', page).group(0).count("is-invalid") == 1
        assert re.search(r'id="relief_percent"[^>]*value="80"', page) and "walks again" in page
        session.expire_all()
        assert session.get(FollowUp, follow_up.id).status == FollowUpStatus.DUE
    with pytest.raises(InvalidInput, match="15 per cent relief is “None”"):
        outcomes.record_outcome(
            session,
            None,
            follow_up,
            pain_score=None,
            relief_percent=15,
            relief_category="mild_to_moderate",
            complications=None,
            note=None,
        )
    answer = browser.post(url, {**typed, "relief_category": "complete_or_significant"})
    assert answer.status_code == 302
    shown = {
        "follow-up": url,
        "desk appointment": f"/desk/appointments/{appointment_id}",
        "referral": f"/desk/referrals/{referral_id}",
    }
    for where, path in shown.items():
        page = browser.get(path).get_data(as_text=True)
        results = re.search(r'id="follow-up-results">(.*?)</section>', page, re.S)
        assert results, where
        text = " ".join(re.sub(r"<[^>]+>", " ", results.group(1)).split())
        assert "relief 80 %, Complete or significant; pain now 2" in text, where
        assert "Note: walks again" in text and "Recorded by Petra Möller on 23.11.2026 07:00" in text, where
    assert 'name="relief_percent"' not in browser.get(url).get_data(as_text=True)  # no empty form again
    radiologist = Browser(app.test_client())
    radiologist.login("rad1")
    page = radiologist.get(f"/radiology/appointments/{appointment_id}").get_data(as_text=True)
    assert 'id="follow-up-results"' in page and "relief 80 %, Complete or significant" in page
