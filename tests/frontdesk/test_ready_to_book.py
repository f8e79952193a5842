"""The front desk's "Ready to book" (issue 21, item 5): only referrals that can really be booked now,
the others with the reason why not; a referral closes when its episode ends (DESIGN.md §2 step 7)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from clinic.models import AuditEvent, FollowUp
from clinic.models.vocab import AppointmentStatus, ReferralStatus
from clinic.services import episodes, procedure_day
from tests.factories import book, build_clinic, make_patient, make_ready_referral
from tests.radiology.day_helpers import to_procedure
from tests.scheduling.helpers import utc

MONDAY_9 = utc(2026, 11, 23, 8, 0)


def _ended(session, settings, clinic, status, *, code="PRT", stage=None, reason=None, family_name=None):
    kw = {"family_name": family_name} if family_name else {}
    referral = make_ready_referral(
        session, clinic, make_patient(session, **kw), code=code, stage=stage, levels="L4/5" if code != "SYMP" else None
    )
    appointment = book(session, settings, referral)
    appointment.status = status
    appointment.cancel_reason = reason
    session.flush()
    return referral, appointment


def _ready_section(html: str) -> str:
    return html.split('id="ready-to-book"', 1)[1].split("</section>", 1)[0]


def test_ready_to_book_lists_only_what_can_be_booked_now(session, settings, browser):
    clinic = build_clinic(session)
    ready = make_ready_referral(session, clinic, make_patient(session, family_name="Bereitmann"))
    _ended(session, settings, clinic, AppointmentStatus.DISCHARGED, family_name="Entlassen")
    _ended(session, settings, clinic, AppointmentStatus.IN_OBSERVATION, family_name="Liegend")
    _ended(session, settings, clinic, AppointmentStatus.CANCELLED, reason="Patient ill", family_name="Abgesagt")
    _ended(session, settings, clinic, AppointmentStatus.NO_SHOW, family_name="Ferngeblieben")
    _ended(
        session,
        settings,
        clinic,
        AppointmentStatus.DISCHARGED,
        code="SYMP",
        stage="diagnostic",
        family_name="Diagnostik",
    )
    neurolytic = make_ready_referral(
        session, clinic, make_patient(session, family_name="Neurolyse"), code="SYMP", stage="neurolytic", levels=None
    )
    session.commit()
    browser.login("frontdesk")
    html = browser.get("/desk/").get_data(as_text=True)
    section = _ready_section(html)
    assert "Bereitmann" in section
    lists = html.split('id="ready-to-book"', 1)[1]
    for gone in ("Entlassen", "Liegend"):
        assert gone not in lists, gone
    # Cancelled and no-show appointments can be booked again, and the list says what happened.
    assert "Abgesagt" in section and "cancelled on" in section and "Patient ill" in section
    assert "Ferngeblieben" in section and "Did not come on" in section
    # The stage rule refuses these: listed apart with the reason, without a Book button.
    for name in ("Diagnostik", "Neurolyse"):
        assert name not in section, name
    blocked = html.split('id="not-bookable"', 1)[1].split("</section>", 1)[0]
    assert "Neurolyse" in blocked and "needs a documented positive diagnostic" in blocked
    assert "Diagnostik" in blocked and "diagnostic stage done on" in blocked
    assert f"/desk/referrals/{neurolytic.id}/book" not in html
    assert f"/desk/referrals/{ready.id}/book" in section


def test_ready_to_book_pages(session, settings, browser):
    clinic = build_clinic(session)
    for _ in range(23):
        make_ready_referral(session, clinic)
    session.commit()
    browser.login("frontdesk")
    first = _ready_section(browser.get("/desk/").get_data(as_text=True))
    assert first.count("/book") == 15 and "page=2" in first
    second = _ready_section(browser.get("/desk/?page=2").get_data(as_text=True))
    assert second.count("/book") == 8
    assert "23" in browser.get("/desk/").get_data(as_text=True)


def _discharge(session, clinic, appointment):
    to_procedure(session, clinic, appointment, at=MONDAY_9)
    end = MONDAY_9 + dt.timedelta(minutes=20)
    procedure_day.end_procedure(session, None, appointment, at=end)
    procedure_day.set_discharge_checklist(
        session, appointment, stable=True, can_walk=True, escort_present=True, instructions_given=True
    )
    procedure_day.discharge(
        session, clinic.staff["nurse"], appointment, at=end + dt.timedelta(minutes=90), reason="Checks on paper"
    )


def test_the_referral_closes_when_its_episode_ends(session, settings):
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral)
    _discharge(session, clinic, appointment)
    assert referral.status == ReferralStatus.CLOSED
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "referral.closed")) is not None
    assert session.scalar(select(FollowUp).where(FollowUp.appointment_id == appointment.id)) is not None


def test_a_diagnostic_stage_keeps_the_episode_open_for_the_next_stage(session, settings):
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic, code="SYMP", stage="diagnostic", levels=None)
    appointment = book(session, settings, referral)
    _discharge(session, clinic, appointment)
    assert referral.status == ReferralStatus.ACCEPTED
    episodes.close(session, clinic.staff["frontdesk"], referral, "Diagnostic block negative: no neurolysis")
    assert referral.status == ReferralStatus.CLOSED


def test_staff_close_a_referral_whose_episode_was_abandoned(session, settings, browser):
    clinic = build_clinic(session)
    referral, _ = _ended(session, settings, clinic, AppointmentStatus.NO_SHOW)
    session.commit()
    browser.login("frontdesk")
    page = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "Close the referral" in page
    refused = browser.post(f"/desk/referrals/{referral.id}/close", {"reason": ""})
    assert refused.status_code in (302, 303, 422)
    session.expire_all()
    assert referral.status == ReferralStatus.ACCEPTED
    done = browser.post(f"/desk/referrals/{referral.id}/close", {"reason": "Patient declines further treatment"})
    assert done.status_code in (302, 303)
    session.expire_all()
    assert referral.status == ReferralStatus.CLOSED
    assert not re.search(
        rf"/desk/referrals/{referral.id}\"", _ready_section(browser.get("/desk/").get_data(as_text=True))
    )


def test_a_diagnostic_stage_done_is_not_booked_again_and_a_cancelled_repeat_does_not_hide_it(
    session, settings, browser
):
    """Walk 23: "stage done, the outcome decides" was known to the start page only; the referral page
    offered "Find a time", the booking booked the diagnostic block again, and once that repeat was
    cancelled the referral showed as ready to book."""
    import pytest

    from clinic.core.errors import DomainError
    from clinic.services import appointments

    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(
        session, clinic, make_patient(session, family_name="Nagy"), code="SYMP", stage="diagnostic", levels=None
    )
    done = book(session, settings, referral)
    _discharge(session, clinic, done)
    session.commit()
    browser.login("frontdesk")
    page = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "the outcome decides the next stage" in page
    finder = browser.get(f"/desk/referrals/{referral.id}/book").get_data(as_text=True)
    assert "cannot be booked yet" in finder and 'name="candidate"' not in finder
    with pytest.raises(DomainError, match=r"stage done on 23\.11\.2026: the outcome decides the next stage"):
        book(session, settings, referral, first_day=dt.date(2026, 11, 30), days=14)
    session.rollback()

    # A repeat booked without the readiness rules (as before the fix), then cancelled: still "stage done".
    repeat = book(session, settings, referral, first_day=dt.date(2026, 11, 30), days=14, check_readiness=False)
    appointments.cancel(session, settings, None, repeat, "Versehentlich gebucht")
    session.commit()
    start = browser.get("/desk/").get_data(as_text=True)
    assert "Nagy" not in _ready_section(start)
    blocked = start.split('id="not-bookable"', 1)[1].split("</section>", 1)[0]
    assert "Nagy" in blocked and "stage done on 23.11.2026" in blocked


def test_a_diagnostic_stage_planned_again_after_it_is_done_can_be_booked(session, settings, browser):
    """A second, comparative diagnostic block (procedures.md §2.2: comparative blocks on separate days): the
    radiologist saves the same plan again after the first block; that decision is the outcome the booking
    waited for. Before, the referral stayed "stage done" with no way to book the second block."""
    from clinic.core import clock
    from clinic.services import triage

    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(
        session, clinic, make_patient(session, family_name="Varga"), code="SYMP", stage="diagnostic", levels=None
    )
    _discharge(session, clinic, book(session, settings, referral))
    assert episodes.awaiting_outcome(session, referral) is not None

    clock.pin(MONDAY_9 + dt.timedelta(hours=5))  # the afternoon: the radiologist has seen the outcome
    same = triage.PlanDetails(
        procedure_type_id=referral.planned_procedure_type_id,
        region=referral.planned_region,
        side=referral.planned_side,
        levels=referral.planned_levels,
        stage=referral.planned_stage,
        guidance=referral.planned_guidance,
        priority=referral.priority,
        target=referral.planned_target,
    )
    triage.accept(session, clinic.radiologists[0], referral, same)
    session.commit()
    assert episodes.awaiting_outcome(session, referral) is None
    browser.login("frontdesk")
    assert "Varga" in _ready_section(browser.get("/desk/").get_data(as_text=True))
    second = book(session, settings, referral, first_day=dt.date(2026, 11, 30), days=14)
    assert second.stage == "diagnostic" and second.status == AppointmentStatus.BOOKED


def test_the_triage_page_says_how_to_plan_after_a_stage_done(session, settings, browser):
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic, code="SYMP", stage="diagnostic", levels=None)
    _discharge(session, clinic, book(session, settings, referral))
    session.commit()
    browser.login("rad1")
    page = browser.get(f"/radiology/referrals/{referral.id}").get_data(as_text=True)
    assert 'id="stage-done"' in page and "save the plan unchanged for the same procedure again" in page
    assert 'id="change-plan" open' in page and ">Save the plan</button>" in page


def test_a_stage_done_with_an_item_missing_gives_every_reason(session, settings, browser):
    """Walk 26: a diagnostic stage done and the escort no longer recorded: the start page gave "stage
    done" alone; it gives every reason that holds, as the referral page does."""
    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(
        session, clinic, make_patient(session, family_name="Vielgrund"), code="SYMP", stage="diagnostic", levels=None
    )
    _discharge(session, clinic, book(session, settings, referral))
    referral.preregistration.escort_name = None
    session.commit()
    browser.login("frontdesk")
    start = browser.get("/desk/").get_data(as_text=True)
    blocked = start.split('id="not-bookable"', 1)[1].split("</section>", 1)[0]
    assert "Vielgrund" in blocked and "stage done on 23.11.2026" in blocked
    assert "Escort home arranged" in blocked and "no escort recorded" in blocked
    page = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "no escort recorded" in page and "the outcome decides the next stage" in page


