"""A FHIR client library (fhirclient, SMART on FHIR's Python client) against the server running live:
it reads an appointment and its patient, follows the search's paging links, and is refused without a
token."""

from __future__ import annotations

import pytest
from fhirclient import client
from fhirclient.models.appointment import Appointment
from fhirclient.models.fhirsearch import FHIRSearch
from fhirclient.models.patient import Patient
from fhirclient.server import FHIRUnauthorizedException

from tests.api.world import build_world


def _client(base: str, token: str | None) -> client.FHIRClient:
    smart = client.FHIRClient(settings={"app_id": "clinic-tests", "api_base": f"{base}/fhir/R4/"})
    if token:
        smart.server.session.headers["Authorization"] = f"Bearer {token}"
    return smart


def test_fhirclient_reads_an_appointment_and_its_patient(live_server, world, everyone, token_for, session):
    smart = _client(live_server, token_for(everyone))
    booked = world.appointments["booked"]
    expected = (booked.id, booked.table_start, booked.patient.family_name, booked.patient.birth_date)
    number = booked.patient.clinic_number
    session.close()  # the server's requests write audit events: SQLite's write lock must be free
    appointment = Appointment.read(str(expected[0]), smart.server)
    assert appointment.status == "booked"
    assert appointment.start.datetime == expected[1]
    patient_ref = next(p.actor for p in appointment.participant if p.actor.reference.startswith("Patient/"))
    patient = patient_ref.resolved(Patient)
    assert patient.name[0].family == expected[2]
    assert patient.birthDate.date == expected[3]
    assert patient.identifier[0].value == number


def test_fhirclient_follows_the_paging_links(live_server, world, everyone, token_for, session, settings):
    build_world(session, settings, world.clinic, ready=0)
    smart = _client(live_server, token_for(everyone))
    session.close()
    pages = list(FHIRSearch(Appointment, {"_count": "4"}).perform_iter(smart.server))
    ids = [entry.resource.id for page in pages for entry in page.entry]
    assert len(pages) == 4  # 16 appointments, 4 a page
    assert len(ids) == len(set(ids)) == 16


def test_fhirclient_without_a_token_is_refused(live_server, world, session):
    smart = _client(live_server, None)
    appointment_id = world.appointments["booked"].id
    session.close()
    with pytest.raises(FHIRUnauthorizedException):
        Appointment.read(str(appointment_id), smart.server)
