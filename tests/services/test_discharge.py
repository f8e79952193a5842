"""Discharge keeps the observation time and the checks the procedure needs (issue 21 item 4): leaving
earlier, or without them, needs a radiologist's or nurse's reason and is flagged with what was missing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic.core.errors import DomainError, PermissionDenied
from clinic.models import AuditEvent, ObservationCheck
from clinic.models.vocab import AppointmentStatus
from clinic.services import procedure_day
from tests.radiology.day_helpers import day_appointment, to_observation

ALL_TICKED = dict(stable=True, can_walk=True, escort_present=True, instructions_given=True)


def test_a_symp_patient_cannot_go_home_after_one_minute_without_a_reason(session, settings):
    clinic, appointment = day_appointment(
        session, settings, code="SYMP", stage="diagnostic", target="lumbar_chain", side="right", levels=None
    )
    observation = to_observation(session, clinic, appointment)
    assert observation.planned_end - observation.started_at == dt.timedelta(minutes=60)
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    one_minute = observation.started_at + dt.timedelta(minutes=1)
    with pytest.raises(DomainError, match="observed 1 of 60 planned minutes; no blood pressure and pulse recorded"):
        procedure_day.discharge(session, clinic.staff["nurse"], appointment, at=one_minute)
    with pytest.raises(PermissionDenied):
        procedure_day.discharge(session, clinic.staff["frontdesk"], appointment, at=one_minute, reason="wants to go")
    assert appointment.status == AppointmentStatus.IN_OBSERVATION
    procedure_day.discharge(
        session, clinic.staff["nurse"], appointment, at=one_minute, reason="Leaves against advice, signed form"
    )
    session.commit()
    assert appointment.status == AppointmentStatus.DISCHARGED
    assert observation.discharge_flagged
    assert observation.discharge_gaps == "observed 1 of 60 planned minutes; no blood pressure and pulse recorded"
    assert observation.discharge_reason == "Leaves against advice, signed form"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "observation.discharged_with_gaps"))
    assert event.patient_id == appointment.patient_id and "against advice" in event.summary


def test_a_discharge_after_the_planned_time_with_the_checks_is_not_flagged(session, settings):
    clinic, appointment = day_appointment(session, settings)  # PRT: blood pressure, pulse and the legs' strength
    observation = to_observation(session, clinic, appointment)
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    on_time = observation.planned_end
    observation.checks.append(ObservationCheck(systolic=130, diastolic=80, pulse=70))
    assert procedure_day.discharge_gaps(session, appointment, on_time) == ["leg strength (motor) not checked"]
    observation.checks.append(ObservationCheck(motor_normal=True, sensory_normal=False))
    assert procedure_day.discharge_gaps(session, appointment, on_time) == []
    procedure_day.discharge(session, clinic.staff["nurse"], appointment, at=on_time)
    assert appointment.status == AppointmentStatus.DISCHARGED and not observation.discharge_flagged
    assert observation.discharge_reason is None
