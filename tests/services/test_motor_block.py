"""Walk 27 (patient safety): after an RFA on both sides with local anaesthetic a check at 09:50 found the strength
reduced (and the sensation), a second at 09:51 left the strength empty; the nurse ticked the checklist, gave
"Patient möchte nach Hause" and discharged 2 minutes after the procedure, flagged only in the audit trail. The
clinical facts file (§2.1, §3): with a motor block from local anaesthetic the patient walks only with help until
it resolves, and stays longer. Now the discharge is refused while the last check that looked at the strength
found it reduced; a physician (radiologist) can discharge with a reason, flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.core.errors import Conflict, DomainError
from clinic.models import ObservationCheck
from clinic.models.vocab import AppointmentStatus
from clinic.services import procedure_day
from tests.radiology.day_helpers import day_appointment, to_observation

ALL_TICKED = dict(stable=True, can_walk=True, escort_present=True, instructions_given=True)


def _walk(session, settings):
    """The walk's patient in observation, the checklist ticked, with the two checks (a PRT here: an RFA needs a
    positive diagnostic block first; the rule holds for any procedure)."""
    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    nurse = clinic.staff["nurse"]
    weak = procedure_day.CheckValues(systolic=140, diastolic=85, pulse=72, motor_normal=False, sensory_normal=False)
    procedure_day.record_check(session, nurse, appointment, weak)
    procedure_day.record_check(session, nurse, appointment, procedure_day.CheckValues(systolic=138, diastolic=84))
    session.flush()
    return clinic, appointment, observation


def test_the_walk_a_nurse_cannot_discharge_while_the_last_strength_check_found_it_reduced(session, settings):
    clinic, appointment, observation = _walk(session, settings)
    two_minutes = observation.started_at + dt.timedelta(minutes=2)
    assert observation.checks[-1].motor_normal is None  # the empty check does not hide the reduced one
    assert procedure_day.reduced_motor(observation) is observation.checks[0]
    gaps = procedure_day.discharge_gaps(session, appointment, two_minutes)
    assert "strength (motor) reduced at the last check" in gaps
    for at in (two_minutes, observation.planned_end + dt.timedelta(minutes=30)):  # late as well as early
        with pytest.raises(DomainError, match="the last check of the strength") as refused:
            procedure_day.discharge(
                session, clinic.staff["nurse"], appointment, at=at, reason="Patient möchte nach Hause"
            )
        assert refused.value.code == "motor_reduced"
    assert appointment.status == AppointmentStatus.IN_OBSERVATION and observation.discharged_at is None


def test_a_later_check_with_normal_strength_lets_the_nurse_discharge(session, settings):
    clinic, appointment, observation = _walk(session, settings)
    normal = procedure_day.CheckValues(motor_normal=True, sensory_normal=False)
    procedure_day.record_check(session, clinic.staff["nurse"], appointment, normal)
    assert procedure_day.reduced_motor(observation) is None
    procedure_day.discharge(session, clinic.staff["nurse"], appointment, at=observation.planned_end)
    assert appointment.status == AppointmentStatus.DISCHARGED and not observation.discharge_flagged


def test_a_physician_discharges_with_a_reason_and_the_discharge_is_flagged(session, settings):
    clinic, appointment, observation = _walk(session, settings)
    radiologist = clinic.radiologists[0]
    on_time = observation.planned_end
    with pytest.raises(DomainError, match="strength \\(motor\\) reduced at the last check") as no_reason:
        procedure_day.discharge(session, radiologist, appointment, at=on_time)
    assert no_reason.value.code == "discharge_early"
    seen = observation.checks[0].id  # a page that did not show the last check
    with pytest.raises(Conflict):
        procedure_day.discharge(session, radiologist, appointment, at=on_time, reason="Rollstuhl", seen_check_id=seen)
    procedure_day.discharge(
        session,
        radiologist,
        appointment,
        at=on_time,
        reason="Transport liegend mit Begleitung",
        seen_check_id=observation.checks[-1].id,
    )
    assert appointment.status == AppointmentStatus.DISCHARGED
    assert observation.discharge_flagged and observation.discharge_gaps == "strength (motor) reduced at the last check"
    assert observation.discharge_reason == "Transport liegend mit Begleitung"
    assert observation.discharged_by_id == radiologist.id
    hour = dt.timedelta(hours=1)
    assert procedure_day.flagged_discharges(session, on_time - hour, on_time + hour) == [(appointment, observation)]


def test_reduced_sensation_alone_or_normal_strength_does_not_hold_the_patient(session, settings):
    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    observation.checks.append(ObservationCheck(systolic=130, diastolic=80, pulse=70, motor_normal=False))
    observation.checks.append(ObservationCheck(motor_normal=True, sensory_normal=False))
    observation.checks.append(ObservationCheck(pain_score=2))
    assert procedure_day.reduced_motor(observation) is None
    procedure_day.discharge(session, clinic.staff["nurse"], appointment, at=observation.planned_end)
    assert appointment.status == AppointmentStatus.DISCHARGED and not observation.discharge_flagged
