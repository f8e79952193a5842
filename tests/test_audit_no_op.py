"""Walk finding (5 December, German screens): the audit trail showed changes to the same value, such as
"Begonnen am 23.11.2026 09:00 → 23.11.2026 09:00". A value set while the row's stored value was not loaded
(expired by a commit) was recorded as changed, with the stored value fetched afterwards: the same one; and
values that differ only as stored (naive and aware instants, seconds) read the same on the screen. A field whose
old and new values are equal is not recorded; the trail does not show one whose old and new values read the same
(events recorded before)."""

from __future__ import annotations

import json

from sqlalchemy import select

from clinic.core import audit
from clinic.models import AuditEvent, ProcedureRecord
from clinic.services import audit_query
from tests.conftest import ZONE
from tests.radiology.day_helpers import day_appointment, to_procedure


def _updates(session, object_type: str) -> list[dict]:
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == f"{object_type}.update"))
    return [json.loads(e.summary) if e.summary else {} for e in events]


def test_the_trail_does_not_show_a_field_that_reads_the_same_before_and_after():
    event = AuditEvent(
        action="procedure_records.update",
        object_type="procedure_records",
        summary=json.dumps(
            {
                "started_at": ["2026-11-23 08:00:37.512000+00:00", "2026-11-23 08:00:00+00:00"],
                "ended_at": ["2026-11-23T08:20:00", "2026-11-23 08:20:00+00:00"],  # naive (UTC) and aware
                "pain_after": [None, 2],
            }
        ),
    )
    found = audit_query.changes(event, ZONE, "de_DE", {})
    assert [str(c.field) for c in found] == ["Pain after"]


def test_a_value_set_again_to_what_it_was_is_not_recorded(session, settings):
    clinic, appointment = day_appointment(session, settings, to=to_procedure)
    session.commit()
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    started = record.started_at
    phone = appointment.patient.phone
    session.commit()  # expires what was loaded: the values set below are compared with the stored ones
    audit.set_actor(session, clinic.radiologists[0])
    record.started_at = started
    record.pain_before = 6
    appointment.patient.phone = phone
    session.commit()
    assert _updates(session, "procedure_records") == [{"pain_before": [None, 6]}]
    assert _updates(session, "patients") == []
