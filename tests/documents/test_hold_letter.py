"""Issue 14, findings 1-3: what the letter tells the patient about medicines that change bleeding.

A hold is hours between the last dose and the planned table start (DESIGN.md §4, invariant 6). The
letter prints the latest moment of the last dose (date and clock time in Berlin) that keeps the hours,
counted on instants so that a daylight-saving change never shortens it; the restart "not before" a
moment; injected drugs speak of the injection. A rule nobody signed off is never printed as a date (the
clinic calls), and a moment already past is never printed as an instruction.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic.core.timefmt import fmt_long_date, fmt_time, to_local
from clinic.defaults import HOLD_RULES, INJECTED_DRUGS
from clinic.models import AnticoagulantRule
from clinic.models.vocab import BleedingClass, HoldAction
from clinic.scheduling.context import Settings
from clinic.services import hold_rules, medication
from clinic.services.documents import letter_pdf, worklist_pdf
from tests.conftest import NOW, ZONE
from tests.factories import add_roster, add_weekly_sessions, make_patient
from tests.scheduling.helpers import chain, utc

from .helpers import book_for, text_of

BERLIN_HOURS = (dt.time(7), dt.time(18))


def sign_off(session, drug: str | None = None) -> None:
    """A physician signs off the rules (of one drug, or all): only then does a letter print moments."""
    query = select(AnticoagulantRule)
    if drug is not None:
        query = query.where(AnticoagulantRule.drug_code == drug)
    for rule in session.scalars(query):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)


def _long_days(session, clinic, weekdays=range(7)) -> None:
    """Sessions and a roster from 07:00 to 18:00 every day, so that 07:30 and 16:45 can be booked."""
    add_weekly_sessions(session, clinic.rooms["CT 1"], weekdays, *BERLIN_HOURS)
    add_roster(session, clinic.radiologists[0], weekdays, *BERLIN_HOURS)
    session.flush()


def _at(clinic, start: dt.datetime, table: int = 20, obs: int = 30):
    return chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0], start, table, obs)


def _moment_de(instant: dt.datetime) -> str:
    return f"{fmt_long_date(instant, 'de_DE', ZONE)}, um {fmt_time(instant, ZONE)} Uhr"


def _hold_cases():
    """Every seeded rule that holds a drug, at the bleeding class it holds for."""
    for code, _en, _de, dose, by_class, _inr, _evidence, _note, _note_de in HOLD_RULES:
        for bleeding, (action, hold_hours, restart_hours) in by_class.items():
            if action == HoldAction.HOLD:
                yield pytest.param(code, dose, bleeding, hold_hours, restart_hours, id=f"{code}-{dose}-{bleeding}")


# How to reach each bleeding class: the procedure (and whether the patient's bleeding risk is raised).
REACH = {
    BleedingClass.LOW: {"code": "FACET", "stage": "diagnostic"},
    BleedingClass.INTERMEDIATE: {"code": "PRT"},
    BleedingClass.HIGH: {"code": "PRT", "raised_bleeding_risk": True},
}


@pytest.mark.parametrize(("drug", "dose", "bleeding", "hold_hours", "restart_hours"), list(_hold_cases()))
def test_every_signed_off_hold_prints_a_latest_moment_that_keeps_its_hours(
    session, settings, clinic, drug, dose, bleeding, hold_hours, restart_hours
):
    """Finding 1: a date and a clock time, at least the hold's hours before the table start."""
    sign_off(session, drug)
    appointment = book_for(session, settings, clinic, medications=[(drug, dose, None)], **REACH[bleeding])
    [item] = medication.plan_for(
        session, appointment.referral.preregistration, appointment.procedure_type, appointment.region
    ).items
    latest = item.last_dose_no_later_than(appointment.table_start)
    assert appointment.table_start - latest >= dt.timedelta(hours=hold_hours)
    assert latest >= NOW  # booked from now: the hold can still be kept

    text = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    dose_word = "letzte Spritze" if drug in INJECTED_DRUGS else "letzte Einnahme"
    assert f"{dose_word} spätestens am {_moment_de(latest)} (mindestens {hold_hours} Stunden vor dem Eingriff)" in text
    if restart_hours is None:
        assert "Wann Sie wieder beginnen, besprechen wir nach dem Eingriff mit Ihnen." in text
    else:
        restart = appointment.table_end + dt.timedelta(hours=restart_hours)
        verb = "Nächste Spritze" if drug in INJECTED_DRUGS else "Wieder einnehmen"
        assert f"{verb} frühestens am {_moment_de(restart)}." in text


