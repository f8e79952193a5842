"""Issue 14, finding 3 (DESIGN.md §4, invariant 6): a table start the hold cannot reach from now is refused
unless a radiologist overrides it with a reason, and a hold is only met when a recorded last dose keeps it."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.core.errors import DomainError
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import appointments, medication, triage, worklist
from clinic.services.readiness import assess
from tests.conftest import NOW, TODAY, ZONE
from tests.factories import build_clinic, make_ready_referral
from tests.scheduling.helpers import chain, first_candidates, utc


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def _chain(clinic, start: dt.datetime):
    return chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0], start, 20, 30)


def test_a_hold_with_no_recorded_last_dose_counts_from_a_day_after_now(session, settings, clinic):
    """Apixaban, 72 hours, still being taken: the patient has to hear when to stop before it is time to, so
    the first start is now + a day's notice + 72 h (Friday 07:00 in Berlin), to the minute; the finder
    offers nothing earlier and booking refuses earlier times. Walk finding: at now + 72 h, the letter told
    the patient to take the last dose no later than a few minutes after it was printed."""
    referral = make_ready_referral(session, clinic, medications=[("apixaban", "", None)])
    ready = assess(session, settings, referral, ProcedurePlan.from_referral(referral))
    assert ready.not_before_at == NOW + dt.timedelta(hours=24 + 72)
    assert ready.not_before == dt.date(2026, 11, 27)
    offered = first_candidates(session, settings, referral, limit=3)
    assert offered and all(c.table_start >= NOW + dt.timedelta(hours=96) for c in offered)
    assert offered[0].table_start == utc(2026, 11, 27, 7, 0)  # Friday 08:00, the session's first slot

    plan = ProcedurePlan.from_referral(referral)
    for too_early in (utc(2026, 11, 25, 13, 0), utc(2026, 11, 26, 7, 0)):  # Wed 14:00; Thu 08:00 (now + 73 h)
        with pytest.raises(DomainError, match=r"allows this procedure from 27\.11\.2026 07:00") as refused:
            appointments.book(
                session, settings, None, referral=referral, plan=plan, candidate=_chain(clinic, too_early)
            )
        assert refused.value.code == "medication_hold"
        assert refused.value.details["not_before_at"] == "2026-11-27T06:00:00+00:00"


def test_a_radiologists_override_with_a_reason_allows_an_earlier_date(session, settings, clinic):
    """The override sets the day for a drug without a rule (phenprocoumon); walk 27: it never stands in for a
    rule's hours, so a clopidogrel patient stays refused before the hold is kept."""
    held = make_ready_referral(session, clinic, medications=[("clopidogrel", "", None)])
    tomorrow = _chain(clinic, utc(2026, 11, 24, 9, 0))
    triage.override_hold(
        session, clinic.radiologists[0], held, dt.date(2026, 11, 24), "Cardiology: no pause", today=TODAY
    )
    with pytest.raises(DomainError, match="allows this procedure from"):
        appointments.book(
            session, settings, None, referral=held, plan=ProcedurePlan.from_referral(held), candidate=tomorrow
        )
    referral = make_ready_referral(session, clinic, medications=[("phenprocoumon", "", None)])
    plan = ProcedurePlan.from_referral(referral)
    with pytest.raises(DomainError):
        appointments.book(session, settings, None, referral=referral, plan=plan, candidate=tomorrow)
    triage.override_hold(
        session, clinic.radiologists[0], referral, dt.date(2026, 11, 24), "Cardiology: no pause", today=TODAY
    )
    appointment = appointments.book(session, settings, None, referral=referral, plan=plan, candidate=tomorrow)
    hold_plan = medication.plan_for(session, referral.preregistration, clinic.pt("PRT"), "lumbar")
    assert hold_plan.satisfied_for(appointment.table_start, ZONE)  # the override decides (no rule)
    flag = worklist.medication_flag(hold_plan, appointment.table_start, ZONE)
    assert "hold overridden by Dr. Radiologist 1: Cardiology: no pause" in flag.detail


@pytest.mark.parametrize(
    ("last_dose", "met"),
    [
        (None, False),  # not recorded: not known to be met (it was counted as met before)
        (dt.date(2026, 11, 29), True),  # Sunday, as late as midnight: 72 h before Wednesday 00:00
        (dt.date(2026, 11, 30), False),  # Monday: a dose that evening leaves less than 72 h
    ],
)
def test_satisfied_only_with_a_recorded_last_dose_that_keeps_the_hours(session, clinic, last_dose, met):
    referral = make_ready_referral(session, clinic, medications=[("apixaban", "", last_dose)])
    plan = medication.plan_for(session, referral.preregistration, clinic.pt("PRT"), "lumbar")
    start = utc(2026, 12, 3, 7, 0)  # Thursday 3 December 08:00 in Berlin
    assert plan.satisfied_for(start, ZONE) is met
    flag = worklist.medication_flag(plan, start, ZONE)
    assert flag.ok is False  # the rule is not signed off: the plan also waits for the telephone call
    assert ("last dose not recorded" in flag.detail) is (last_dose is None)
    assert flag.warn is (last_dose is None or met)  # amber while unknown; red when a dose is too late


def test_the_worklist_shows_which_appointments_wait_for_the_telephone_confirmation(session, settings, clinic):
    referral = make_ready_referral(session, clinic, medications=[("apixaban", "", dt.date(2026, 11, 22))])
    candidate = first_candidates(session, settings, referral, limit=1)[0]
    plan = ProcedurePlan.from_referral(referral)
    appointment = appointments.book(session, settings, None, referral=referral, plan=plan, candidate=candidate)
    day = appointment.table_start.astimezone(dt.timezone(dt.timedelta(hours=1))).date()
    [row] = worklist.rows(session, day, ZONE)
    assert "Medication plan awaits confirmation by telephone" in row.alerts
    waiting = medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(days=30), ZONE)
    assert [row.appointment.id for row in waiting] == [appointment.id]

    medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    [row] = worklist.rows(session, day, ZONE)
    assert "Medication plan awaits confirmation by telephone" not in row.alerts
    assert medication.awaiting_confirmation(session, NOW, NOW + dt.timedelta(days=30), ZONE) == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_closed_referrals_hold_is_not_overridden(app, session, clinic, language):
    """Helper's finding (5 December): an override posted for a referral that was closed was saved; nothing is
    booked for a closed referral, and its record stays as it ended."""
    from flask_babel import force_locale

    from clinic.i18n import refusal
    from clinic.services import episodes

    referral = make_ready_referral(session, clinic, medications=[("clopidogrel", "", None)])
    episodes.close(session, clinic.radiologists[0], referral, "Pain gone")
    with pytest.raises(DomainError) as refused:
        triage.override_hold(
            session, clinic.radiologists[0], referral, dt.date(2026, 11, 24), "Cardiology: no pause", today=TODAY
        )
    assert refused.value.code == "invalid_state"
    assert referral.hold_override_at is None and referral.hold_override_reason is None
    words = {
        "en": "This referral is closed: its medication hold no longer changes. Nothing was saved.",
        "de": "Diese Überweisung hat den Status „Abgeschlossen“: Ihre Medikamentenpausierung wird nicht mehr "
        "geändert. Nichts wurde gespeichert.",
    }
    with app.test_request_context("/"), force_locale(language):
        assert refusal(refused.value) == words[language]
