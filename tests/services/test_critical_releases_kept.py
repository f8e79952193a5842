"""Walk 27 (patient safety, the record): a physician released critical values with a reason; after a later
critical check a second physician released again, and the first reason was gone (the release was four
columns of the observation, overwritten). The trail said only "Observation changed", the reason "changed".

Protected here: every release is kept with who, when, why and the check it covers; the latest still decides
the discharge; the trail says in words that a physician released critical values, with the values and the
reason; the database keeps a release's reason and refuses the same check released twice."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from clinic.models import AuditEvent, CriticalRelease, ObservationRecord
from clinic.models.vocab import AppointmentStatus
from clinic.services import audit_query, procedure_day
from clinic.services.procedure_day import CheckValues
from tests.conftest import NOW, ZONE
from tests.radiology.day_helpers import day_appointment, to_observation

ALL_TICKED = dict(stable=True, can_walk=True, escort_present=True, instructions_given=True)


def _released_twice(session, settings):
    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    nurse = clinic.staff["nurse"]
    first, second = clinic.radiologists[0], clinic.radiologists[1]
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=185, diastolic=100, pulse=72))
    procedure_day.release_critical(session, first, appointment, "Bekannte Hypertonie, Hausarzt informiert")
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=210, diastolic=120, pulse=72))
    procedure_day.release_critical(session, second, appointment, "Nachmessung nach Ruhe, Arzt gesehen")
    session.commit()
    return clinic, appointment, observation, first, second


def test_a_second_release_keeps_the_first_physicians_reason(session, settings):
    clinic, appointment, observation, first, second = _released_twice(session, settings)
    session.expire_all()
    observation = session.get(ObservationRecord, observation.id)
    releases = observation.critical_releases
    assert [(r.released_by_id, r.reason) for r in releases] == [
        (first.id, "Bekannte Hypertonie, Hausarzt informiert"),
        (second.id, "Nachmessung nach Ruhe, Arzt gesehen"),
    ]
    assert [r.vitals.shown for r in releases] == ["185/100 mmHg, 72/min", "210/120 mmHg, 72/min"]
    assert releases[0].check_id < releases[1].check_id == observation.checks[-1].id
    assert all(r.released_at == NOW for r in releases)
    # The latest decides, as before: the discharge goes ahead.
    assert observation.critical_release_reason == "Nachmessung nach Ruhe, Arzt gesehen"
    assert observation.critical_released and not observation.critical_blocks
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    procedure_day.discharge(session, clinic.staff["nurse"], appointment, reason="Ärztlich freigegeben")
    assert appointment.status == AppointmentStatus.DISCHARGED


def test_the_trail_says_a_physician_released_critical_values_with_the_reason(session, settings):
    _clinic, appointment, _observation, first, second = _released_twice(session, settings)
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    released = [e for e in events if e.action == "observation.critical_released"]
    assert [(e.actor_id, e.patient_id, e.object_id) for e in released] == [
        (first.id, appointment.patient_id, str(appointment.id)),
        (second.id, appointment.patient_id, str(appointment.id)),
    ]
    assert json.loads(released[0].summary) == {
        "values": "185/100 mmHg, 72/min",
        "reason": "Bekannte Hypertonie, Hausarzt informiert",
    }
    # No "Observation changed" whose reason reads only "changed" beside it.
    changed = [e for e in events if e.action == "observation_records.update" and "critical" in (e.summary or "")]
    assert changed == []
    words = [str(c.field) + ": " + str(c.after) for c in audit_query.changes(released[0], ZONE, "en")]
    assert words == ["Reason: Bekannte Hypertonie, Hausarzt informiert", "Values: 185/100 mmHg, 72/min"]
    assert str(audit_query.action_label(released[0].action)) == "Critical values released for discharge by a physician"


def test_the_database_keeps_a_releases_reason_and_one_release_a_check(session, settings, backend):
    from sqlalchemy.exc import IntegrityError

    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    physician = clinic.radiologists[0]
    procedure_day.record_check(session, clinic.staff["nurse"], appointment, CheckValues(systolic=185, diastolic=100))
    procedure_day.release_critical(session, physician, appointment, "Bekannte Hypertonie")
    session.commit()
    check_id = observation.checks[-1].id
    for reason, constraint in (
        ("  ", "reason_given"),
        ("noch einmal", "uq_critical_releases|critical_releases.observation_id, critical_releases.check_id"),
    ):
        session.add(
            CriticalRelease(
                observation_id=observation.id,
                check_id=check_id,
                released_at=NOW,
                released_by_id=physician.id,
                reason=reason,
            )
        )
        with pytest.raises(IntegrityError, match=constraint):
            session.flush()
        session.rollback()
    assert session.scalar(select(CriticalRelease.reason)) == "Bekannte Hypertonie"


def test_two_physicians_releasing_the_same_values_at_once_get_a_clear_answer(session, settings, backend):
    """The other physician's release committed meanwhile (written here past the session, as another request
    would): the unique constraint is the last guard, and its error is said in words, never a server error."""
    from sqlalchemy import insert

    from clinic.core.errors import Conflict

    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    procedure_day.record_check(session, clinic.staff["nurse"], appointment, CheckValues(systolic=185, diastolic=100))
    session.commit()
    session.execute(
        insert(CriticalRelease).values(
            observation_id=observation.id,
            check_id=observation.checks[-1].id,
            released_at=NOW,
            released_by_id=clinic.radiologists[1].id,
            reason="Bekannte Hypertonie",
        )
    )
    session.commit()
    with pytest.raises(Conflict, match="released already"):
        procedure_day.release_critical(session, clinic.radiologists[0], appointment, "Immer so hoch")
    session.rollback()
    assert session.scalars(select(CriticalRelease.reason)).all() == ["Bekannte Hypertonie"]