# Hand-counted on the calendar, not by the code under test: each instant is the table start in Berlin
# minus the hold's hours of real time. The clocks go forward on Sunday 28 March 2027 (02:00 → 03:00) and
# back on Sunday 25 October 2026 (03:00 → 02:00).
DST_CASES = [
    # Monday after the spring change, 07:30 CEST; apixaban 72 h: Friday in winter time, 06:30.
    ("spring-0730-apixaban", utc(2027, 3, 1, 6), utc(2027, 3, 29, 5, 30), "apixaban", "", 72,
     "Apixaban: letzte Einnahme spätestens am Freitag, 26. März 2027, um 06:30 Uhr"),
    # Monday after the spring change, 12:00 CEST; prophylactic LMWH 12 h: midnight, already summer time.
    ("spring-1200-lmwh", utc(2027, 3, 1, 6), utc(2027, 3, 29, 10, 0), "lmwh", "prophylactic", 12,
     "Enoxaparin): letzte Spritze spätestens am Montag, 29. März 2027, um 00:00 Uhr"),
    # Monday after the spring change, 16:45 CEST; clopidogrel 168 h: the Monday before, 15:45 CET.
    ("spring-1645-clopidogrel", utc(2027, 3, 1, 6), utc(2027, 3, 29, 14, 45), "clopidogrel", "", 168,
     "Clopidogrel: letzte Einnahme spätestens am Montag, 22. März 2027, um 15:45 Uhr"),
    # Monday after the autumn change, 07:30 CET; therapeutic LMWH 24 h: Sunday 07:30, after the change.
    ("autumn-0730-lmwh", utc(2026, 10, 1, 6), utc(2026, 10, 26, 6, 30), "lmwh", "therapeutic", 24,
     "Enoxaparin): letzte Spritze spätestens am Sonntag, 25. Oktober 2026, um 07:30 Uhr"),
    # Monday after the autumn change, 12:00 CET; apixaban 72 h: Friday in summer time, 13:00.
    ("autumn-1200-apixaban", utc(2026, 10, 1, 6), utc(2026, 10, 26, 11, 0), "apixaban", "", 72,
     "Apixaban: letzte Einnahme spätestens am Freitag, 23. Oktober 2026, um 13:00 Uhr"),
    # Monday after the autumn change, 16:45 CET; clopidogrel 168 h: the Monday before, 17:45 CEST.
    ("autumn-1645-clopidogrel", utc(2026, 10, 1, 6), utc(2026, 10, 26, 15, 45), "clopidogrel", "", 168,
     "Clopidogrel: letzte Einnahme spätestens am Montag, 19. Oktober 2026, um 17:45 Uhr"),
    # The Sunday of the autumn change, 12:00 CET; therapeutic LMWH 24 h: Saturday 13:00 CEST (23 h by the wall clock).
    ("autumn-sunday-lmwh", utc(2026, 10, 1, 6), utc(2026, 10, 25, 11, 0), "lmwh", "therapeutic", 24,
     "Enoxaparin): letzte Spritze spätestens am Samstag, 24. Oktober 2026, um 13:00 Uhr"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("clock", "start", "drug", "dose", "hours", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in DST_CASES],
)
def test_latest_moment_across_daylight_saving_changes_at_0730_1200_and_1645(
    session, clinic, clock, start, drug, dose, hours, expected
):
    """Finding 1: the moment keeps the full hours of real time before the table start, whatever the clocks
    did in between (the API gives the same moment: tests/api/test_medication_holds.py)."""
    _long_days(session, clinic)
    sign_off(session, drug)
    settings = Settings(zone=ZONE, clock=lambda: clock)
    appointment = book_for(session, settings, clinic, medications=[(drug, dose, None)], candidate=_at(clinic, start))
    text = text_of(letter_pdf(session, settings, appointment, issued_on=clock.date(), now=clock))
    assert f"{expected} (mindestens {hours} Stunden vor dem Eingriff)" in text


def test_english_letter_gives_the_moment_and_says_injection_for_injected_drugs(session, settings, clinic):
    sign_off(session)
    patient = make_patient(session, preferred_language="en")
    start = utc(2026, 12, 8, 9, 0)  # Tuesday 8 December, 10:00 in Berlin
    medications = [("warfarin", "", None), ("lmwh", "therapeutic", None)]
    appointment = book_for(session, settings, clinic, patient, medications=medications, candidate=_at(clinic, start))
    text = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    assert (
        "Warfarin: last dose no later than Thursday, 3 December 2026, 10:00 (at least 120 hours before the "
        "procedure). Take it again no earlier than Tuesday, 8 December 2026, 16:20." in text
    )
    assert "INR must be checked" in text
    assert (
        "enoxaparin): last injection no later than Monday, 7 December 2026, 10:00 (at least 24 hours before the "
        "procedure). Next injection no earlier than Wednesday, 9 December 2026, 10:20." in text
    )
    assert "agreed it with the doctor who prescribed" in text


def test_a_rule_nobody_signed_off_is_never_printed_as_a_date(session, settings, clinic):
    """Finding 2 (invariant 6): the letter says the clinic will call; once a radiologist has confirmed this
    patient's plan (after the call), the moment is printed."""
    start = utc(2026, 12, 8, 9, 0)
    appointment = book_for(
        session, settings, clinic, medications=[("clopidogrel", "", None)], candidate=_at(clinic, start)
    )
    text = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    assert (
        "Clopidogrel: Ob und ab wann Sie es vor dem Eingriff pausieren, bestätigen wir Ihnen vor dem Termin "
        "telefonisch. Bis dahin nehmen Sie es bitte wie verordnet." in text
    )
    assert "spätestens" not in text and "1. Dezember" not in text

    medication.confirm_plan(session, clinic.radiologists[0], appointment.referral, ZONE)
    text = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    assert "Clopidogrel: letzte Einnahme spätestens am Dienstag, 1. Dezember 2026, um 10:00 Uhr" in text


def test_a_plan_confirmation_lapses_when_the_plan_changes(session, settings, clinic):
    appointment = book_for(session, settings, clinic, medications=[("apixaban", "", None)])
    referral = appointment.referral
    medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    prereg = referral.preregistration
    plan = medication.plan_for(session, prereg, appointment.procedure_type, appointment.region)
    assert plan.confirmed and not plan.awaiting_confirmation
    from clinic.services import prereg_items

    prereg_items.add_medication(session, None, referral, drug_code="clopidogrel", dose_class="", last_dose_on=None)
    plan = medication.plan_for(session, prereg, appointment.procedure_type, appointment.region)
    assert not plan.confirmed and {i.drug_code for i in plan.to_confirm} == {"apixaban", "clopidogrel"}


def test_only_a_radiologist_confirms_a_plan(session, settings, clinic):
    from clinic.core.errors import DomainError

    appointment = book_for(session, settings, clinic, medications=[("apixaban", "", None)])
    with pytest.raises(DomainError, match="Only a radiologist"):
        medication.confirm_plan(session, clinic.staff["frontdesk"], appointment.referral, ZONE)
    assert appointment.referral.hold_plan_confirmed_at is None


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_reprinted_letter_never_prints_a_past_moment_as_an_instruction(session, settings, clinic, language):
    """Finding 3 and issue 21 item 8: printed after the latest moment, the letter says what to do instead."""
    sign_off(session)
    patient = make_patient(session, preferred_language=language)
    start = utc(2026, 12, 8, 9, 0)  # Tuesday 8 December 10:00; apixaban 72 h: latest Saturday 5 December 10:00
    appointment = book_for(
        session, settings, clinic, patient, medications=[("apixaban", "", None)], candidate=_at(clinic, start)
    )
    before = text_of(letter_pdf(session, settings, appointment, now=utc(2026, 12, 5, 8, 59)))
    reprint = text_of(letter_pdf(session, settings, appointment, now=utc(2026, 12, 5, 9, 1)))
    if language == "de":
        assert "spätestens am Samstag, 5. Dezember 2026, um 10:00 Uhr" in before
        assert "Der späteste Zeitpunkt für die letzte Einnahme vor diesem Termin ist bereits vorbei." in reprint
        assert "rufen Sie uns bitte noch heute unter +49 40 1234 5670 an" in reprint
        assert "5. Dezember" not in reprint.replace("Datum 05.12.2026", "")
    else:
        assert "no later than Saturday, 5 December 2026, 10:00" in before
        assert "the latest time for your last dose before this appointment has already passed" in reprint
        assert "please call us today on +49 40 1234 5670" in reprint
        assert "5 December" not in reprint
    # The restart lies ahead and is still given.
    assert ("9. Dezember 2026" if language == "de" else "9 December 2026") in reprint


def test_a_signed_shared_assessment_is_still_called_about_until_a_radiologist_confirms(session, settings, clinic, zone):
    """Walk finding: with the shared-assessment rule of ASS signed off, the appointment left the call list
    and the letter told the patient to settle it with the prescriber; the worklist printed "agreed with
    prescriber" though nobody had agreed anything. A shared assessment is decided case by case: the clinic
    calls (the letter says so, the call list keeps it, the worklist says the plan is not confirmed) until a
    radiologist confirms this patient's plan; then the letter says no pause is planned."""
    sign_off(session, "aspirin")
    appointment = book_for(session, settings, clinic, medications=[("aspirin", "secondary", None)])
    text = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    assert "Acetylsalicylsäure (ASS): Ob und ab wann Sie es vor dem Eingriff pausieren, bestätigen wir Ihnen" in text
    assert "Bitte besprechen Sie" not in text and "letzte Einnahme" not in text
    calls = medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(days=60), ZONE)
    assert [row.appointment.id for row in calls] == [appointment.id]
    day = to_local(appointment.table_start, zone).date()
    worklist = text_of(worklist_pdf(session, day, appointment.room, zone))
    assert "Plan NICHT bestätigt" in worklist and "abgestimmt" not in worklist

    medication.confirm_plan(session, clinic.radiologists[0], appointment.referral, ZONE)
    text = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    assert "Acetylsalicylsäure (ASS): Unsere Radiologie hat es für diesen Eingriff geprüft" in text
    assert "Eine Pause ist nicht vorgesehen, sofern wir telefonisch nichts anderes" in text
    assert medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(days=60), ZONE) == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_reprinted_letter_never_prints_a_past_fasting_moment(session, settings, clinic, language):
    """Issue 21, item 8: reprinted on the morning of a sympathetic block (6 hours fasting), the letter
    says plainly that eating is over, never "do not eat from" a moment already past."""
    patient = make_patient(session, preferred_language=language)
    start = utc(2026, 12, 8, 9, 0)  # Tuesday 8 December 10:00 in Berlin: no food from 04:00
    appointment = book_for(
        session,
        settings,
        clinic,
        patient,
        code="SYMP",
        side="right",
        levels=None,
        stage="diagnostic",
        candidate=_at(clinic, start, table=30, obs=60),
    )
    before = text_of(letter_pdf(session, settings, appointment, now=utc(2026, 12, 8, 2, 59)))
    reprint = text_of(letter_pdf(session, settings, appointment, now=utc(2026, 12, 8, 3, 1)))
    if language == "de":
        assert "Bitte essen Sie ab Dienstag, 8. Dezember 2026, um 04:00 Uhr nichts mehr" in before
        assert "04:00 Uhr" not in reprint
        assert "Bitte essen Sie bis nach dem Eingriff nichts mehr" in reprint
    else:
        assert "Please do not eat anything from Tuesday, 8 December 2026, 04:00 on" in before
        assert "04:00" not in reprint
        assert "Please do not eat anything more until after the procedure" in reprint


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_latest_moment_less_than_a_day_away_asks_to_call_if_read_too_late(session, settings, clinic, language):
    """Walk finding: a letter printed minutes before the latest moment of the last dose gave it as if the
    patient could still act on it. Less than a day before it (counted on instants, here across the night
    the clocks go forward), the letter still gives the moment and asks the patient to call if it is read
    only afterwards."""
    sign_off(session)
    _long_days(session, clinic)
    patient = make_patient(session, preferred_language=language)
    start = utc(2027, 3, 31, 8, 0)  # Wednesday 31 March 2027 10:00 summer time; apixaban 72 h
    appointment = book_for(
        session, settings, clinic, patient, medications=[("apixaban", "", None)], candidate=_at(clinic, start)
    )
    latest = utc(2027, 3, 28, 8, 0)  # Sunday 28 March 10:00 summer time, the night the clocks went forward
    assert medication.referral_plan(session, appointment.referral).items[0].last_dose_no_later_than(start) == latest
    # 24 hours before it is Saturday 09:00 winter time (not 10:00): one minute either side of it.
    early = text_of(letter_pdf(session, settings, appointment, now=utc(2027, 3, 27, 7, 59)))
    late = text_of(letter_pdf(session, settings, appointment, now=utc(2027, 3, 27, 8, 1)))
    if language == "de":
        moment, soon = "spätestens am Sonntag, 28. März 2027, um 10:00 Uhr", "Das ist weniger als einen Tag entfernt"
        call = "rufen Sie uns bitte noch heute unter +49 40 1234 5670 an"
    else:
        moment, soon = "no later than Sunday, 28 March 2027, 10:00", "That is less than a day away"
        call = "please call us today on +49 40 1234 5670"
    assert moment in early and soon not in early
    assert moment in late and soon in late and call in late


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_recorded_last_dose_that_breaks_the_hold_is_not_answered_with_the_deadline(
    session, settings, clinic, language
):
    """Walk finding: with the last dose recorded after the latest moment (the patient took it too late),
    the letter still printed the latest moment as if all were well. It now says the pause is not kept and
    that the clinic calls to confirm whether the appointment can go ahead."""
    sign_off(session)
    patient = make_patient(session, preferred_language=language)
    start = utc(2026, 12, 8, 9, 0)  # Tuesday 8 December 10:00; apixaban 72 h: latest Saturday 5 December 10:00
    appointment = book_for(
        session, settings, clinic, patient, medications=[("apixaban", "", None)], candidate=_at(clinic, start)
    )
    [entry] = appointment.referral.preregistration.medications
    entry.last_dose_on = dt.date(2026, 12, 6)  # Sunday: less than 72 hours before the table start
    session.flush()
    text = text_of(letter_pdf(session, settings, appointment, now=utc(2026, 12, 6, 12, 0)))
    if language == "de":
        assert "Ihre letzte Einnahme laut Ihren Angaben am Sonntag, 6. Dezember 2026 liegt weniger als 72" in text
        assert "Wir rufen Sie an, um zu klären, ob der Termin stattfinden kann oder verschoben werden muss." in text
        assert "spätestens am" not in text and "5. Dezember" not in text.replace("Datum 05.12.2026", "")
    else:
        assert "the last dose you told us of, on Sunday, 6 December 2026, leaves less than 72 hours" in text
        assert "We will call you to confirm whether the appointment can go ahead or has to be moved." in text
        assert "no later than" not in text and "5 December" not in text


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_recorded_last_dose_that_keeps_the_hold_is_the_day_the_letter_gives(session, settings, clinic, language):
    """Walk finding: apixaban signed off, the patient's last dose recorded on Saturday 5 December, and the
    letter only said "last dose no later than Sunday 6 December, 08:20": consistent with the hold, but not
    what was agreed with the patient. It now repeats the recorded day and says the pause is kept; the
    restart is given as before."""
    sign_off(session)
    patient = make_patient(session, preferred_language=language)
    start = utc(2026, 12, 9, 7, 20)  # Wednesday 9 December 08:20; apixaban 72 h: latest Sunday 6 December 08:20
    appointment = book_for(
        session, settings, clinic, patient, medications=[("apixaban", "", None)], candidate=_at(clinic, start)
    )
    [entry] = appointment.referral.preregistration.medications
    entry.last_dose_on = dt.date(2026, 12, 5)
    session.flush()
    text = text_of(letter_pdf(session, settings, appointment))
    if language == "de":
        assert (
            "Laut Ihren Angaben ist Ihre letzte Einnahme vor dem Eingriff am Samstag, 5. Dezember 2026. Damit ist "
            "die Pause von mindestens 72 Stunden vor dem Eingriff eingehalten." in text
        )
        assert "spätestens am" not in text and "6. Dezember" not in text
        assert "Wieder einnehmen frühestens am" in text
    else:
        assert (
            "you told us that your last dose before the procedure is on Saturday, 5 December 2026. That keeps "
            "the pause of at least 72 hours before the procedure." in text
        )
        assert "no later than" not in text and "6 December" not in text
        assert "Take it again no earlier than" in text


