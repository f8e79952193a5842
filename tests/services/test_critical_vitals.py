"""Walk finding (patient safety): a nurse saved "RR 250/140, pulse 30", then "60/30, pulse 190" as ordinary
checks, ticked "Circulation stable" and discharged the patient 3 minutes after the procedure with a reason.

The rules protected here: a value no living patient has is refused by the service (nothing saved); a reading
outside the discharge band is saved but critical; while the latest reading is critical "Circulation stable"
cannot be ticked and no discharge is possible, whatever the reason, until a new check is back in range."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.core import vitals
from clinic.core.errors import DomainError, InvalidInput
from clinic.models import ObservationCheck
from clinic.models.vocab import AppointmentStatus
from clinic.services import procedure_day
from clinic.services.procedure_day import CheckValues
from tests.conftest import NOW
from tests.radiology.day_helpers import day_appointment, to_observation

ALL_TICKED = dict(stable=True, can_walk=True, escort_present=True, instructions_given=True)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (CheckValues(systolic=301, diastolic=80), "systolic"),
        (CheckValues(systolic=39), "systolic"),
        (CheckValues(systolic=250, diastolic=201), "diastolic"),
        (CheckValues(diastolic=19), "diastolic"),
        (CheckValues(pulse=19), "pulse"),
        (CheckValues(pulse=251), "pulse"),
        (CheckValues(systolic=120, diastolic=80, pulse=900), "pulse"),
    ],
)
def test_a_value_no_living_patient_has_is_refused_by_the_service_at_its_field(session, settings, values, field):
    clinic, appointment = day_appointment(session, settings, to=to_observation)
    with pytest.raises(InvalidInput) as refused:
        procedure_day.record_check(session, clinic.staff["nurse"], appointment, values)
    assert refused.value.fields == (field,)
    assert "is not possible: enter a value from" in str(refused.value)
    assert session.scalar(select(ObservationCheck.id)) is None


@pytest.mark.parametrize(
    ("systolic", "diastolic", "pulse", "reasons"),
    [
        (250, 140, 30, "systolic above 180, diastolic above 110, pulse below 50"),
        (60, 30, 190, "systolic below 90, pulse above 120"),
        (300, 80, None, "systolic above 180"),  # the walk's typing error: possible, so at least flagged
        (120, 80, 72, ""),
        (90, 60, 50, ""),  # the band's edges are still in range
        (180, 110, 120, ""),
        (89, 60, 70, "systolic below 90"),
        (130, 111, 70, "diastolic above 110"),
        (None, None, 121, "pulse above 120"),
    ],
)
def test_critical_readings_are_those_outside_the_discharge_band(systolic, diastolic, pulse, reasons):
    assert vitals.critical_reasons(systolic, diastolic, pulse) == reasons


def test_a_critical_check_is_saved_and_takes_back_circulation_stable(session, settings):
    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    nurse = clinic.staff["nurse"]
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    check = procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=60, diastolic=30, pulse=190))
    assert check.id is not None and check.critical_reasons == "systolic below 90, pulse above 120"
    assert observation.vitals.critical and not observation.stable
    assert observation.can_walk and observation.escort_present and observation.instructions_given


def test_circulation_stable_cannot_be_ticked_while_the_last_reading_is_critical(session, settings):
    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    nurse = clinic.staff["nurse"]
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=250, diastolic=140, pulse=30))
    with pytest.raises(DomainError) as refused:
        procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    assert refused.value.code == "critical_vitals"
    assert "250/140 mmHg, 30/min" in str(refused.value) and "pulse below 50" in str(refused.value)
    assert not observation.stable and not observation.can_walk  # nothing of the checklist taken
    procedure_day.set_discharge_checklist(session, appointment, stable=False, can_walk=True)  # the others: fine
    assert observation.can_walk
    # the pain alone does not make the pressure go away; a new blood pressure and pulse in range does
    procedure_day.record_check(session, nurse, appointment, CheckValues(pain_score=2))
    with pytest.raises(DomainError):
        procedure_day.set_discharge_checklist(session, appointment, stable=True)
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=135, diastolic=85, pulse=78))
    procedure_day.set_discharge_checklist(session, appointment, stable=True)
    assert observation.stable


def test_no_discharge_while_the_last_reading_is_critical_whatever_the_reason(session, settings):
    """The walk: 60/30 and a pulse of 190 as the last reading, all ticked, "Patientin möchte gehen"."""
    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    nurse = clinic.staff["nurse"]
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=250, diastolic=140, pulse=30))
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=60, diastolic=30, pulse=190))
    for key, value in ALL_TICKED.items():  # ticked as an older screen or the data might have it
        setattr(observation, key, value)
    session.flush()
    with pytest.raises(DomainError) as refused:
        procedure_day.discharge(session, nurse, appointment, reason="Patientin möchte gehen")
    assert refused.value.code == "critical_vitals"
    assert str(refused.value) == (
        "No discharge: the last check is critical (60/30 mmHg, 190/min: systolic below 90, pulse above 120). "
        "Inform a physician; the patient can go home once a new check is back in range, or once a physician has "
        "released these values with a reason."
    )
    assert appointment.status == AppointmentStatus.IN_OBSERVATION and observation.discharged_at is None
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=118, diastolic=76, pulse=72))
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    procedure_day.discharge(session, nurse, appointment, reason="Patientin möchte gehen")  # early: the reason still
    assert appointment.status == AppointmentStatus.DISCHARGED and observation.discharge_flagged


def test_an_early_discharge_after_a_normal_reading_still_needs_its_reason(session, settings):
    clinic, appointment = day_appointment(session, settings)
    to_observation(session, clinic, appointment)
    nurse = clinic.staff["nurse"]
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=60, diastolic=30, pulse=190))
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=120, diastolic=80, pulse=70))
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    with pytest.raises(DomainError) as refused:
        procedure_day.discharge(session, nurse, appointment)
    assert refused.value.code == "discharge_early"


def test_a_physician_releases_critical_values_with_a_reason_and_a_new_critical_check_needs_one_again(session, settings):
    """A patient whose pressure is as high as it always is (185/100 before and after) could never go home: only
    a new check in range lifted the block. A radiologist (a physician) releases the values standing, with a
    reason; a nurse cannot, nor without a reason. A later check critical itself needs a physician again; a
    check of the pain alone does not."""
    from clinic.core.errors import PermissionDenied

    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    nurse, physician = clinic.staff["nurse"], clinic.radiologists[0]
    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=185, diastolic=100, pulse=72))
    with pytest.raises(PermissionDenied, match="Only a physician releases critical values"):
        procedure_day.release_critical(session, nurse, appointment, "Immer so hoch")
    with pytest.raises(InvalidInput, match="Give the reason") as refused:
        procedure_day.release_critical(session, physician, appointment, "   ")
    assert refused.value.fields == ("reason",)
    with pytest.raises(InvalidInput, match="500 characters at most"):
        procedure_day.release_critical(session, physician, appointment, "x" * 501)
    assert observation.critical_released_at is None and observation.critical_blocks

    procedure_day.release_critical(session, physician, appointment, " Bekannte Hypertonie,  Hausarzt informiert ")
    assert observation.critical_release_reason == "Bekannte Hypertonie, Hausarzt informiert"
    assert observation.critical_released and not observation.critical_blocks and observation.vitals.critical
    with pytest.raises(DomainError, match="released already"):
        procedure_day.release_critical(session, physician, appointment, "noch einmal")
    procedure_day.record_check(session, nurse, appointment, CheckValues(pain_score=1))  # the pain alone
    assert observation.critical_released
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    assert observation.stable

    procedure_day.record_check(session, nurse, appointment, CheckValues(systolic=210, diastolic=120, pulse=72))
    assert observation.critical_blocks and not observation.stable  # the new reading: a physician again
    with pytest.raises(DomainError, match="No discharge: the last check is critical"):
        procedure_day.discharge(session, nurse, appointment, reason="Patient möchte gehen")
    procedure_day.release_critical(session, physician, appointment, "Nachmessung nach Ruhe geplant, Arzt gesehen")
    procedure_day.set_discharge_checklist(session, appointment, **ALL_TICKED)
    procedure_day.discharge(session, nurse, appointment, reason="Ärztlich freigegeben")
    assert appointment.status == AppointmentStatus.DISCHARGED


def test_a_release_needs_critical_values_and_the_database_keeps_its_reason(session, settings, backend):
    from sqlalchemy.exc import IntegrityError

    clinic, appointment = day_appointment(session, settings)
    observation = to_observation(session, clinic, appointment)
    physician = clinic.radiologists[0]
    procedure_day.record_check(session, clinic.staff["nurse"], appointment, CheckValues(systolic=120, diastolic=80))
    with pytest.raises(DomainError, match="not critical: there is nothing to release"):
        procedure_day.release_critical(session, physician, appointment, "vorsorglich")
    session.commit()
    observation.critical_released_at = NOW  # past the service: the constraint refuses it
    with pytest.raises(IntegrityError, match="critical_release_has_reason"):
        session.flush()
    session.rollback()
