"""The stranding check: a proposed change is tried in a savepoint, never saved unless confirmed."""

from __future__ import annotations

from sqlalchemy import select

from clinic.models import AuditEvent, RoomSession
from clinic.services import setup_resources, stranding

from .helpers import book_on_day, live_settings, next_monday, snapshot


def _monday_session(session, room) -> RoomSession:
    return session.scalar(select(RoomSession).where(RoomSession.room_id == room.id, RoomSession.weekday == 0))


def test_preview_lists_the_appointment_and_changes_nothing(session, clinic):
    monday = next_monday()
    ct1 = clinic.rooms["CT 1"]
    appointment = book_on_day(session, clinic, monday, room=ct1)
    elsewhere = book_on_day(session, clinic, monday, room=clinic.rooms["CT 2"])
    before = snapshot(session, appointment)
    template = _monday_session(session, ct1)

    found = stranding.preview(session, live_settings(), lambda: session.delete(template))

    assert [s.appointment_id for s in found] == [appointment.id]
    assert "CT 1 is not open then: outside its sessions, or closed" in found[0].reasons
    assert elsewhere.id not in [s.appointment_id for s in found]
    assert _monday_session(session, ct1) is not None
    assert snapshot(session, appointment) == before


def test_apply_change_saves_only_what_was_confirmed(session, clinic):
    monday = next_monday()
    ct1 = clinic.rooms["CT 1"]
    first = book_on_day(session, clinic, monday, room=ct1)
    settings = live_settings()

    def switch_off():
        setup_resources.set_room_active(session, None, ct1, False)

    refused = stranding.apply_change(session, settings, switch_off)
    assert not refused.saved and refused.stranded_ids == [first.id]
    session.rollback()
    assert session.get(type(ct1), ct1.id).active

    # Someone books another appointment in the room before the admin confirms what they saw.
    second = book_on_day(session, clinic, monday, room=ct1)
    stale = stranding.apply_change(session, settings, switch_off, confirmed=[first.id])
    assert not stale.saved and set(stale.stranded_ids) == {first.id, second.id}
    session.rollback()

    done = stranding.apply_change(session, settings, switch_off, confirmed=[first.id, second.id])
    session.commit()
    assert done.saved
    assert not ct1.active
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "setup.appointments_stranded"))
    assert str(first.id) in event.summary and str(second.id) in event.summary


def test_appointments_already_stranded_are_not_reported_again(session, clinic):
    monday = next_monday()
    ct1 = clinic.rooms["CT 1"]
    appointment = book_on_day(session, clinic, monday, room=ct1, radiologist=clinic.radiologists[0])
    settings = live_settings()
    stranding.apply_change(
        session,
        settings,
        lambda: setup_resources.set_room_active(session, None, ct1, False),
        confirmed=[appointment.id],
    )
    session.commit()
    assert [s.appointment_id for s in stranding.find_stranded(session, settings)] == [appointment.id]
    again = stranding.preview(session, settings, lambda: session.delete(_monday_session(session, ct1)))
    assert again == []


def test_parse_ids_ignores_anything_but_numbers():
    assert stranding.parse_ids("3, 7,x,,12") == {3, 7, 12}
    assert stranding.parse_ids(None) == set()
