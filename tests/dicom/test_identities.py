"""The DICOM identities the clinic hands out, on both databases: a scanner's AE title belongs to one room
(admin screen and database), an accession number to one appointment (database)."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clinic.extensions import db
from clinic.models import Appointment, Room
from clinic.models.dicom import ACCESSION_ALPHABET, new_accession_number
from tests.conftest import TODAY
from tests.factories import PASSWORD

from .conftest import berlin

ROOM = {"name": "CT 3", "modality": "CT", "unit": "Radiology", "location_hint": "", "sort_order": "3"}


@pytest.fixture
def admin(session, world, browser):
    session.commit()
    assert browser.login("admin", PASSWORD).status_code == 302
    return browser


def test_the_admin_gives_a_room_its_scanners_ae_title(session, world, admin):
    assert admin.post("/admin/rooms/new", {**ROOM, "ae_title": "CT3_SIEMENS"}).status_code == 302
    room = session.scalar(select(Room).where(Room.name == "CT 3"))
    assert room.ae_title == "CT3_SIEMENS"
    session.commit()
    listing = admin.get("/admin/rooms").get_data(as_text=True)
    assert "Scanner AE title" in listing and "CT3_SIEMENS" in listing
    form = admin.get(f"/admin/rooms/{room.id}").get_data(as_text=True)
    assert 'value="CT3_SIEMENS"' in form
    # Emptied, the room has no connected scanner any more.
    assert admin.post(f"/admin/rooms/{room.id}", {**ROOM, "ae_title": ""}).status_code == 302
    session.expire_all()
    assert session.get(Room, room.id).ae_title is None
    session.commit()


@pytest.mark.parametrize(
    ("ae_title", "message"),
    [
        ("ct1", "Room CT 1 already has the AE title CT1."),
        ("A" * 17, "Field cannot be longer than 16 characters."),
        ("CTÄ", "plain letters, digits and punctuation"),
        ("CT\\1", "plain letters, digits and punctuation"),
    ],
)
def test_a_wrong_or_taken_ae_title_is_refused_and_nothing_saved(session, world, admin, ae_title, message):
    response = admin.post("/admin/rooms/new", {**ROOM, "ae_title": ae_title})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(Room).where(Room.name == "CT 3")) is None
    session.commit()


def test_the_database_keeps_ae_titles_unique(session, world):
    session.add(Room(name="CT 9", modality="CT", unit="Radiology", ae_title="CT1"))
    with pytest.raises(IntegrityError, match=r"uq_rooms_ae_title|UNIQUE"):
        session.flush()
    session.rollback()


def test_every_appointment_gets_its_own_accession_number(session, settings, world, zoe):
    first = world.book(session, settings, start=berlin(TODAY, 9), patient=zoe)
    second = world.book(session, settings, start=berlin(TODAY, 10))
    for appointment in (first, second):
        assert re.fullmatch(f"[{ACCESSION_ALPHABET}]{{12}}", appointment.accession_number)
    assert first.accession_number != second.accession_number
    assert len({new_accession_number() for _ in range(2000)}) == 2000


def test_the_database_refuses_a_second_appointment_with_the_same_accession_number(session, settings, world):
    first = world.book(session, settings, start=berlin(TODAY, 9))
    second = world.book(session, settings, start=berlin(TODAY, 10))
    second.accession_number = first.accession_number
    with pytest.raises(IntegrityError, match=r"uq_appointments_accession_number|UNIQUE"):
        session.flush()
    session.rollback()


def test_two_transactions_taking_the_same_accession_number_at_once_leave_one(app, session, settings, world):
    first = world.book(session, settings, start=berlin(TODAY, 9))
    second = world.book(session, settings, start=berlin(TODAY, 10))
    ids = [first.id, second.id]
    session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(appointment_id: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                db.session.get(Appointment, appointment_id).accession_number = "SAMENUMBER234"
                db.session.commit()
                outcomes.append("saved")
            except IntegrityError:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=take, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["refused", "saved"]
    session.expire_all()
    assert len(session.scalars(select(Appointment).where(Appointment.accession_number == "SAMENUMBER234")).all()) == 1
    session.commit()
