"""Slots, booking, reading, listing, rescheduling and cancelling through the API."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from clinic.models import Appointment, Booking
from tests.api.world import ready_referral
from tests.factories import add_to_waitlist


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def in_zone(slot: dict, zone: str) -> dict:
    """The same slot written with another offset."""
    moved = {k: at(slot[k]).astimezone(ZoneInfo(zone)).isoformat() for k in ("table_start", "table_end", "obs_end")}
    return {**slot, **moved}


def test_slots_book_read_reschedule_cancel(session, world, api_as):
    desk = api_as("frontdesk")
    referral = world.ready[0]

    found = desk.get(f"/slots?referral_id={referral.id}&limit=3")
    assert found.status_code == 200, found.get_json()
    result = found.get_json()
    assert result["plan"]["procedure_code"] == "PRT"
    assert (result["from_date"], result["to_date"]) == ("2026-11-23", "2027-01-18")
    assert len(result["slots"]) == 3
    first, _second, third = result["slots"]
    assert at(first["table_start"]).utcoffset() == dt.timedelta(0)  # answers are in UTC
    assert at(first["table_end"]) - at(first["table_start"]) == dt.timedelta(minutes=20)
    assert at(first["obs_end"]) - at(first["table_end"]) == dt.timedelta(minutes=30)

    # Booked as returned, but written in Berlin time: any offset is the same instant.
    booked = desk.post("/appointments", json={"referral_id": referral.id, **in_zone(first, "Europe/Berlin")})
    assert booked.status_code == 201, booked.get_json()
    appointment = booked.get_json()
    assert appointment["status"] == "booked"
    assert appointment["table_start"] == first["table_start"]
    assert [e["to_status"] for e in appointment["events"]] == ["booked"]
    stored = session.get(Appointment, appointment["id"])
    assert stored.table_start == at(first["table_start"])

    read = api_as("nurse").get(f"/appointments/{appointment['id']}")
    assert read.status_code == 200
    assert read.get_json()["reference"] == appointment["reference"]

    # Rescheduling to a time offered for this appointment; written in New York time this time.
    moved = desk.post(f"/appointments/{appointment['id']}/reschedule", json=in_zone(third, "America/New_York"))
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["table_start"] == third["table_start"]
    session.expire_all()
    active = session.scalars(select(Booking).where(Booking.appointment_id == appointment["id"], Booking.active)).all()
    assert {b.starts_at for b in active} == {at(third["table_start"]), at(third["table_end"])}

    cancelled = desk.post(f"/appointments/{appointment['id']}/cancel", json={"reason": "The patient moved away"})
    assert cancelled.status_code == 200, cancelled.get_json()
    body = cancelled.get_json()
    assert (body["appointment"]["status"], body["appointment"]["cancel_reason"]) == (
        "cancelled",
        "The patient moved away",
    )
    assert body["waitlist_offers"] == []
    again = desk.post(f"/appointments/{appointment['id']}/cancel", json={"reason": "again"})
    assert (again.status_code, again.get_json()["error"]["code"]) == (422, "invalid_state")
    assert again.get_json()["error"]["message"] == "An appointment that is cancelled cannot be cancelled."


def test_cancelling_offers_the_freed_time_to_the_waitlist(session, world, api_as):
    waiting = world.ready[1]
    add_to_waitlist(session, waiting)
    session.commit()
    appointment = world.appointments["booked"]
    response = api_as("frontdesk").post(f"/appointments/{appointment.id}/cancel", json={"reason": "Ill"})
    offers = response.get_json()["waitlist_offers"]
    assert [(o["referral_id"], o["patient_id"]) for o in offers] == [(waiting.id, waiting.patient_id)]
    offered = offers[0]["slot"]
    rebooked = api_as("frontdesk").post("/appointments", json={"referral_id": waiting.id, **offered})
    assert rebooked.status_code == 201, rebooked.get_json()


def test_slots_for_a_procedure_type_with_preferences(world, api_as):
    prt = world.clinic.pt("PRT")
    radiologist = world.clinic.radiologists[1]
    query = (
        f"procedure_type_id={prt.id}&region=lumbar&side=bilateral&levels=L4/5&part_of_day=afternoon"
        f"&radiologist_id={radiologist.id}&from_date=2026-11-24&to_date=2026-11-30&limit=5"
    )
    response = api_as("radiologist").get(f"/slots?{query}")
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["plan"]["table_minutes"] == prt.table_minutes_for(1, "bilateral")
    assert len(result["slots"]) == 5
    for slot in result["slots"]:
        local = at(slot["table_start"]).astimezone(ZoneInfo("Europe/Berlin"))
        assert slot["radiologist_id"] == radiologist.id
        assert local.date() >= dt.date(2026, 11, 24) and local.hour >= 12


def test_slots_need_a_referral_or_a_procedure_type_and_a_complete_plan(world, api_as):
    desk = api_as("frontdesk")
    neither = desk.get("/slots")
    assert (neither.status_code, neither.get_json()["error"]["code"]) == (400, "invalid_input")
    both = desk.get(f"/slots?referral_id={world.ready[0].id}&procedure_type_id=1")
    assert both.status_code == 400
    incomplete_plan = desk.get(f"/slots?procedure_type_id={world.clinic.pt('PRT').id}")
    assert incomplete_plan.status_code == 400
    assert "needs a side" in incomplete_plan.get_json()["error"]["message"]
    too_long = desk.get(f"/slots?referral_id={world.ready[0].id}&from_date=2026-11-23&to_date=2027-11-23")
    assert too_long.status_code == 400


def test_list_appointments_by_day_room_and_status(world, api_as):
    nurse = api_as("nurse")
    listed = nurse.get("/appointments?date=2026-11-23").get_json()
    assert listed["date"] == "2026-11-23"
    today = {a.id for a in world.appointments.values() if a.table_start.date() == dt.date(2026, 11, 23)}
    assert {a["id"] for a in listed["items"]} == today
    starts = [a["table_start"] for a in listed["items"]]
    assert starts == sorted(starts)

    room = world.appointments["booked"].room_id
    by_room = nurse.get(f"/appointments?date=2026-11-23&room_id={room}").get_json()["items"]
    assert by_room and {a["room_id"] for a in by_room} == {room}

    booked_or_cancelled = nurse.get("/appointments?date=2026-11-23&status=booked&status=cancelled").get_json()["items"]
    assert {a["status"] for a in booked_or_cancelled} == {"booked", "cancelled"}

    past = nurse.get("/appointments?date=2026-11-20").get_json()["items"]
    assert [a["id"] for a in past] == [world.appointments["past"].id]
    assert nurse.get("/appointments?status=tentative").status_code == 400


def test_booking_before_the_medication_hold_allows_is_422(session, clinic, api_as):
    referral = ready_referral(session, clinic, medications=[("clopidogrel", "", dt.date(2026, 11, 22))])
    session.commit()
    desk = api_as("frontdesk")
    for_referral = desk.get(f"/slots?referral_id={referral.id}&limit=1").get_json()
    not_before = dt.date.fromisoformat(for_referral["not_before"])
    first = for_referral["slots"][0]
    assert at(first["table_start"]).astimezone(ZoneInfo("Europe/Berlin")).date() >= not_before

    # A search by procedure type knows nothing of this patient's clopidogrel: its first slot is too early.
    plan = f"procedure_type_id={referral.planned_procedure_type_id}&region=lumbar&side=left&levels=L4/5&limit=1"
    too_early = desk.get(f"/slots?{plan}").get_json()["slots"][0]
    assert at(too_early["table_start"]).astimezone(ZoneInfo("Europe/Berlin")).date() < not_before
    response = desk.post("/appointments", json={"referral_id": referral.id, **too_early})
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, "medication_hold")
    # Last dose on 22 November, at any time that day: 168 hours from midnight (Berlin) at the end of it.
    assert response.get_json()["error"]["details"] == {
        "not_before": not_before.isoformat(),
        "not_before_at": "2026-11-29T23:00:00+00:00",
    }


def test_a_move_from_a_time_read_before_another_move_is_refused(session, world, api_as):
    desk = api_as("frontdesk")
    referral = world.ready[0]
    first, second, third = desk.get(f"/slots?referral_id={referral.id}&limit=3").get_json()["slots"]
    appointment = desk.post("/appointments", json={"referral_id": referral.id, **first}).get_json()
    read_at = appointment["table_start"]  # two desks read it at the first time

    moved = desk.post(f"/appointments/{appointment['id']}/reschedule", json={**second, "moving_from": read_at})
    assert moved.status_code == 200, moved.get_json()
    stale = desk.post(f"/appointments/{appointment['id']}/reschedule", json={**third, "moving_from": read_at})

    assert stale.status_code == 409, stale.get_json()
    error = stale.get_json()["error"]
    assert error["code"] == "moved_meanwhile"
    assert "moved this appointment meanwhile" in error["message"]
    session.expire_all()
    active = session.scalars(select(Booking).where(Booking.appointment_id == appointment["id"], Booking.active)).all()
    assert {b.starts_at for b in active} == {at(second["table_start"]), at(second["table_end"])}
    # Read again: the move goes through from the time it has now.
    fresh = desk.get(f"/appointments/{appointment['id']}").get_json()["table_start"]
    again = desk.post(f"/appointments/{appointment['id']}/reschedule", json={**third, "moving_from": fresh})
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["table_start"] == third["table_start"]
