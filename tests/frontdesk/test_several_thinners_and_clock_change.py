"""Walk 27, findings 2 and 3.

2. Several blood thinners at once did not raise the bleeding-risk tier: the desk had to tick "raised bleeding
   risk" itself. procedures.md §1.1: concurrent antithrombotics are a trigger to handle the patient one tier
   higher. Two or more different antithrombotic drugs (anticoagulants, antiplatelets with aspirin; not the
   non-aspirin NSAIDs) now raise it in the plan, and the staff screen says why.
3. The staff plan gave "Letzte Einnahme spätestens 26.03.2027 07:00" for 29.03.2027 08:00 (72 hours across the
   spring clock change) with no word about the change, which the README promises; the screen and the letter
   now say it.
The suite's clock: Monday 23 November 2026, 07:00 in Berlin.
"""

from __future__ import annotations

import datetime as dt
import html as markup

import pytest

from clinic.models.vocab import BleedingClass, HoldAction
from clinic.services import medication
from clinic.services.documents import letter_pdf
from tests.conftest import NOW, ZONE
from tests.documents.helpers import text_of
from tests.documents.test_hold_letter import _at, _long_days, sign_off
from tests.factories import book, build_clinic, german_desk, make_patient, make_ready_referral
from tests.scheduling.helpers import utc

FACET = {"code": "FACET", "stage": "diagnostic"}  # low bleeding risk
PRT = {"code": "PRT"}  # intermediate


@pytest.fixture
def clinic(session):
    return build_clinic(session, texts=True)


def _text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _plan(session, referral):
    return medication.referral_plan(session, referral)


def _items(plan):
    return {i.drug_code: (i.action, i.hold_hours) for i in plan.items}


def test_apixaban_and_aspirin_before_a_low_risk_procedure_are_handled_as_intermediate(session, clinic):
    """Apixaban alone before a facet block (low): shared assessment, no routine pause. With aspirin as well,
    intermediate: apixaban is paused 72 hours, aspirin (primary prevention) a shared assessment."""
    alone = make_ready_referral(session, clinic, medications=[("apixaban", "", None)], **FACET)
    plan = _plan(session, alone)
    assert plan.bleeding_class == BleedingClass.LOW and not plan.raised_for_several
    assert _items(plan) == {"apixaban": (HoldAction.SHARED, None)}

    both = make_ready_referral(
        session, clinic, medications=[("apixaban", "", None), ("aspirin", "primary", None)], **FACET
    )
    plan = _plan(session, both)
    assert plan.bleeding_class == BleedingClass.INTERMEDIATE and plan.raised_for_several
    assert _items(plan) == {"apixaban": (HoldAction.HOLD, 72), "aspirin": (HoldAction.SHARED, None)}
    start = utc(2026, 12, 10, 8, 0)  # Thursday 10 December, 09:00 in Berlin
    [apixaban] = [i for i in plan.items if i.drug_code == "apixaban"]
    assert apixaban.last_dose_no_later_than(start) == utc(2026, 12, 7, 8, 0)  # Monday 09:00, 72 hours before


def test_aspirin_and_clopidogrel_before_an_intermediate_procedure_are_handled_as_high(session, clinic):
    """PRT (intermediate): aspirin primary is a shared assessment alone; with clopidogrel, high: aspirin is
    paused 144 hours (6 days), clopidogrel 168 hours."""
    alone = make_ready_referral(session, clinic, medications=[("aspirin", "primary", None)], **PRT)
    assert _items(_plan(session, alone)) == {"aspirin": (HoldAction.SHARED, None)}
    both = make_ready_referral(
        session, clinic, medications=[("aspirin", "primary", None), ("clopidogrel", "", None)], **PRT
    )
    plan = _plan(session, both)
    assert plan.bleeding_class == BleedingClass.HIGH and plan.raised_for_several
    assert _items(plan) == {"aspirin": (HoldAction.HOLD, 144), "clopidogrel": (HoldAction.HOLD, 168)}
    [aspirin] = [i for i in plan.items if i.drug_code == "aspirin"]
    assert aspirin.last_dose_no_later_than(utc(2026, 12, 10, 8, 0)) == utc(2026, 12, 4, 8, 0)


