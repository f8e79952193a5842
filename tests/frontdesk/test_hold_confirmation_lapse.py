"""Walk finding (4 December): the desk recorded a later last dose of apixaban (the patient took it later than
planned) after a radiologist had confirmed the medication plan, and the page showed "Plan confirmed by …"
beside "the recorded last dose comes too late". A paused drug's last dose changed after the confirmation now
makes it lapse: the screens ask for the confirmation again, the procedure does not start on it, and the trail
keeps both the confirmation and the lapse. The suite's clock: Monday 23 November 2026, 07:00 in Berlin."""

from __future__ import annotations

import datetime as dt
import html as markup
import json

import pytest
from sqlalchemy import select

from clinic.core.errors import DomainError
from clinic.core.timefmt import to_local
from clinic.models import AuditEvent, Referral
from clinic.services import medication, prereg_items, procedure_day, worklist
from tests.conftest import ZONE
from tests.factories import book, build_clinic, make_ready_referral


@pytest.fixture
def clinic(session):
    return build_clinic(session, texts=True)


def _text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _booked_on_apixaban(session, settings, clinic):
    referral = make_ready_referral(session, clinic, medications=[("apixaban", "", None)])
    appointment = book(session, settings, referral, limit=1)
    return referral, appointment, to_local(appointment.table_start, ZONE).date()


def _next_step(session, appointment) -> str:
    """The worklist's next step of a checked-in patient with the consent signed."""
    plan = medication.plan_for(
        session, appointment.referral.preregistration, appointment.procedure_type, appointment.region
    )
    return str(worklist.next_step(True, plan, appointment.table_start, ZONE))


def test_a_later_last_dose_recorded_after_the_confirmation_makes_it_lapse(session, settings, clinic):
    referral, appointment, day = _booked_on_apixaban(session, settings, clinic)
    desk, radiologist = clinic.staff["frontdesk"], clinic.radiologists[0]
    planned = day - dt.timedelta(days=4)  # keeps the 72 hours before a PRT
    prereg_items.add_medication(session, desk, referral, drug_code="apixaban", dose_class="", last_dose_on=planned)
    assert medication.confirm_plan(session, radiologist, referral, ZONE).confirmed
    assert procedure_day.medication_problem(session, appointment, appointment.table_start, ZONE) is None

    # The patient took it the day before: the hold is broken, and the confirmation no longer counts.
    later = day - dt.timedelta(days=1)
    prereg_items.add_medication(session, desk, referral, drug_code="apixaban", dose_class="", last_dose_on=later)
    plan = medication.referral_plan(session, referral)
    assert not plan.confirmed and plan.awaiting_confirmation
    assert (plan.lapsed_by, plan.lapsed_at) == (radiologist.full_name, referral.hold_plan_confirmed_at)
    # At the start, the real blocker first: the plan cannot be confirmed over the broken hold.
    problem = procedure_day.medication_problem(session, appointment, appointment.table_start, ZONE)
    assert problem is not None and problem.code == "medication_hold"
    assert "the recorded last dose of Apixaban is too late for the hold" in str(problem)
    assert _next_step(session, appointment) == ("last dose too late for the hold: correct the date or rebook")
    # The trail keeps the confirmation and says it lapsed, with the change that made it lapse.
    assert referral.hold_plan_confirmed_by_id == radiologist.id
    lapsed = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.hold_plan_lapsed")).all()
    assert [(e.object_id, e.actor_id, e.patient_id) for e in lapsed] == [
        (str(referral.id), desk.id, referral.patient_id)
    ]
    assert json.loads(lapsed[0].summary) == {"drug_code": "apixaban", "dose_class": "", "last_dose_on": str(later)}
    # Not confirmed over the broken hold; once the date is corrected, confirmed again and the procedure may start.
    with pytest.raises(DomainError, match="The plan was not confirmed"):
        medication.confirm_plan(session, radiologist, referral, ZONE)
    earlier = day - dt.timedelta(days=5)
    prereg_items.add_medication(session, desk, referral, drug_code="apixaban", dose_class="", last_dose_on=earlier)
    assert medication.referral_plan(session, referral).lapsed_by == radiologist.full_name
    problem = procedure_day.medication_problem(session, appointment, appointment.table_start, ZONE)
    assert problem is not None and "the medication plan (Apixaban) is not confirmed yet" in str(problem)
    assert _next_step(session, appointment) == "confirm the medication plan, then start"
    assert medication.confirm_plan(session, radiologist, referral, ZONE).confirmed
    assert _next_step(session, appointment) == "start"
    assert procedure_day.medication_problem(session, appointment, appointment.table_start, ZONE) is None
    # Given again as it stands, a drug changes nothing: no lapse.
    prereg_items.add_medication(session, desk, referral, drug_code="apixaban", dose_class="", last_dose_on=earlier)
    assert medication.referral_plan(session, referral).confirmed
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.hold_plan_lapsed")).all()) == 1


