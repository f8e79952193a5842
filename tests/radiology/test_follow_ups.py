"""Follow-up calls (issue 21, item 13): "could not reach" records an attempt and keeps the patient on
the list with the next try date, giving up only after the set number of attempts; a diagnostic stage's
result can be recorded on the day of the block."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.models import FollowUp
from clinic.models.vocab import FollowUpKind, FollowUpStatus
from clinic.services import outcomes, stages
from clinic.services import settings as clinic_settings
from tests.conftest import TODAY
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
