"""Walk 27: a radiologist's override ("Medikamentenpausierung aufheben": an earliest date and a reason) is meant
for a drug without a rule (phenprocoumon). The patient also took apixaban and clopidogrel, clopidogrel's last dose
recorded three days before the procedure (168 hours needed): the staff page said the deadline had passed, the plan
stayed confirmed and the letter told the patient "the pause of at least 168 hours is kept".

Decided: the override covers only the drugs without a rule. A drug with a rule keeps its hold: broken, the
appointment cannot start, the plan cannot be confirmed over it, and the letter says we call. A new override date or
reason withdraws the plan's confirmation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select

from clinic.core.errors import DomainError
from clinic.core.holds import NO_RULE, HoldItem, HoldPlan
from clinic.core.timefmt import to_local
from clinic.documents.holds import HoldWording, plain
from clinic.models import AnticoagulantRule
from clinic.models.vocab import BleedingClass, HoldAction
from clinic.services import hold_rules, medication, prereg_items, procedure_day, triage
from clinic.services.documents import letter_pdf
from tests.conftest import NOW, TODAY, ZONE
from tests.documents.helpers import book_for, text_of
from tests.factories import make_patient
from tests.scheduling.helpers import utc

REASON = "Marcumar: Bridging, INR am Vortag"


def _item(code: str, action: str, hours: int | None, last: dt.date | None) -> HoldItem:
    return HoldItem(code, code.capitalize(), "", action, hours, 24 if hours else None, False, True, "Dr. B", None, last)


def test_the_letter_never_calls_a_pause_kept_that_the_hours_do_not_keep():
    """The sentence judges the recorded last dose against the rule's hours itself, whatever the plan says:
    07.12 (end of day) + 168 h is 15.12, the procedure on 11.12 08:00 (about 80 hours): not kept, we call."""
    start = utc(2026, 12, 11, 7, 0)  # 08:00 in Berlin
    clopidogrel = _item("clopidogrel", HoldAction.HOLD, 168, dt.date(2026, 12, 7))
    phenprocoumon = _item("phenprocoumon", NO_RULE, None, None)
    plan = HoldPlan(
        BleedingClass.INTERMEDIATE,
        [clopidogrel, phenprocoumon],
        override_date=dt.date(2026, 12, 11),
        override_reason=REASON,
        override_by="Dr. R",
        confirmed_by="Dr. R",
        confirmed_at=NOW,
    )
    for language, kept, call in (
        ("de", "eingehalten", "Wir rufen Sie an"),
        ("en", "keeps the pause", "We will call you"),
    ):
        wording = HoldWording(language, ZONE, start, start + dt.timedelta(hours=1), NOW, "040 1234 5670")
        text = plain(wording.sentence(plan, clopidogrel))
        assert kept not in text and call in text, text
    # Kept to the hour: the end of 03.12 + 168 h is 11.12 00:00 Berlin, before 08:00.
    kept_item = _item("clopidogrel", HoldAction.HOLD, 168, dt.date(2026, 12, 3))
    wording = HoldWording("de", ZONE, start, start + dt.timedelta(hours=1), NOW, "040 1234 5670")
    assert "eingehalten" in plain(wording.sentence(plan, kept_item))
    # One day later it is not (end of 04.12 + 168 h = 12.12 00:00, after 11.12 08:00).
    late_item = _item("clopidogrel", HoldAction.HOLD, 168, dt.date(2026, 12, 4))
    assert "eingehalten" not in plain(wording.sentence(plan, late_item))


def test_the_override_covers_only_the_drugs_without_a_rule():
    start = utc(2026, 12, 11, 7, 0)
    clopidogrel = _item("clopidogrel", HoldAction.HOLD, 168, dt.date(2026, 12, 7))
    apixaban = _item("apixaban", HoldAction.HOLD, 72, dt.date(2026, 12, 6))
    phenprocoumon = _item("phenprocoumon", NO_RULE, None, None)
    plan = HoldPlan(
        BleedingClass.INTERMEDIATE, [apixaban, clopidogrel, phenprocoumon], override_date=dt.date(2026, 12, 11)
    )
    assert plan.broken_for(start, ZONE) == [clopidogrel]
    assert not plan.satisfied_for(start, ZONE)
    assert plan.overridden(phenprocoumon) and not plan.overridden(clopidogrel)
    # The earliest start is the later of the override's day and the holds': the end of 07.12 + 168 h, Berlin.
    assert plan.earliest_start(NOW, ZONE) == utc(2026, 12, 14, 23, 0)
    # With clopidogrel's hold kept, the override's day decides; not before it.
    kept = HoldPlan(
        BleedingClass.INTERMEDIATE,
        [apixaban, _item("clopidogrel", HoldAction.HOLD, 168, dt.date(2026, 12, 3)), phenprocoumon],
        override_date=dt.date(2026, 12, 11),
    )
    assert kept.satisfied_for(start, ZONE) and kept.broken_for(start, ZONE) == []
    assert not kept.satisfied_for(utc(2026, 12, 10, 23, 0) - dt.timedelta(minutes=1), ZONE)  # 10.12 23:59 Berlin


def _sign_off(session) -> None:
    for rule in session.scalars(select(AnticoagulantRule)):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)


def _walk(session, settings, clinic):
    """Booked first, then the drugs recorded (as at the desk): apixaban 5 days and clopidogrel 3 days before
    the procedure's day, and phenprocoumon, overridden to the procedure's day."""
    _sign_off(session)
    appointment = book_for(session, settings, clinic, make_patient(session, preferred_language="de"))
    referral = appointment.referral
    day = to_local(appointment.table_start, ZONE).date()
    for code, last in (("apixaban", day - dt.timedelta(days=5)), ("clopidogrel", day - dt.timedelta(days=3))):
        prereg_items.add_medication(session, None, referral, drug_code=code, dose_class="", last_dose_on=last)
    prereg_items.add_medication(session, None, referral, drug_code="phenprocoumon", dose_class="", last_dose_on=None)
    triage.override_hold(session, clinic.radiologists[0], referral, day, REASON, today=TODAY)
    session.flush()
    return appointment, referral, day


def test_walk_27_the_letter_and_the_start_under_an_override_for_phenprocoumon(session, settings, clinic):
    appointment, referral, _day = _walk(session, settings, clinic)
    plan = medication.plan_for(session, referral.preregistration, appointment.procedure_type, appointment.region)
    assert [i.drug_code for i in plan.broken_for(appointment.table_start, ZONE)] == ["clopidogrel"]
    with pytest.raises(DomainError, match="The plan was not confirmed"):
        medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    problem = procedure_day.medication_problem(session, appointment, appointment.table_start, ZONE)
    assert problem is not None and problem.code == "medication_hold"

    text = text_of(letter_pdf(session, settings, appointment))
    assert "Clopidogrel: Ihre letzte Einnahme laut Ihren Angaben am" in text
    assert "Wir rufen Sie an, um zu klären, ob der Termin stattfinden kann" in text
    assert "168 Stunden vor dem Eingriff eingehalten" not in text
    assert "72 Stunden vor dem Eingriff eingehalten" in text  # apixaban's pause is kept: 5 days before


def test_a_new_override_date_or_reason_withdraws_the_plans_confirmation(session, settings, clinic):
    _sign_off(session)
    appointment = book_for(session, settings, clinic, make_patient(session))
    referral = appointment.referral
    prereg_items.add_medication(session, None, referral, drug_code="phenprocoumon", dose_class="", last_dose_on=None)
    day = to_local(appointment.table_start, ZONE).date()
    radiologist = clinic.radiologists[0]
    triage.override_hold(session, radiologist, referral, day, REASON, today=TODAY)
    assert medication.confirm_plan(session, radiologist, referral, ZONE).confirmed

    def confirmed() -> bool:
        session.flush()
        return medication.plan_for(
            session, referral.preregistration, appointment.procedure_type, appointment.region
        ).confirmed

    triage.override_hold(session, radiologist, referral, day, REASON, today=TODAY)  # the same: stays
    assert confirmed()
    triage.override_hold(session, radiologist, referral, day + dt.timedelta(days=1), REASON, today=TODAY)
    assert not confirmed()
    assert medication.confirm_plan(session, radiologist, referral, ZONE).confirmed
    triage.override_hold(
        session, radiologist, referral, day + dt.timedelta(days=1), "INR 1,3 am Vortag, Hausarzt", today=TODAY
    )
    assert not confirmed()


def test_the_call_prompt_names_the_earliest_deadline_also_when_it_has_passed():
    """Walk 27, item 2: clopidogrel's last dose recorded 07.12 (its deadline before 11.12 08:00 was 04.12 08:00),
    then edoxaban added, not yet dated (deadline 08.12 08:00): the prompt said 08.12. It names 04.12, and since
    that lies before now, the desk's message says it had to be stopped by then (``booking._moved_message``)."""
    start = utc(2026, 12, 11, 7, 0)
    now = utc(2026, 12, 7, 9, 0)
    unsigned = dict(verified=False, verified_by=None)
    clopidogrel = HoldItem(
        "clopidogrel",
        "Clopidogrel",
        "",
        HoldAction.HOLD,
        168,
        24,
        False,
        note=None,
        last_dose_on=dt.date(2026, 12, 7),
        **unsigned,
    )
    edoxaban = HoldItem(
        "edoxaban", "Edoxaban", "", HoldAction.HOLD, 72, 24, False, note=None, last_dose_on=None, **unsigned
    )
    plan = HoldPlan(BleedingClass.INTERMEDIATE, [clopidogrel, edoxaban])
    assert plan.call_urgently(start, now, ZONE) == utc(2026, 12, 4, 7, 0) < now
    assert plan.call_by(start, ZONE) == utc(2026, 12, 4, 7, 0)
    # A recorded last dose that keeps the hold sets no deadline: edoxaban's then.
    kept = HoldPlan(BleedingClass.INTERMEDIATE, [replace(clopidogrel, last_dose_on=dt.date(2026, 12, 3)), edoxaban])
    assert kept.call_urgently(start, now, ZONE) == utc(2026, 12, 8, 7, 0)
