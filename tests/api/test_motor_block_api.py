"""Walk 27 through the API: while the last check of the strength (motor) found it reduced (a later check that
left it empty does not hide it), a nurse's discharge is refused whatever the reason (422 motor_reduced); a
radiologist discharges with a reason, flagged."""

from __future__ import annotations

from clinic.services import procedure_day

ITEMS = {"stable": True, "can_walk": True, "escort_present": True, "instructions_given": True}


def test_reduced_strength_keeps_the_patient_unless_a_radiologist_gives_a_reason(session, world, api_as):
    appointment = world.appointments["in_observation"]
    nurse = world.clinic.staff["nurse"]
    weak = procedure_day.CheckValues(systolic=140, diastolic=85, pulse=72, motor_normal=False)
    procedure_day.record_check(session, nurse, appointment, weak)
    procedure_day.record_check(session, nurse, appointment, procedure_day.CheckValues(systolic=138, diastolic=84))
    session.commit()
    path = f"/appointments/{appointment.id}/discharge"
    refused = api_as("nurse").post(path, json={**ITEMS, "reason": "Patient möchte nach Hause"})
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (422, "motor_reduced")
    done = api_as("radiologist").post(path, json={**ITEMS, "reason": "Liegend mit Begleitung"})
    assert done.status_code == 200, done.get_json()
    session.expire_all()
    record = procedure_day.observation_of(session, appointment)
    assert record.discharge_flagged and "strength (motor) reduced at the last check" in record.discharge_gaps