@pytest.mark.parametrize("language", ["de", "en"])
def test_phenprocoumon_is_recordable_without_a_rule_and_the_letter_announces_a_call(
    session, settings, clinic, language
):
    """Walk finding: phenprocoumon (Marcumar, the usual vitamin-K antagonist in Germany) could not be
    recorded: the list of drugs came from the hold rules alone, and the clinical facts give no rule for
    it. It is now offered and recorded with no rule: the plan says a radiologist decides, the letter that
    we call; no hold hours are made up."""
    from clinic.core.holds import NO_RULE
    from clinic.services import prereg_items

    sign_off(session)
    assert "phenprocoumon|" in medication.drug_choices(session, language)
    patient = make_patient(session, preferred_language=language)
    appointment = book_for(session, settings, clinic, patient)
    referral = appointment.referral
    prereg_items.add_medication(session, None, referral, drug_code="phenprocoumon", dose_class="", last_dose_on=None)
    session.flush()
    plan = medication.plan_for(session, referral.preregistration, appointment.procedure_type, appointment.region)
    [item] = plan.items
    assert item.action == NO_RULE and item.hold_hours is None and item.drug_name == "Phenprocoumon (Marcumar)"
    assert item.summary == "no rule for this drug and procedure: a radiologist decides"
    text = text_of(letter_pdf(session, settings, appointment))
    if language == "de":
        assert (
            "Phenprocoumon (Marcumar): Das Vorgehen bei diesem Medikament besprechen wir vor dem Termin "
            "telefonisch mit Ihnen" in text
        )
        assert "spätestens am" not in text
    else:
        assert "Phenprocoumon (Marcumar): we will call you before the appointment to agree the plan" in text
        assert "no later than" not in text


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_drug_without_a_rule_is_settled_by_the_radiologists_date_and_confirmation(
    session, settings, clinic, language
):
    """Walk 25: for phenprocoumon (no rule) the radiologist set the earliest date and confirmed the plan
    after the call; the page still said "waits for the telephone confirmation", offered the button again,
    the appointment stayed on the call list and the letter still promised a call. The date and the
    confirmation settle it; the letter says what was agreed by telephone, with no made-up figures."""
    from clinic.services import prereg_items, triage

    patient = make_patient(session, preferred_language=language)
    appointment = book_for(session, settings, clinic, patient)
    referral = appointment.referral
    prereg_items.add_medication(session, None, referral, drug_code="phenprocoumon", dose_class="", last_dose_on=None)
    today = to_local(NOW, ZONE).date()
    triage.override_hold(
        session, clinic.radiologists[0], referral, today, "INR 1,2 am Vortag, mit Hausarzt besprochen", today=today
    )
    session.flush()
    plan = medication.plan_for(session, referral.preregistration, appointment.procedure_type, appointment.region)
    assert plan.awaiting_confirmation  # the date alone: the patient has not heard it yet
    waiting = medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(weeks=8), ZONE)
    assert appointment.id in {row.appointment.id for row in waiting}

    medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    session.flush()
    plan = medication.plan_for(session, referral.preregistration, appointment.procedure_type, appointment.region)
    assert not plan.awaiting_confirmation and not plan.to_confirm
    waiting = medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(weeks=8), ZONE)
    assert appointment.id not in {row.appointment.id for row in waiting}
    text = " ".join(text_of(letter_pdf(session, settings, appointment)).split())
    if language == "de":
        assert "Phenprocoumon (Marcumar): Wie Sie es vor dem Eingriff mit diesem Medikament halten, haben wir" in text
        assert "besprechen wir vor dem Termin telefonisch" not in text
    else:
        assert "Phenprocoumon (Marcumar): we have agreed with you by telephone how to handle this medicine" in text
        assert "we will call you before the appointment" not in text
    assert "spätestens am" not in text and "no later than" not in text
