"""Walk 27: the outcomes of a diagnostic stage disagreed and the triage page said nothing. The radiologist's
page now lists the stage's outcomes, says which decides (the block's own result: the pain scores at the
procedure, the same day's) and shows the conflict; when the block's result is negative the booking of the
neurolytic stage is refused with the reason (invariant 8, DESIGN.md §4; procedures.md §2.3, §2.4 "No positive diagnostic
block")."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic.models import FollowUp
from clinic.models.vocab import FollowUpKind, Role
from clinic.scheduling.booking import NotReady
from clinic.services import outcomes, procedure_day, triage
from tests.conftest import logged_in
from tests.factories import book, build_clinic, make_ready_referral, make_user
from tests.radiology.day_helpers import to_procedure
from tests.scheduling.helpers import first_candidates, utc

MONDAY_9 = utc(2026, 11, 23, 8, 0)


@pytest.fixture
def clinic(session):
    return build_clinic(session, texts=True)


def _discharged_block(session, settings, clinic, *reliefs: tuple[str, int]):
    """A diagnostic sympathicolysis done and discharged, its follow-ups recorded with these reliefs."""
    referral = make_ready_referral(session, clinic, code="SYMP", stage="diagnostic", levels=None, side="left")
    appointment = book(session, settings, referral)
    to_procedure(session, clinic, appointment, at=MONDAY_9)
    end = MONDAY_9 + dt.timedelta(minutes=20)
    procedure_day.end_procedure(session, None, appointment, at=end)
    procedure_day.set_discharge_checklist(
        session, appointment, stable=True, can_walk=True, escort_present=True, instructions_given=True
    )
    procedure_day.discharge(
        session, clinic.staff["nurse"], appointment, at=end + dt.timedelta(minutes=90), reason="Checks on paper"
    )
    for kind, relief in reliefs:
        follow_up = session.scalar(
            select(FollowUp).where(FollowUp.appointment_id == appointment.id, FollowUp.kind == kind)
        )
        outcomes.record_outcome(
            session,
            None,
            follow_up,
            pain_score=5,
            relief_percent=relief,
            relief_category=None,
            complications=None,
            note=None,
        )
    session.flush()
    return referral, appointment


def _plan_neurolysis(session, clinic, referral):
    plan = triage.PlanDetails(
        procedure_type_id=clinic.pt("SYMP").id,
        region=referral.planned_region,
        side=referral.planned_side,
        levels=None,
        stage="neurolytic",
        guidance=referral.planned_guidance,
        priority=referral.priority,
        target=referral.planned_target,
    )
    triage.accept(session, clinic.radiologists[0], referral, plan)


def test_the_triage_page_shows_the_conflict_and_the_booking_is_refused(app, session, settings, clinic, browser):
    referral, _ = _discharged_block(
        session, settings, clinic, (FollowUpKind.SAME_DAY, 20), (FollowUpKind.TWO_WEEKS, 80)
    )
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    page = browser.get(path).get_data(as_text=True)
    shown = page.split('id="stage-outcome"', 1)[1].split("</section>", 1)[0]
    assert "Same day: 20 per cent relief, negative (it decides)" in shown
    assert "2 weeks: 80 per cent relief, positive</li>" in shown
    assert 'id="stage-outcome-conflict"' in shown and "The result of the block is negative and decides" in shown

    # Planned anyway: the page still shows it, and the booking is refused with the reason.
    _plan_neurolysis(session, clinic, referral)
    session.commit()
    page = browser.get(path).get_data(as_text=True)
    assert 'id="stage-outcome-conflict"' in page and "The result of the block is negative and decides" in page
    c = first_candidates(session, settings, referral, first_day=dt.date(2026, 12, 8))
    with pytest.raises(
        NotReady, match=r"result of the block, the .*, is negative .*although another outcome was positive"
    ):
        book(session, settings, referral, c[0])
    make_user(session, "rad_de", {Role.RADIOLOGIST}, "Dr. Rita Rad", language="de")
    session.commit()
    (german,) = logged_in(app, "rad_de")
    page = german.get(path).get_data(as_text=True)
    assert "Am selben Tag: 20 Prozent Linderung, negativ (es entscheidet)" in page
    assert (
        "Die Ergebnisse widersprechen sich" in page and "Das Ergebnis der Blockade ist negativ und entscheidet" in page
    )
    (desk_browser,) = logged_in(app, "frontdesk")
    desk = desk_browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "cannot be booked: the result of the block, the" in desk and "although another outcome was positive" in desk


def test_a_negative_follow_up_weeks_later_is_shown_but_the_blocks_result_decides(session, settings, clinic, browser):
    """A positive same-day result, a negative two-week follow-up (the local anaesthetic long worn off): the
    radiologist sees the disagreement in amber, and the neurolysis may be booked."""
    referral, _ = _discharged_block(
        session, settings, clinic, (FollowUpKind.SAME_DAY, 80), (FollowUpKind.TWO_WEEKS, 10)
    )
    _plan_neurolysis(session, clinic, referral)
    session.commit()
    browser.login("rad1")
    page = browser.get(f"/radiology/referrals/{referral.id}").get_data(as_text=True)
    shown = page.split('id="stage-outcome"', 1)[1].split("</section>", 1)[0]
    assert "Same day: 80 per cent relief, positive (it decides)" in shown
    assert "alert-warning" in shown and "The result of the block is positive and decides" in shown
    c = first_candidates(session, settings, referral, first_day=dt.date(2026, 12, 8))
    assert book(session, settings, referral, c[0]).stage == "neurolytic"


def test_a_positive_stage_shows_its_outcome_without_a_conflict(session, settings, clinic, browser):
    referral, _ = _discharged_block(session, settings, clinic, (FollowUpKind.SAME_DAY, 80))
    _plan_neurolysis(session, clinic, referral)
    session.commit()
    browser.login("rad1")
    page = browser.get(f"/radiology/referrals/{referral.id}").get_data(as_text=True)
    shown = page.split('id="stage-outcome"', 1)[1].split("</section>", 1)[0]
    assert "Same day: 80 per cent relief, positive" in shown and "conflict" not in shown
