"""POST Appointment with a Slot books through the booking service, with its guards."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select

from clinic.models import Appointment, Booking
from tests.factories import accept_referral
from tests.fhir.models import validate


def _slots(fhir, referral_id: int, count: int = 2) -> list[dict]:
    bundle = validate(fhir.get(f"/Slot?service-request=ServiceRequest/{referral_id}&_count={count}").get_json())
    return [entry["resource"] for entry in bundle["entry"]]


def _booking(slot_id: str, referral_id: int, **extra) -> dict:
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "basedOn": [{"reference": f"ServiceRequest/{referral_id}"}],
        **extra,
    }


def test_booking_a_slot_makes_the_appointment_with_all_its_resources(fhir_as, world, session):
    desk = fhir_as("frontdesk")
    referral = world.ready[0]
    slot = _slots(desk, referral.id)[0]
    body = _booking(
        slot["id"],
        referral.id,
        participant=[{"actor": {"reference": f"Patient/{referral.patient_id}"}, "status": "accepted"}],
        comment="Booked by the hospital's portal",
    )
    response = desk.post("/Appointment", json=validate(body))
    assert response.status_code == 201, response.get_json()
    created = validate(response.get_json())
    assert created["status"] == "booked"
    assert created["start"] == slot["start"] and created["end"] == slot["end"]
    assert urlsplit(response.headers["Location"]).path == f"/fhir/R4/Appointment/{created['id']}/_history/1"
    appointment = session.get(Appointment, int(created["id"]))
    assert appointment.referral_id == referral.id
    assert appointment.note == "Booked by the hospital's portal"
    rows = session.scalar(select(func.count()).where(Booking.appointment_id == appointment.id, Booking.active))
    assert rows == 4  # room, radiologist, patient, bed
    # the slot is no longer offered, and reads as busy
    assert slot["id"] not in {s["id"] for s in _slots(desk, world.ready[1].id, 20)}
    assert validate(desk.get(f"/Slot/{slot['id']}").get_json())["status"] == "busy"


def test_a_slot_taken_meanwhile_is_409_with_the_next_free_slots(fhir_as, world, session):
    desk = fhir_as("frontdesk")
    first, second = world.ready[0], world.ready[1]
    slot = _slots(desk, first.id)[0]
    assert desk.post("/Appointment", json=_booking(slot["id"], first.id)).status_code == 201
    before = session.scalar(select(func.count(Appointment.id)))
    response = desk.post("/Appointment", json=_booking(slot["id"], second.id))
    assert response.status_code == 409
    outcome = validate(response.get_json())
    assert outcome["issue"][0]["code"] == "conflict"
    assert "Slot/" in outcome["issue"][0]["diagnostics"]
    assert session.scalar(select(func.count(Appointment.id))) == before


def test_booking_refuses_a_referral_that_is_not_ready(fhir_as, world, session):
    desk = fhir_as("frontdesk")
    slot = _slots(desk, world.ready[0].id)[0]
    before = session.scalar(select(func.count(Appointment.id)))
    response = desk.post("/Appointment", json=_booking(slot["id"], world.incomplete.id))
    assert response.status_code == 422
    assert "escort" in validate(response.get_json())["issue"][0]["diagnostics"].lower()
    assert session.scalar(select(func.count(Appointment.id))) == before


def test_booking_refuses_another_patient_and_a_malformed_body(fhir_as, world):
    desk = fhir_as("frontdesk")
    referral = world.ready[0]
    slot = _slots(desk, referral.id)[0]
    other = world.ready[1].patient_id
    wrong = _booking(
        slot["id"], referral.id, participant=[{"actor": {"reference": f"Patient/{other}"}, "status": "accepted"}]
    )
    assert desk.post("/Appointment", json=wrong).status_code == 422
    assert desk.post("/Appointment", json={"resourceType": "Patient"}).status_code == 400
    assert desk.post("/Appointment", json=_booking("not-a-slot", referral.id)).status_code == 400
    no_referral = {"resourceType": "Appointment", "slot": [{"reference": f"Slot/{slot['id']}"}]}
    assert desk.post("/Appointment", json=no_referral).status_code == 400
    assert desk.post("/Appointment", data="{", content_type="application/fhir+json").status_code == 400


def test_a_catalogue_slot_of_another_length_is_refused_for_a_longer_plan(fhir_as, world, session):
    desk = fhir_as("frontdesk")
    referral = world.ready[0]
    accept_referral(session, world.clinic, referral, levels="L3/4, L4/5, L5/S1")  # longer than the catalogue's one
    session.commit()
    generic = validate(desk.get("/Slot?service-type=PRT&_count=1").get_json())["entry"][0]["resource"]
    response = desk.post("/Appointment", json=_booking(generic["id"], referral.id))
    assert response.status_code == 422
    assert "service-request" in validate(response.get_json())["issue"][0]["diagnostics"]


def test_six_portals_booking_one_slot_at_once_get_one_appointment(app, fhir_as, world, session, clinic):
    """Concurrent POSTs of the same Slot for six referrals: one 201, five 409, no server error, and the
    slot's resources are held once."""
    import threading

    from tests.api.world import ready_referral

    referrals = [ready_referral(session, clinic) for _ in range(6)]
    session.commit()
    clients = [fhir_as("frontdesk") for _ in referrals]
    slot = _slots(clients[0], referrals[0].id)[0]
    ids = [r.id for r in referrals]
    session.close()
    barrier = threading.Barrier(len(ids))
    statuses: list[int] = []

    def post(client, referral_id):
        barrier.wait(timeout=30)
        statuses.append(client.post("/Appointment", json=_booking(slot["id"], referral_id)).status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in zip(clients, ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [201, 409, 409, 409, 409, 409]
    booked = session.scalar(select(func.count(Appointment.id)).where(Appointment.referral_id.in_(ids)))
    assert booked == 1
