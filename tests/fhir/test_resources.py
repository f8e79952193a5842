"""Every resource type the server offers is returned and validates as FHIR R4 (tests.fhir.models)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.models import AuditEvent, Consent
from tests.fhir.models import validate


def test_metadata_is_a_capability_statement_listing_every_resource_type(anonymous_fhir):
    response = anonymous_fhir.get("/metadata")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    statement = validate(response.get_json())
    assert statement["fhirVersion"] == "4.0.1"
    offered = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(offered) == {
        "Patient",
        "ServiceRequest",
        "Appointment",
        "Slot",
        "Schedule",
        "Procedure",
        "Consent",
        "ImagingStudy",
        "Practitioner",
        "Location",
    }
    assert {"code": "create"} in offered["Appointment"]["interaction"]
    assert {"name": "date", "type": "date"} in offered["Appointment"]["searchParam"]


@pytest.fixture
def anonymous_fhir(app):
    from tests.fhir.conftest import Fhir

    return Fhir(app.test_client(), None)


def test_patient_read_carries_identity_and_contact(fhir, world):
    patient = world.appointments["booked"].patient
    resource = validate(fhir.get(f"/Patient/{patient.id}").get_json())
    assert resource["identifier"][0]["value"] == patient.clinic_number
    assert resource["name"][0] == {"use": "official", "family": patient.family_name, "given": [patient.given_name]}
    assert resource["birthDate"] == patient.birth_date.isoformat()
    assert resource["communication"][0]["language"]["coding"][0]["code"] == patient.preferred_language


def test_service_request_carries_the_triage(fhir, world):
    accepted = world.appointments["booked"].referral
    resource = validate(fhir.get(f"/ServiceRequest/{accepted.id}").get_json())
    assert resource["status"] == "active"
    assert resource["code"]["coding"][0]["code"] == "PRT"
    assert resource["subject"] == {"reference": f"Patient/{accepted.patient_id}"}
    assert resource["performer"] == [{"reference": f"Practitioner/{accepted.triaged_by_id}"}]
    assert resource["category"][0]["coding"][0]["code"] == "accepted"
    received = validate(fhir.get(f"/ServiceRequest/{world.received.id}").get_json())
    assert received["category"][0]["coding"][0]["code"] == "received"
    assert "performer" not in received


def test_appointment_has_patient_room_radiologist_and_bed_with_their_periods(fhir, world):
    appointment = world.appointments["booked"]
    resource = validate(fhir.get(f"/Appointment/{appointment.id}").get_json())
    assert resource["status"] == "booked"
    assert resource["identifier"][0]["value"] == appointment.reference
    actors = {p["actor"]["reference"]: p for p in resource["participant"]}
    assert set(actors) == {
        f"Patient/{appointment.patient_id}",
        f"Location/room-{appointment.room_id}",
        f"Practitioner/{appointment.radiologist_id}",
        f"Location/bed-{appointment.bed_id}",
    }
    bed = actors[f"Location/bed-{appointment.bed_id}"]["period"]
    assert bed["start"] == actors[f"Practitioner/{appointment.radiologist_id}"]["period"]["end"]
    assert resource["end"] == bed["end"]
    assert resource["basedOn"] == [{"reference": f"ServiceRequest/{appointment.referral_id}"}]
    # the participants can be read too
    for reference in actors:
        validate(fhir.get("/" + reference).get_json())


@pytest.mark.parametrize(
    ("state", "fhir_status"),
    [
        ("booked", "booked"),
        ("checked_in", "checked-in"),
        ("in_procedure", "arrived"),
        ("in_observation", "arrived"),
        ("cancelled", "cancelled"),
    ],
)
def test_appointment_status_uses_the_fhir_names_of_the_design(fhir, world, state, fhir_status):
    resource = validate(fhir.get(f"/Appointment/{world.appointments[state].id}").get_json())
    assert resource["status"] == fhir_status
    if state == "cancelled":
        assert resource["cancelationReason"]["text"] == "The patient is unwell"


def test_procedure_is_the_signed_record(fhir, world, records):
    record = records["procedure"]
    resource = validate(fhir.get(f"/Procedure/{record.id}").get_json())
    assert resource["status"] == "completed"
    assert resource["subject"]["reference"] == f"Patient/{world.appointments['in_observation'].patient_id}"
    assert resource["usedCode"][0]["text"].endswith("40 mg") or "40" in resource["usedCode"][0]["text"]
    assert resource["asserter"]["reference"].startswith("Practitioner/")
    in_progress = fhir.get(f"/Procedure?patient={world.appointments['in_procedure'].patient_id}").get_json()
    validate(in_progress)
    assert [e["resource"]["status"] for e in in_progress["entry"]] == ["in-progress"]


def test_consent_points_at_the_printed_version(fhir, world, session):
    signed = session.scalar(select(Consent).where(Consent.appointment_id == world.appointments["consented"].id))
    unsigned = session.scalar(select(Consent).where(Consent.appointment_id == world.appointments["printed"].id))
    resource = validate(fhir.get(f"/Consent/{signed.id}").get_json())
    assert resource["status"] == "active"
    label = signed.document_text.version_label
    assert resource["sourceAttachment"]["url"].endswith(label)
    assert label in resource["sourceAttachment"]["title"]
    assert resource["identifier"][0]["value"] == signed.pdf_sha256
    assert resource["provision"]["data"][0]["reference"]["reference"] == f"Appointment/{signed.appointment_id}"
    assert validate(fhir.get(f"/Consent/{unsigned.id}").get_json())["status"] == "proposed"


def test_imaging_study_lists_the_prior_imaging(fhir, records):
    study = records["study"]
    resource = validate(fhir.get(f"/ImagingStudy/{study.id}").get_json())
    assert resource["modality"] == [{"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "MR"}]
    assert resource["started"] == "2026-10-02"
    assert resource["numberOfInstances"] == 1
    assert resource["subject"] == {"reference": f"Patient/{study.patient_id}"}


def test_schedules_and_slots_show_free_times_only(fhir, world):
    schedules = validate(fhir.get("/Schedule").get_json())
    ct = [e["resource"] for e in schedules["entry"] if "PRT" in str(e["resource"].get("serviceType"))]
    assert ct, "a CT room offers PRT"
    room = ct[0]["id"]
    slots = validate(fhir.get(f"/Slot?service-type=PRT&schedule=Schedule/{room}&_count=5").get_json())
    assert len(slots["entry"]) == 5
    for entry in slots["entry"]:
        slot = entry["resource"]
        assert slot["status"] == "free"
        assert slot["schedule"] == {"reference": f"Schedule/{room}"}
        assert set(slot) <= {"resourceType", "id", "serviceType", "schedule", "status", "start", "end", "comment"}
    one = validate(fhir.get(f"/Slot/{slots['entry'][0]['resource']['id']}").get_json())
    assert one["status"] == "free"
    booked = world.appointments["booked"]
    assert not any(booked.reference in str(entry) for entry in slots["entry"])


def test_every_read_is_audited_with_the_patient(fhir, world, session, everyone):
    appointment = world.appointments["booked"]
    fhir.get(f"/Appointment/{appointment.id}")
    fhir.get(f"/Patient/{appointment.patient_id}")
    fhir.get(f"/Appointment?patient={appointment.patient_id}")
    events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("fhir.%")).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_type, e.patient_id, e.actor_id) for e in events] == [
        ("fhir.read", "Appointment", appointment.patient_id, everyone.id),
        ("fhir.read", "Patient", appointment.patient_id, everyone.id),
        ("fhir.search", "Appointment", appointment.patient_id, everyone.id),
    ]
    assert str(appointment.patient_id) not in events[2].summary.split('"ids"')[0]  # names of params, not values
