"""Appointment reminders: two days ahead, in the patient's language, with the medication hold plan,
queued once and delivered once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from clinic.models import AnticoagulantRule, OutboxMessage
from clinic.models.vocab import Language, OutboxStatus
from clinic.services import appointments, hold_rules
from clinic.services import settings as clinic_settings
from tests.conftest import NOW, TODAY
from tests.factories import build_clinic
from tests.scheduling.helpers import first_candidates

from .conftest import run
from .helpers import book_on

WEDNESDAY = TODAY + dt.timedelta(days=2)
THURSDAY = TODAY + dt.timedelta(days=3)


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def sign_off(session, drug: str) -> None:
    """A physician signs off the drug's rules: only then does a reminder give moments (invariant 6)."""
    for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == drug)):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)


def reminders(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")))


def test_a_reminder_is_queued_and_delivered_once_with_the_hold_plan(session, settings, clinic, app, mail):
    appointment = book_on(
        session,
        settings,
        clinic,
        WEDNESDAY,
        family_name="Groß",
        sex="female",
        preferred_language=Language.DE,
        email="frau.gross@example.org",
        medications=[("rivaroxaban", "", dt.date(2026, 11, 20))],
    )
    sign_off(session, "rivaroxaban")

    run(app)
    run(app)  # a second round, as after a restart: nothing new

    (message,) = reminders(session)
    assert message.dedupe_key == f"reminder:{appointment.id}:{appointment.table_start.isoformat()}"
    assert message.status == OutboxStatus.SENT
    assert appointment.reminder_queued_at == NOW
    # Bookkeeping, not an edit: the version stays, so the front desk's next save is not refused.
    assert appointment.version == 1
    (received,) = mail.received
    assert received.recipient == "frau.gross@example.org"
    assert received.subject == "Erinnerung an Ihren Termin am Mittwoch, 25. November 2026 um 08:00 Uhr"
    body = received.body
    assert body.startswith("Sehr geehrte Frau Groß,")
    assert "Bitte kommen Sie um: 07:30 Uhr" in body
    assert f"Terminnummer: {appointment.reference}" in body
    # Rivaroxaban is held 72 hours before an intermediate-risk procedure and restarted 24 h after it. The
    # recorded last dose (Friday 20 November) keeps the hold: the reminder repeats that day (walk finding:
    # not the latest moment, Sunday 22 November 08:00, nor "that moment has passed"), then the restart.
    assert (
        "- Rivaroxaban: Laut Ihren Angaben ist Ihre letzte Einnahme vor dem Eingriff am Freitag, 20. November "
        "2026. Damit ist die Pause von mindestens 72 Stunden vor dem Eingriff eingehalten. "
        "Wieder einnehmen frühestens am Donnerstag, 26. November 2026, um 08:20 Uhr." in body
    )
    assert "22. November" not in body
    assert "Warnzeichen vor dem Termin" in body and "Essen und Trinken" in body


def test_english_patients_get_english_and_no_medication_section_without_a_plan(session, settings, clinic, app, mail):
    book_on(session, settings, clinic, WEDNESDAY, preferred_language=Language.EN, sex="male", family_name="Smith")
    run(app, "queue_reminders", "send_outbox")
    (received,) = mail.received
    assert received.subject == "Reminder: your appointment on Wednesday, 25 November 2026 at 08:00"
    assert received.body.startswith("Dear Mr Smith,")
    assert "blood clotting" not in received.body
    assert "Interventional Pain Therapy · Radiology" in received.body  # the department in English


def test_only_appointments_within_the_reminder_days_of_patients_with_email(session, settings, clinic, app):
    later = book_on(session, settings, clinic, THURSDAY)
    book_on(session, settings, clinic, WEDNESDAY, email=None)
    run(app, "queue_reminders")
    assert reminders(session) == []

    run(app, "queue_reminders", at=NOW + dt.timedelta(days=1))  # Tuesday: Thursday is two days ahead
    assert [m.appointment_id for m in reminders(session)] == [later.id]


def test_the_number_of_days_is_a_clinic_setting(session, settings, clinic, app):
    book_on(session, settings, clinic, THURSDAY)
    clinic_settings.put(session, "reminder_days_before", "3")
    run(app, "queue_reminders")
    assert len(reminders(session)) == 1


def test_a_moved_appointment_gets_a_new_reminder_and_the_old_one_is_withdrawn(session, settings, clinic, app, mail):
    app.config["SMTP_HOST"] = ""  # the mail server is unreachable until the appointment has moved
    appointment = book_on(session, settings, clinic, WEDNESDAY)
    run(app, "queue_reminders")
    (old,) = reminders(session)

    # searched as the move screen searches: the appointment's own time (and its steroid week) not counted
    target = first_candidates(
        session,
        settings,
        appointment.referral,
        first_day=dt.date(2026, 11, 24),
        limit=1,
        ignore_appointment_id=appointment.id,
    )[0]
    appointments.reschedule(session, settings, None, appointment, target)
    app.config["SMTP_HOST"] = "127.0.0.1"
    run(app, "queue_reminders", "send_outbox")

    old_now, new = sorted(reminders(session), key=lambda m: m.id)
    assert old_now.id == old.id
    assert old_now.status == OutboxStatus.FAILED and "moved" in old_now.last_error
    assert new.status == OutboxStatus.SENT
    assert [r.outbox_id for r in mail.received] == [new.id]
    assert "Dienstag, 24. November 2026" in mail.received[0].subject


def test_a_cancelled_appointment_is_not_reminded(session, settings, clinic, app, mail):
    app.config["SMTP_HOST"] = ""
    appointment = book_on(session, settings, clinic, WEDNESDAY)
    run(app, "queue_reminders")
    appointments.cancel(session, settings, None, appointment, "patient called")
    app.config["SMTP_HOST"] = "127.0.0.1"
    run(app, "send_outbox")
    (message,) = reminders(session)
    assert message.status == OutboxStatus.FAILED and message.last_error == "not sent: the appointment is cancelled now"
    assert mail.received == []


def test_queueing_reminders_twice_changes_nothing(session, settings, clinic, app):
    book_on(session, settings, clinic, WEDNESDAY)
    book_on(session, settings, clinic, TODAY + dt.timedelta(days=1))
    first = run(app, "queue_reminders")["queue_reminders"]
    second = run(app, "queue_reminders", at=NOW + dt.timedelta(minutes=15))["queue_reminders"]
    assert (first, second) == ("queued 2", "nothing to do")
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