def test_an_nsaid_is_no_second_blood_thinner(session, clinic):
    referral = make_ready_referral(
        session, clinic, medications=[("apixaban", "", None), ("ibuprofen", "", None)], **FACET
    )
    plan = _plan(session, referral)
    assert plan.bleeding_class == BleedingClass.LOW and not plan.raised_for_several
    assert medication.several_antithrombotics(["apixaban", "phenprocoumon"])
    assert not medication.several_antithrombotics(["naproxen", "diclofenac", "apixaban"])


def test_the_staff_plan_says_why_the_tier_is_higher(session, settings, clinic, browser):
    referral = make_ready_referral(
        session, clinic, medications=[("apixaban", "", None), ("aspirin", "primary", None)], **FACET
    )
    appointment = book(session, settings, referral, limit=1, first_day=NOW.date() + dt.timedelta(days=10))
    german_desk(session, browser)
    page = _text(browser.get(f"/desk/appointments/{appointment.id}"))
    assert "eine Stufe höher: mehrere Blutverdünner" in page


def _booked_for_march(session, settings, clinic, language="de"):
    """Apixaban (signed off) before a PRT on Monday 29 March 2027, 08:00 (summer time since Sunday 28 March):
    last dose no later than Friday 26 March, 07:00 (winter time), 72 real hours before."""
    _long_days(session, clinic)
    sign_off(session)
    patient = make_patient(session, preferred_language=language)
    referral = make_ready_referral(session, clinic, patient, medications=[("apixaban", "", None)])
    return book(session, settings, referral, _at(clinic, utc(2027, 3, 29, 6, 0)))


def test_the_staff_plan_notes_the_clock_change_between_stop_and_procedure(session, settings, clinic, browser):
    appointment = _booked_for_march(session, settings, clinic)
    [item] = _plan(session, appointment.referral).items
    assert item.last_dose_no_later_than(appointment.table_start) == utc(2027, 3, 26, 6, 0)
    assert item.clocks_change_before(appointment.table_start, ZONE)
    assert not item.clocks_change_before(utc(2027, 3, 22, 7, 0), ZONE)  # 22.03 08:00: no change in between
    german_desk(session, browser)
    page = _text(browser.get(f"/desk/appointments/{appointment.id}"))
    assert "26.03.2027 07:00" in page
    assert "Vor dem Eingriff wird die Uhr umgestellt: Die 72 Stunden sind echte Stunden" in page


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_letter_notes_the_clock_change_between_stop_and_procedure(session, settings, clinic, language):
    appointment = _booked_for_march(session, settings, clinic, language)
    text = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    if language == "de":
        assert "spätestens am Freitag, 26. März 2027, um 07:00 Uhr (mindestens 72 Stunden vor dem Eingriff)." in text
        assert "Vor dem Eingriff wird die Uhr umgestellt: Die 72 Stunden sind echte Stunden" in text
    else:
        assert "no later than Friday, 26 March 2027, 07:00 (at least 72 hours before the procedure)." in text
        assert "The clocks change before the procedure: the 72 hours are real hours" in text


def test_the_worklist_says_why_the_tier_is_higher(session, settings, clinic):
    from clinic.documents.worklist import medication_notes

    referral = make_ready_referral(
        session, clinic, medications=[("apixaban", "", None), ("aspirin", "primary", None)], **FACET
    )
    appointment = book(session, settings, referral, limit=1, first_day=NOW.date() + dt.timedelta(days=10))
    notes = medication_notes(_plan(session, referral), referral.preregistration, appointment, ZONE, "de")
    assert "eine Stufe höher: mehrere Blutverdünner" in notes