def test_the_radiologists_triage_lists_the_stages_done_awaiting_their_decision(session, settings, browser):
    """Walk 26: only the front desk's start page listed the referrals whose stage was done and waited for a
    radiologist to plan what follows; the radiologists' own queue did not."""
    from clinic.core import clock
    from clinic.services import triage

    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(
        session, clinic, make_patient(session, family_name="Wartmann"), code="SYMP", stage="diagnostic", levels=None
    )
    _discharge(session, clinic, book(session, settings, referral))
    session.commit()
    browser.login("rad1")
    section = browser.get("/radiology/triage").get_data(as_text=True).split('id="stage-done"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert "Wartmann" in section and f"/radiology/referrals/{referral.id}" in section and "23.11.2026" in section

    clock.pin(MONDAY_9 + dt.timedelta(hours=5))
    triage.accept(
        session,
        clinic.radiologists[0],
        referral,
        triage.PlanDetails(
            procedure_type_id=referral.planned_procedure_type_id,
            region=referral.planned_region,
            side=referral.planned_side,
            levels=referral.planned_levels,
            stage="neurolytic",
            guidance=referral.planned_guidance,
            priority=referral.priority,
            target=referral.planned_target,
        ),
    )
    session.commit()
    section = browser.get("/radiology/triage").get_data(as_text=True).split('id="stage-done"', 1)[1]
    assert "Wartmann" not in section.split("</section>", 1)[0]
