"""Searches: patient, date with prefixes, status, _count with paging links; patient names only by POST."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from clinic.core.timefmt import to_local
from clinic.models import Appointment
from tests.api.world import build_world
from tests.conftest import TODAY, ZONE
from tests.fhir.models import validate


def _ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def _link(bundle: dict, relation: str) -> str | None:
    return next((link["url"] for link in bundle["link"] if link["relation"] == relation), None)


def test_paging_walks_every_appointment_once_with_next_and_previous_links(fhir, session, settings, world):
    build_world(session, settings, world.clinic, ready=0)  # a second set: 16 appointments in all
    total = session.query(Appointment).count()
    first = validate(fhir.get("/Appointment?_count=5").get_json())
    assert first["total"] == total
    assert _link(first, "previous") is None
    seen, page, pages = _ids(first), first, 1
    while (next_url := _link(page, "next")) is not None:
        query = urlsplit(next_url).query
        page = validate(fhir.get(f"/Appointment?{query}").get_json())
        assert _link(page, "previous") is not None
        seen += _ids(page)
        pages += 1
    assert pages == -(-total // 5)
    assert sorted(seen, key=int) == sorted({str(a.id) for a in session.query(Appointment)}, key=int)
    assert len(seen) == len(set(seen))


def test_count_is_capped_and_a_bad_count_is_an_operation_outcome(fhir, world):
    assert parse_qs(urlsplit(_link(fhir.get("/Appointment?_count=5000").get_json(), "self")).query)["_count"] == ["100"]
    response = fhir.get("/Appointment?_count=many")
    assert response.status_code == 400
    assert validate(response.get_json())["issue"][0]["code"] == "invalid"


def test_patient_parameter_narrows_every_patient_resource(fhir, world, records):
    booked = world.appointments["booked"].patient_id
    consented = world.appointments["consented"].patient_id
    observed = world.appointments["in_observation"].patient_id
    for path, patient_id in [
        ("/Appointment", booked),
        ("/ServiceRequest", booked),
        ("/ImagingStudy", booked),
        ("/Consent", consented),
        ("/Procedure", observed),
    ]:
        everything = validate(fhir.get(f"{path}?_count=100").get_json())
        bundle = validate(fhir.get(f"{path}?patient=Patient/{patient_id}").get_json())
        assert 1 <= bundle["total"] <= everything["total"], path
        for entry in bundle["entry"]:
            resource = entry["resource"]
            subject = resource.get("subject") or resource.get("patient")
            if subject is None:  # an Appointment: the patient is a participant
                subject = next(p["actor"] for p in resource["participant"] if "Patient/" in p["actor"]["reference"])
            assert subject["reference"] == f"Patient/{patient_id}", path
    assert _ids(fhir.get(f"/Appointment?patient={booked}").get_json()) == [str(world.appointments["booked"].id)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date=2026-11-20", {"past"}),
        ("date=eq2026-11-20", {"past"}),
        ("date=lt2026-11-21", {"past"}),
        ("date=le2026-11-20", {"past"}),
        ("date=ge2026-11-23", {"booked", "checked_in", "printed", "consented", "in_procedure", "in_observation"}),
        ("date=gt2026-11-20&date=lt2026-11-24", {"booked", "checked_in", "printed", "consented", "in_procedure"}),
        ("date=2026-11", "all"),
        ("date=2025", set()),
        ("date=ne2026-11-20", "all but past"),
    ],
)
def test_date_prefixes_select_by_the_clinic_day(fhir, world, session, query, expected):
    # The world books its appointments from Monday 23 November on; "past" was last Friday.
    by_id = {str(a.id): state for state, a in world.appointments.items()}
    days = {state: to_local(a.table_start, ZONE).date() for state, a in world.appointments.items()}
    found = {by_id[i] for i in _ids(fhir.get(f"/Appointment?{query}&_count=100").get_json())}
    if expected == "all":
        expected = set(by_id.values())
    elif expected == "all but past":
        expected = set(by_id.values()) - {"past"}
    elif "lt2026-11-24" in query:
        expected = {s for s, d in days.items() if s != "past" and d < dt.date(2026, 11, 24)}
    elif query.startswith("date=ge2026-11-23"):
        expected = {s for s, d in days.items() if d >= TODAY}
    assert found == expected


def test_date_with_a_time_and_offset_is_an_instant(fhir, world):
    booked = world.appointments["booked"]
    at = booked.table_start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert str(booked.id) in _ids(fhir.get(f"/Appointment?date={at}").get_json())
    assert str(booked.id) not in _ids(fhir.get(f"/Appointment?date=gt{at}&_count=100").get_json())
    assert fhir.get("/Appointment?date=2026-11-23T08:00").status_code == 400  # no zone: ambiguous


def test_status_searches_by_fhir_names(fhir, world):
    arrived = set(_ids(fhir.get("/Appointment?status=arrived").get_json()))
    assert arrived == {str(world.appointments["in_procedure"].id), str(world.appointments["in_observation"].id)}
    either = set(_ids(fhir.get("/Appointment?status=cancelled,checked-in").get_json()))
    assert str(world.appointments["cancelled"].id) in either
    assert str(world.appointments["checked_in"].id) in either
    assert _ids(fhir.get(f"/ServiceRequest?status=active&patient={world.received.patient_id}").get_json()) == [
        str(world.received.id)
    ]


def test_unknown_parameters_are_refused_not_ignored(fhir, world):
    response = fhir.get("/Appointment?colour=blue")
    assert response.status_code == 400
    assert "colour" in validate(response.get_json())["issue"][0]["diagnostics"]


def test_patients_by_name_only_by_post_and_the_answer_carries_no_terms_in_links(fhir, world):
    patient = world.appointments["booked"].patient
    refused = fhir.get(f"/Patient?family={patient.family_name}")
    assert refused.status_code == 400
    assert "POST" in validate(refused.get_json())["issue"][0]["diagnostics"]
    found = validate(
        fhir.search(
            "/Patient/_search", {"family": patient.family_name[:4].lower(), "given": patient.given_name}
        ).get_json()
    )
    assert str(patient.id) in _ids(found)
    assert all(patient.family_name not in link["url"] for link in found["link"])
    by_birth = fhir.search("/Patient/_search", {"birthdate": patient.birth_date.isoformat()}).get_json()
    assert str(patient.id) in _ids(by_birth)
    by_number = validate(
        fhir.get(f"/Patient?identifier=urn:pain-clinic:clinic-number|{patient.clinic_number}").get_json()
    )
    assert _ids(by_number) == [str(patient.id)]


def test_slot_search_for_a_referral_respects_its_plan_and_pages(fhir, world):
    referral = world.ready[0]
    first = validate(fhir.get(f"/Slot?service-request=ServiceRequest/{referral.id}&_count=3").get_json())
    assert len(first["entry"]) == 3
    starts = [e["resource"]["start"] for e in first["entry"]]
    assert starts == sorted(starts)
    second = validate(fhir.get("/Slot?" + urlsplit(_link(first, "next")).query).get_json())
    assert not set(_ids(first)) & set(_ids(second))
    later = validate(fhir.get(f"/Slot?service-request={referral.id}&start=ge2026-11-30&_count=2").get_json())
    assert all(e["resource"]["start"] >= "2026-11-30" for e in later["entry"])
    not_ready = fhir.get(f"/Slot?service-request={world.incomplete.id}")
    assert not_ready.status_code == 422
    assert "escort" in validate(not_ready.get_json())["issue"][0]["diagnostics"].lower()


@pytest.mark.parametrize(
    "query",
    [
        "date=9999-12-31",
        "date=9999-12",
        "date=9999",
        "date=0001-01-01",
        "date=lt0001",
        "date=ge9999-12-31",
        "date=9999-12-31T23:59:59Z",
    ],
)
def test_a_date_at_the_end_of_the_calendar_is_an_operation_outcome_not_a_server_error(fhir, world, query):
    """Walk F-18: the day after 9999-12-31 (or a year 10000) does not exist in Python's calendar."""
    answer = fhir.get(f"/Appointment?{query}")
    assert answer.status_code == 400
    assert answer.get_json()["resourceType"] == "OperationOutcome"
