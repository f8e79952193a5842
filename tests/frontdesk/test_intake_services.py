"""Referral intake and pre-registration rules (services)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.core.errors import DomainError, InvalidInput
from clinic.models.vocab import BleedingClass, HoldAction, Priority, RedFlag
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import hold_rules, intake, medication, prereg_items, preregistration
from clinic.services.readiness import assess
from tests.conftest import NOW, TODAY, ZONE
from tests.factories import (
    accept_referral,
    build_clinic,
    make_patient,
    make_ready_referral,
    make_referral,
    waive_imaging,
)

NO_FLAGS = {f.value: False for f in RedFlag}


def _details(**kw) -> intake.ReferralDetails:
    kw.setdefault("red_flags", dict(NO_FLAGS))
    return intake.ReferralDetails(
        received_on=kw.pop("received_on", TODAY),
        clinical_question=kw.pop("clinical_question", "Radicular pain L5 left"),
        region="lumbar",
        side="left",
        symptom_duration_weeks=8,
        **kw,
    )


def _patient(**kw) -> intake.PatientDetails:
    base = dict(
        family_name="Weiß",
        given_name="Zoë",
        birth_date=dt.date(1961, 4, 5),
        sex="female",
        phone="+49 40 1234 5670",
        street="Hauptstraße 1",
        postal_code="20095",
        city="Hamburg",
        insurance_name="AOK",
        insurance_number="A1",
    )
    base.update(kw)
    return intake.PatientDetails(**base)


def test_a_likely_duplicate_is_shown_before_a_new_patient_is_created(session):
    build_clinic(session)
    existing = intake.register_patient(session, None, _patient(), today=TODAY)
    for spelling in (_patient(family_name="WEISS"), _patient(family_name="weiss", given_name="zoe")):
        with pytest.raises(intake.LikelyDuplicate) as dup:
            intake.register_patient(session, None, spelling, today=TODAY)
        assert [p.id for p in dup.value.candidates] == [existing.id]
    twin = intake.register_patient(session, None, _patient(), today=TODAY, allow_duplicate=True)
    assert twin.id != existing.id and twin.clinic_number != existing.clinic_number
    other_birthday = intake.register_patient(session, None, _patient(birth_date=dt.date(1961, 4, 6)), today=TODAY)
    assert other_birthday.id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"family_name": " "}, "family and given name"),
        ({"birth_date": dt.date(2030, 1, 1)}, "in the future"),
        ({"birth_date": dt.date(1850, 1, 1)}, "before 1900"),
        ({"preferred_language": "fr"}, "unknown language"),
    ],
)
def test_invalid_patient_details_are_refused(session, change, message):
    with pytest.raises(InvalidInput, match=message):
        intake.register_patient(session, None, _patient(**change), today=TODAY)


def test_a_red_flag_makes_the_referral_urgent_and_blocks_booking(session, settings):
    clinic = build_clinic(session)
    patient = make_patient(session)
    flags = dict(NO_FLAGS, saddle_numbness=True)
    referral = intake.take_referral(
        session, None, patient=patient, details=_details(red_flags=flags), physician=None, today=TODAY
    )
    assert referral.priority == Priority.URGENT and referral.has_emergency_flag
    accept_referral(session, clinic, referral)
    missing = assess(session, settings, referral, ProcedurePlan.from_referral(referral)).missing
    assert any("red flag" in m for m in missing)


def test_every_red_flag_question_needs_an_answer(session):
    patient = make_patient(session)
    partial = {k: v for k, v in NO_FLAGS.items() if k != "tumour"}
    with pytest.raises(InvalidInput, match="every red-flag question"):
        intake.take_referral(
            session, None, patient=patient, details=_details(red_flags=partial), physician=None, today=TODAY
        )
    with pytest.raises(InvalidInput, match="clinical question"):
        intake.take_referral(
            session, None, patient=patient, details=_details(clinical_question=" "), physician=None, today=TODAY
        )
    with pytest.raises(InvalidInput, match="future"):
        intake.take_referral(
            session,
            None,
            patient=patient,
            details=_details(received_on=TODAY + dt.timedelta(3)),
            physician=None,
            today=TODAY,
        )


def test_completeness_is_derived_from_the_items(session, settings):
    clinic = build_clinic(session)
    staff = clinic.staff["frontdesk"]
    referral = accept_referral(session, clinic, make_referral(session), code="FACET", stage="diagnostic")
    items = {i.key: i for i in preregistration.checklist(session, referral)}
    assert [k for k, i in items.items() if not i.done] == [
        "contact",
        "imaging",
        "medication",
        "allergies",
        "conditions",
        "escort",
        "language",
    ]
    prereg_items.confirm_contact(session, staff, referral)
    prereg_items.settle_medication(session, staff, referral, raised_bleeding_risk=False)
    prereg_items.set_allergies(session, staff, referral, found={"contrast"}, other=None)
    prereg_items.set_conditions(session, staff, referral, found={"diabetes"}, implant_note=None, note=None)
    prereg_items.set_escort(session, staff, referral, name="Maria", phone=None)
    prereg_items.set_language(session, staff, referral, language="en")
    waive_imaging(session, clinic, referral, reason="MRI in PACS")
    items = preregistration.checklist(session, referral)
    assert all(i.done for i in items), preregistration.missing(items)
    escort = next(i for i in items if i.key == "escort")
    assert escort.settled_by == "Petra Möller" and escort.settled_at is not None
    prereg_items.set_conditions(session, staff, referral, found={"current_infection"}, implant_note=None, note=None)
    assert "current infection" in " ".join(preregistration.missing(preregistration.checklist(session, referral)))


def test_contact_cannot_be_confirmed_while_details_are_missing(session):
    build_clinic(session)
    referral = make_referral(session, make_patient(session, insurance_number=None))
    with pytest.raises(DomainError, match="insurance"):
        prereg_items.confirm_contact(session, None, referral)


def test_medication_questionnaire_validates_drug_and_dose(session):
    build_clinic(session)
    referral = make_referral(session)
    with pytest.raises(InvalidInput, match="Choose the drug"):
        prereg_items.add_medication(session, None, referral, drug_code="marcumar", dose_class="", last_dose_on=None)
    with pytest.raises(InvalidInput, match="say which dose"):
        prereg_items.add_medication(session, None, referral, drug_code="aspirin", dose_class="", last_dose_on=None)
    entry = prereg_items.add_medication(
        session, None, referral, drug_code="aspirin", dose_class="primary", last_dose_on=None
    ).entry
    prereg_items.remove_medication(session, None, referral, entry.id)
    assert preregistration.ensure(session, referral).medications == []


# restart_hours: after a drug that is paused; one that is not (no hold, shared assessment) has no restart.
@pytest.mark.parametrize(
    ("drug", "dose", "code", "region", "raised", "expected_days", "restart_hours", "prescriber"),
    [
        ("clopidogrel", "", "PRT", "lumbar", False, 7, 24, True),  # intermediate: 7 days
        ("clopidogrel", "", "FACET", "lumbar", False, 0, None, True),  # low: shared assessment, no pause
        ("clopidogrel", "", "FACET", "lumbar", True, 7, 24, True),  # raised bleeding risk: one tier up
        ("clopidogrel", "", "FACET", "cervical", False, 7, 24, True),  # cervical facet: intermediate
        ("apixaban", "", "SYMP", None, False, 3, 24, True),
        ("warfarin", "", "EPI", None, False, 5, 6, True),
        ("aspirin", "primary", "PRT", "lumbar", False, 0, None, True),  # intermediate: shared, no pause
        ("aspirin", "primary", "FACET", "lumbar", False, 0, None, False),  # low: no hold
        ("lmwh", "therapeutic", "PRT", "lumbar", False, 1, 24, True),  # 24 hours → one calendar day
        ("ibuprofen", "", "PRT", "lumbar", False, 0, None, False),
    ],
)
def test_hold_plan_from_drug_dose_and_bleeding_class(
    session, drug, dose, code, region, raised, expected_days, restart_hours, prescriber
):
    clinic = build_clinic(session)
    referral = make_ready_referral(
        session,
        clinic,
        code=code,
        region=region or "lumbar",
        stage="diagnostic" if code in ("FACET", "SYMP") else None,
        medications=[(drug, dose, dt.date(2026, 11, 20))],
        raised_bleeding_risk=raised,
    )
    plan = medication.plan_for(session, referral.preregistration, clinic.pt(code), region)
    [item] = plan.items
    assert item.days == expected_days
    assert item.confirm_with_prescriber is prescriber
    start = dt.datetime(2026, 12, 10, 8, 0, tzinfo=dt.UTC)  # Thursday 10 December, 09:00 in Berlin
    if expected_days:
        hours = dt.timedelta(hours=24 * expected_days)
        assert item.hold_hours == 24 * expected_days
        # The last dose recorded on Friday 20 November may have been taken as late as midnight (Berlin).
        midnight = dt.datetime(2026, 11, 20, 23, 0, tzinfo=dt.UTC)
        assert item.earliest_start(NOW, ZONE) == midnight + hours
        assert item.last_dose_no_later_than(start) == start - hours
    else:
        assert item.earliest_start(NOW, ZONE) is None and item.last_dose_no_later_than(start) is None
    end = start + dt.timedelta(minutes=20)
    expected_restart = None if restart_hours is None else end + dt.timedelta(hours=restart_hours)
    assert item.restart_not_before(end) == expected_restart


def _a_drug_ruled_only_for_high_bleeding_risk(session, clinic) -> str:
    """Phenprocoumon, added by the admin with a rule for high-bleeding-risk procedures only: the desk can
    record it (the questionnaire offers drugs the rules know), but no rule covers it for a PRT."""
    hold_rules.create_rule(
        session,
        clinic.staff["admin"],
        drug_code="phenprocoumon",
        drug_name_en="Phenprocoumon",
        drug_name_de="Phenprocoumon",
        dose_class="",
        bleeding_class=BleedingClass.HIGH,
        fields=hold_rules.RuleFields(
            action=HoldAction.HOLD, hold_hours=7 * 24, restart_hours=24, requires_inr=True, note=None
        ),
    )
    return "phenprocoumon"


def test_a_drug_without_a_rule_waits_for_a_radiologist(session, settings):
    clinic = build_clinic(session)
    drug = _a_drug_ruled_only_for_high_bleeding_risk(session, clinic)
    referral = make_ready_referral(session, clinic, medications=[(drug, "", None)])
    missing = preregistration.missing(preregistration.checklist(session, referral))
    assert any("radiologist must set the earliest date" in m for m in missing)
    from clinic.services import triage

    triage.override_hold(
        session, clinic.radiologists[0], referral, dt.date(2026, 12, 1), "INR checked, stop 7 d", today=TODAY
    )
    assert preregistration.missing(preregistration.checklist(session, referral)) == []
    assert assess(session, settings, referral, ProcedurePlan.from_referral(referral)).not_before == dt.date(2026, 12, 1)


def test_the_batch_checklists_say_what_each_checklist_says(session):
    clinic = build_clinic(session)
    drug = _a_drug_ruled_only_for_high_bleeding_risk(session, clinic)
    referrals = [
        make_ready_referral(session, clinic),
        make_ready_referral(session, clinic, medications=[(drug, "", None)]),
        make_ready_referral(session, clinic, medications=[("clopidogrel", "", dt.date(2026, 11, 20))]),
        make_referral(session),
    ]
    for people in (False, True):
        batch = preregistration.checklists(session, referrals, people=people)
        assert batch == {r.id: preregistration.checklist(session, r, people=people) for r in referrals}


def test_a_brief_checklist_leaves_out_only_the_details_of_what_is_done(session):
    """The start page sorts every waiting referral by a brief checklist: what it misses, word for word as
    the full checklist says it, and which items are done (their details left out)."""
    clinic = build_clinic(session)
    drug = _a_drug_ruled_only_for_high_bleeding_risk(session, clinic)
    referrals = [
        make_ready_referral(session, clinic),
        make_ready_referral(session, clinic, medications=[(drug, "", None)]),
        make_ready_referral(session, clinic, medications=[("clopidogrel", "", dt.date(2026, 11, 20))]),
        make_ready_referral(session, clinic, escort_name=None, imaging_waiver=None, conditions=["current_infection"]),
        make_ready_referral(session, clinic),
        make_referral(session),
    ]
    referrals[4].patient.phone = referrals[4].patient.email = None  # the contact data lost since it was checked
    session.flush()
    full = preregistration.checklists(session, referrals)
    brief = preregistration.checklists(session, referrals, brief=True)
    open_items = left_out = 0
    for referral in referrals:
        assert [(i.key, i.label, i.done) for i in brief[referral.id]] == [
            (i.key, i.label, i.done) for i in full[referral.id]
        ]
        assert [i for i in brief[referral.id] if not i.done] == [i for i in full[referral.id] if not i.done]
        assert preregistration.missing(brief[referral.id]) == preregistration.missing(full[referral.id])
        for short, whole in zip(brief[referral.id], full[referral.id], strict=True):
            assert short.detail in ("", whole.detail)
            left_out += short.done and short.detail == "" and whole.detail != ""
        open_items += len(preregistration.missing(full[referral.id]))
    assert open_items >= 12  # the referrals above leave items of every kind open
    assert left_out >= 30  # and the brief one spares the words of most items that are done
