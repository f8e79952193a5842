"""What a browser test's day left in the database, read back through the test's session."""

from __future__ import annotations

from sqlalchemy import select

from clinic.models import Appointment, Consent, ProcedureRecord

THE_WHOLE_DAY = ["booked", "checked_in", "in_procedure", "in_observation", "discharged"]


def through_the_whole_day(session, appointment_id: int) -> tuple[Appointment, ProcedureRecord]:
    """The appointment went through every step of its day to discharge, with a signed consent and a
    signed procedure record; returns both for the test's own checks."""
    appointment = session.get(Appointment, appointment_id)
    assert appointment.status == "discharged"
    assert [e.to_status for e in appointment.events] == THE_WHOLE_DAY
    assert session.scalar(select(Consent).where(Consent.appointment_id == appointment_id)).signed_at is not None
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment_id))
    assert record.is_signed
    return appointment, record
