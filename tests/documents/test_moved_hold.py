"""Walk 27, finding 1: a move kept the medication plan's confirmation and the last dose recorded for the old
date. Booked 17.12.2026, last apixaban dose 06.12 (the patient stopped for that date), moved to 29.03.2027: the
letter said the pause was kept and to take it again at the earliest on 30 March, 16 weeks without a blood
thinner. Now a new time lapses the radiologist's confirmation, and a recorded last dose long before the hold
for the appointment (earlier than the latest last dose minus the hold's own length) is never "the pause is
kept": the letter says we will call to confirm when to stop, the staff plan and the call list flag it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.core.holds import HoldItem, HoldPlan, read_key
from clinic.models.vocab import BleedingClass, HoldAction
from clinic.services import appointments, medication
from clinic.services.documents import letter_pdf
from tests.conftest import NOW, ZONE
from tests.factories import make_patient
from tests.scheduling.helpers import utc

from .helpers import book_for, text_of
from .test_hold_letter import _at, _long_days, sign_off

BOOKED = utc(2026, 12, 17, 7, 30)  # Thursday 17 December 2026, 08:30 in Berlin
MOVED_TO = utc(2027, 3, 29, 6, 0)  # Monday 29 March 2027, 08:00 in Berlin (summer time since 28 March)
KEPT_DE = "Damit ist die Pause von mindestens 72 Stunden vor dem Eingriff eingehalten."
CALL_DE = (
    "Apixaban: Ob und ab wann Sie es vor dem Eingriff pausieren, bestätigen wir Ihnen vor dem Termin telefonisch. "
    "Bis dahin nehmen Sie es bitte wie verordnet."
)
CALL_EN = (
    "Apixaban: we will call you before the appointment to confirm whether and when to pause it. Until then, "
    "please take it as prescribed."
)


def _booked(session, settings, clinic, last_dose: dt.date, language: str = "de"):
    _long_days(session, clinic)
    sign_off(session)
    patient = make_patient(session, preferred_language=language)
    appointment = book_for(
        session, settings, clinic, patient, medications=[("apixaban", "", None)], candidate=_at(clinic, BOOKED)
    )
    [entry] = appointment.referral.preregistration.medications
    entry.last_dose_on = last_dose
    session.flush()
    return appointment


def _plan(session, appointment) -> HoldPlan:
    prereg = appointment.referral.preregistration
    return medication.plan_for(session, prereg, appointment.procedure_type, appointment.region)


def test_a_move_lapses_the_plans_confirmation(session, settings, clinic):
    """Confirmed for 17.12 (last dose 13.12 keeps the 72 hours); moved to 29.03.2027 the confirmation no longer
    counts: the plan is to be confirmed again, as after a drug is added, and the audit trail says so."""
    appointment = _booked(session, settings, clinic, dt.date(2026, 12, 13))
    referral = appointment.referral
    medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    assert _plan(session, appointment).confirmed
    kept = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    assert "Sonntag, 13. Dezember 2026. " + KEPT_DE in kept

    appointments.reschedule(session, settings, clinic.staff["frontdesk"], appointment, _at(clinic, MOVED_TO))
    plan = _plan(session, appointment)
    assert not plan.confirmed and plan.lapsed_by == clinic.radiologists[0].full_name
    assert referral.hold_plan_confirmed_key.endswith(";moved")
    bleeding, items, cut = read_key(referral.hold_plan_confirmed_key)  # the trail still reads the old plan
    assert bleeding == BleedingClass.INTERMEDIATE and [i.drug_code for i in items] == ["apixaban"] and cut is None
    # confirmed again for the new date: it counts again
    entry = referral.preregistration.medications[0]
    entry.last_dose_on = dt.date(2027, 3, 25)
    session.flush()
    medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    assert _plan(session, appointment).confirmed


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_walk_a_last_dose_for_the_old_date_is_not_a_pause_kept_for_the_new_one(session, settings, clinic, language):
    """The walk's data: last dose 06.12.2026, moved to 29.03.2027 08:00. The letter read back from the PDF says
    we will call to confirm when to stop, not that the pause is kept, and gives no restart in March."""
    appointment = _booked(session, settings, clinic, dt.date(2026, 12, 6), language)
    medication.confirm_plan(session, clinic.radiologists[0], appointment.referral, ZONE)
    appointments.reschedule(session, settings, clinic.staff["frontdesk"], appointment, _at(clinic, MOVED_TO))
    text = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    if language == "de":
        assert CALL_DE in text
        assert "eingehalten" not in text and "6. Dezember" not in text and "30. März" not in text
    else:
        assert CALL_EN in text
        assert "keeps the pause" not in text and "6 December" not in text and "30 March" not in text
    [item] = _plan(session, appointment).stale_for(appointment.table_start, ZONE)
    assert item.drug_code == "apixaban"


def test_the_walk_staff_plan_and_call_list_flag_the_old_last_dose(session, settings, clinic):
    appointment = _booked(session, settings, clinic, dt.date(2026, 12, 6))
    medication.confirm_plan(session, clinic.radiologists[0], appointment.referral, ZONE)
    appointments.reschedule(session, settings, clinic.staff["frontdesk"], appointment, _at(clinic, MOVED_TO))
    rows = medication.awaiting_confirmation(session, utc(2027, 3, 29, 0, 0), utc(2027, 3, 30, 0, 0), ZONE)
    assert [row.appointment.id for row in rows] == [appointment.id]


# The boundary to the hour, on the walk's new date: table start 29.03.2027 08:00 CEST (06:00 UTC); apixaban 72 h:
# latest last dose 26.03 07:00 CET (06:00 UTC); minus the hold's 72 h again: 23.03 07:00 CET. A date-only last
# dose counts as taken at the end of its day (the next midnight).
@pytest.mark.parametrize(
    ("last_dose", "stale"),
    [
        (dt.date(2026, 12, 6), True),  # the walk
        (dt.date(2027, 3, 22), True),  # counts as 23.03 00:00 CET: 7 hours before 23.03 07:00
        (dt.date(2027, 3, 23), False),  # counts as 24.03 00:00: within twice the hold, the pause is kept
        (dt.date(2027, 3, 25), False),  # the last day that keeps the hold
    ],
)
def test_stale_last_dose_boundary(last_dose, stale):
    item = HoldItem("apixaban", "Apixaban", "", HoldAction.HOLD, 72, 24, False, True, "Dr", None, last_dose)
    assert item.stale_for(MOVED_TO, ZONE) is stale
    assert item.satisfied_for(MOVED_TO, ZONE)  # the hold itself is kept: the danger is the length of the pause


def test_stale_boundary_to_the_hour():
    """Exactly twice the hold between the end of the recorded day and the table start is not stale; one hour
    more is."""
    last = dt.date(2027, 3, 22)
    end = medication.end_of_day(last, ZONE)  # 23.03.2027 00:00 CET = 22.03 23:00 UTC
    item = HoldItem("apixaban", "Apixaban", "", HoldAction.HOLD, 72, 24, False, True, "Dr", None, last)
    assert not item.stale_for(end + dt.timedelta(hours=144), ZONE)
    assert item.stale_for(end + dt.timedelta(hours=145), ZONE)


def test_the_worklist_flags_the_old_last_dose(session, settings, clinic):
    from clinic.documents.worklist import medication_notes

    appointment = _booked(session, settings, clinic, dt.date(2026, 12, 6))
    appointments.reschedule(session, settings, clinic.staff["frontdesk"], appointment, _at(clinic, MOVED_TO))
    notes = medication_notes(_plan(session, appointment), appointment.referral.preregistration, appointment, ZONE, "de")
    assert "lange vor der Pausierung: Stopp-Termin telefonisch bestätigen" in notes[0]


def test_an_override_does_not_hide_an_old_last_dose_of_a_drug_with_a_rule(session, settings, clinic):
    """The override decides the drugs without a rule only (holdsb27), so a ruled drug's last dose long before
    its hold is still "we will call", not "the pause is kept", under a radiologist's override date."""
    from clinic.services import triage

    appointment = _booked(session, settings, clinic, dt.date(2026, 12, 6))
    appointments.reschedule(session, settings, clinic.staff["frontdesk"], appointment, _at(clinic, MOVED_TO))
    triage.override_hold(
        session, clinic.radiologists[0], appointment.referral, dt.date(2027, 3, 29), "INR am 26.03.", today=NOW.date()
    )
    [item] = _plan(session, appointment).stale_for(appointment.table_start, ZONE)
    assert item.drug_code == "apixaban"
    text = text_of(letter_pdf(session, settings, appointment, issued_on=NOW.date()))
    assert CALL_DE in text and "eingehalten" not in text