def test_a_last_dose_first_recorded_after_the_confirmation_keeps_it(session, settings, clinic):
    """Confirming may come before anyone has asked for the last dose; the date then recorded is judged against
    the hold at the start and on the screens (tests/radiology/test_day.py), not by confirming again."""
    referral, _appointment, day = _booked_on_apixaban(session, settings, clinic)
    medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    prereg_items.add_medication(
        session,
        clinic.staff["frontdesk"],
        referral,
        drug_code="apixaban",
        dose_class="",
        last_dose_on=day - dt.timedelta(days=4),
    )
    assert medication.referral_plan(session, referral).confirmed


def _add(browser, referral_id: int, drug: str, last_dose: dt.date):
    path = f"/desk/referrals/{referral_id}"
    form = {"med-drug_code": drug, "med-last_dose_on": last_dose.isoformat()}
    return browser.post(f"{path}/medication", form, form_page=path)


def test_the_page_asks_for_the_confirmation_again_instead_of_showing_the_old_one(session, settings, clinic, browser):
    referral, appointment, day = _booked_on_apixaban(session, settings, clinic)
    session.commit()
    browser.login("frontdesk")
    assert _add(browser, referral.id, "apixaban|", day - dt.timedelta(days=4)).status_code == 302
    browser.post("/logout", form_page="/desk/")
    browser.login("rad1")
    confirmed = browser.post(
        f"/radiology/referrals/{referral.id}/confirm-hold-plan",
        {"appointment_id": str(appointment.id), "back_to": "radiology"},
        form_page=f"/radiology/appointments/{appointment.id}",
    )
    assert confirmed.status_code == 302
    page = _text(browser.get(f"/radiology/appointments/{appointment.id}"))
    assert "Plan confirmed by" in page and "Needs confirmation again." not in page
    session.expire_all()
    confirmed_at = session.get(Referral, referral.id).hold_plan_confirmed_at

    browser.post("/logout", form_page="/radiology/")
    browser.login("frontdesk")
    assert _add(browser, referral.id, "apixaban|", day - dt.timedelta(days=1)).status_code == 302
    shown = _text(browser.get(f"/desk/appointments/{appointment.id}"))
    assert "The hold is not kept for the appointment on" in shown
    assert "Plan confirmed by" not in shown
    radiologist = clinic.radiologists[0]
    assert "Needs confirmation again." in shown
    assert f"{radiologist.full_name} confirmed the plan on" in shown and "no longer counts" in shown
    session.expire_all()
    assert session.get(Referral, referral.id).hold_plan_confirmed_at == confirmed_at  # kept for the trail


def test_a_confirmation_given_before_last_doses_counted_keeps_counting(session, settings, clinic):
    """A confirmation stored before the key named last doses ("…/72/24/0", no date) is not lapsed by the
    upgrade: it counts as one given before the last dose was recorded."""
    referral, _appointment, day = _booked_on_apixaban(session, settings, clinic)
    entry = referral.preregistration.medications[0]
    entry.last_dose_on = day - dt.timedelta(days=4)
    plan = medication.referral_plan(session, referral)
    undated = plan.key.rsplit("/", 1)[0]
    assert plan.key.endswith(f"/{entry.last_dose_on.isoformat()}") and plan.confirmed_as(undated)
    assert plan.confirmed_as(plan.key)
    assert not plan.confirmed_as(f"{undated}/{(day - dt.timedelta(days=5)).isoformat()}")


def test_a_first_last_dose_too_late_after_the_confirmation_is_not_shown_as_confirmed(
    session, settings, clinic, browser
):
    """The confirmation keeps counting for its rules (above), but the page no longer shows "Plan confirmed"
    in green beside "the recorded last dose comes too late": it says the last dose does not keep the rules."""
    referral, appointment, day = _booked_on_apixaban(session, settings, clinic)
    radiologist = clinic.radiologists[0]
    medication.confirm_plan(session, radiologist, referral, ZONE)
    session.commit()
    browser.login("frontdesk")
    assert _add(browser, referral.id, "apixaban|", day - dt.timedelta(days=1)).status_code == 302

    for path in (f"/desk/appointments/{appointment.id}", f"/desk/referrals/{referral.id}"):
        shown = _text(browser.get(path))
        assert "The hold is not kept for the appointment on" in shown, path
        assert "Plan confirmed by" not in shown, path
        assert f"{radiologist.full_name} confirmed the plan's rules on" in shown, path
        assert "the recorded last dose does not keep them" in shown, path
