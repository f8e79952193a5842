"""Patients, referrals, triage, pre-registration and imaging uploads through the API."""

from __future__ import annotations

import io

from sqlalchemy import select

from clinic.models import AuditEvent, ImagingStudy
from clinic.models.vocab import RedFlag
from tests.api.test_errors import multipart

NO_RED_FLAGS = {flag.value: False for flag in RedFlag}


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (8, 8), 128).save(out, format="PNG")
    return out.getvalue()


def test_search_patients_by_name_and_birth_date(world, api_as):
    patient = world.ready[0].patient
    desk = api_as("frontdesk")
    found = desk.post("/patients/search", json={"q": f"{patient.family_name[:4]} {patient.birth_date.isoformat()}"})
    assert found.status_code == 200
    assert [p["id"] for p in found.get_json()["items"]] == [patient.id]
    assert desk.post("/patients/search", json={"q": "Nobody-by-this-name"}).get_json() == {"items": []}


def test_register_and_read_a_patient(session, clinic, api_as):
    desk = api_as("frontdesk")
    created = desk.post(
        "/patients",
        json={
            "family_name": "Weiß",
            "given_name": "Jürgen",
            "birth_date": "1958-03-14",
            "sex": "male",
            "phone": "+49 40 555 0123",
            "preferred_language": "de",
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["clinic_number"].startswith("P-")
    assert (body["family_name"], body["referral_ids"], body["appointment_ids"]) == ("Weiß", [], [])

    read = api_as("nurse").get(f"/patients/{body['id']}")
    assert read.status_code == 200
    assert read.get_json() == body
    opened = session.scalars(select(AuditEvent).where(AuditEvent.action == "patient.view")).all()
    assert [(e.patient_id, e.actor_name) for e in opened] == [(body["id"], "nurse")]


def test_a_patient_in_the_future_is_refused_by_the_service(clinic, api_as):
    response = api_as("frontdesk").post(
        "/patients", json={"family_name": "A", "given_name": "B", "birth_date": "2099-01-01"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == ["the date of birth lies in the future"]


def test_take_a_referral_triage_it_and_follow_the_preregistration(session, world, api_as):
    patient_id = world.ready[0].patient_id
    desk, radiologist = api_as("frontdesk"), api_as("radiologist")
    created = desk.post(
        "/referrals",
        json={
            "patient_id": patient_id,
            "received_on": "2026-11-20",
            "clinical_question": "Radicular pain S1 right, MRI: disc herniation L5/S1",
            "region": "lumbar",
            "side": "right",
            "symptom_duration_weeks": 8,
            "treatments": ["nsaids", "physiotherapy"],
            "red_flags": NO_RED_FLAGS,
            "physician": {"name": "Dr. Anna Schmidt", "practice": "Orthopädie am Markt", "city": "Hamburg"},
        },
    )
    assert created.status_code == 201, created.get_json()
    referral = created.get_json()
    assert (referral["status"], referral["priority"], referral["plan"]) == ("received", "routine", None)
    assert referral["referring_physician"]["name"] == "Dr. Anna Schmidt"
    assert len(referral["red_flags"]) == len(RedFlag)

    prereg = desk.get(f"/referrals/{referral['id']}/preregistration").get_json()
    assert prereg["complete"] is False and prereg["booking"] is None
    assert prereg["missing"][0].startswith("Referral accepted by a radiologist")

    prt = world.clinic.pt("PRT")
    accept = {"decision": "accept", "procedure_type_id": prt.id, "region": "lumbar", "side": "right", "levels": "L5/S1"}
    triaged = radiologist.post(f"/referrals/{referral['id']}/triage", json=accept)
    assert triaged.status_code == 200, triaged.get_json()
    assert triaged.get_json()["status"] == "accepted"
    assert triaged.get_json()["plan"] == {
        "procedure_type_id": prt.id,
        "procedure_code": "PRT",
        "region": "lumbar",
        "side": "right",
        "levels": "L5/S1",
        "stage": None,
        "guidance": "CT",
        "target": None,
    }
    prereg = desk.get(f"/referrals/{referral['id']}/preregistration").get_json()
    assert prereg["booking"]["ready"] is False
    assert {item["key"]: item["done"] for item in prereg["items"]}["referral"] is True

    assert desk.get(f"/referrals/{referral['id']}").get_json()["status"] == "accepted"


def test_triage_declines_and_asks_for_more(world, api_as):
    radiologist = api_as("radiologist")
    referral_id = world.received.id
    asked = radiologist.post(
        f"/referrals/{referral_id}/triage", json={"decision": "request_information", "text": "The MRI report"}
    )
    assert (asked.status_code, asked.get_json()["info_request"]) == (200, "The MRI report")
    declined = radiologist.post(
        f"/referrals/{referral_id}/triage", json={"decision": "decline", "reason": "No indication"}
    )
    assert (declined.get_json()["status"], declined.get_json()["decline_reason"]) == ("declined", "No indication")
    again = radiologist.post(f"/referrals/{referral_id}/triage", json={"decision": "decline", "reason": "Again"})
    assert again.status_code == 422
    unknown = radiologist.post(f"/referrals/{referral_id}/triage", json={"decision": "maybe"})
    assert unknown.status_code == 400


def test_a_red_flag_makes_the_referral_urgent(world, api_as):
    body = {
        "patient_id": world.ready[0].patient_id,
        "received_on": "2026-11-20",
        "clinical_question": "Back pain",
        "red_flags": {**NO_RED_FLAGS, "tumour": True},
    }
    referral = api_as("frontdesk").post("/referrals", json=body).get_json()
    assert referral["priority"] == "urgent"
    assert [f["code"] for f in referral["red_flags"] if f["is_open"]] == ["tumour"]


def test_every_red_flag_needs_an_answer(world, api_as):
    body = {
        "patient_id": world.ready[0].patient_id,
        "received_on": "2026-11-20",
        "clinical_question": "Back pain",
        "red_flags": {"tumour": False},
    }
    assert api_as("frontdesk").post("/referrals", json=body).status_code == 400


def test_upload_prior_imaging(session, world, api_as):
    referral = world.incomplete
    body = multipart({"files": (png(), "xray.png")})
    uploaded = api_as("frontdesk").post(f"/referrals/{referral.id}/imaging", **body)
    assert uploaded.status_code == 201, uploaded.get_json()
    result = uploaded.get_json()
    assert result["patient_id"] == referral.patient_id
    assert [(f["name"], f["kind"], f["identity_status"]) for f in result["files"]] == [
        ("xray.png", "png", "not_applicable")
    ]
    study = session.get(ImagingStudy, result["study_id"])
    assert study.referral_id == referral.id

    again = api_as("radiologist").post(
        f"/referrals/{referral.id}/imaging",
        data={"files": (io.BytesIO(png()), "same.png"), "study_id": str(study.id)},
        content_type="multipart/form-data",
    )
    assert again.status_code == 201
    assert (again.get_json()["files"], again.get_json()["duplicates"]) == ([], ["same.png"])


def test_an_upload_that_is_not_an_image_stores_nothing(session, world, api_as):
    referral = world.incomplete
    response = api_as("frontdesk").post(
        f"/referrals/{referral.id}/imaging", **multipart({"files": (b"hello", "a.txt")})
    )
    assert response.status_code == 400
    assert "Nothing was stored" in response.get_json()["error"]["message"]
    assert session.scalars(select(ImagingStudy).where(ImagingStudy.patient_id == referral.patient_id)).all() == []
