"""Rooms and observation beds: form validation, switching off after the stranding check."""

from __future__ import annotations

import re

from sqlalchemy import select

from clinic.models import ObservationBed, Room

from .helpers import book_on_day, confirm_value, form_refusals, next_monday, refused_saving_nothing, snapshot, text

ROOM = {"name": "CT 3", "modality": "CT", "unit": "Radiology", "location_hint": "Level 2", "sort_order": "3"}
BED = {"label": "Bed 7", "unit": "Observation", "sort_order": "7"}


def test_rooms_and_beds_are_added(session, clinic, admin):
    assert admin.post("/admin/rooms/new", ROOM).status_code == 302
    assert admin.post("/admin/beds/new", BED).status_code == 302
    room = session.scalar(select(Room).where(Room.name == "CT 3"))
    assert room.active and room.location_hint == "Level 2"
    assert session.scalar(select(ObservationBed).where(ObservationBed.label == "Bed 7")).active
    listing = text(admin.get("/admin/rooms"))
    assert "CT 3" in listing and "Bed 7" in listing


@form_refusals(
    [
        ({"name": ""}, "Give the room a name."),
        ({"name": "ct 1"}, "There is already a room called CT 1."),
        ({"unit": ""}, "Name the unit the room belongs to."),
        ({"modality": "XR"}, "Not a valid choice"),
    ],
)
def test_room_form_errors_save_nothing(session, clinic, admin, change, message):
    refused_saving_nothing(session, admin, "/admin/rooms/new", {**ROOM, **change}, message, Room)


@form_refusals(
    [
        ({"label": ""}, "Give the bed a label, e.g. Bed 7."),
        ({"label": "BED 1"}, "There is already a bed called Bed 1."),
        ({"unit": ""}, "Name the unit the bed belongs to."),
    ],
)
def test_bed_form_errors_save_nothing(session, clinic, admin, change, message):
    refused_saving_nothing(session, admin, "/admin/beds/new", {**BED, **change}, message, ObservationBed)


def test_switching_off_a_room_warns_then_lists_its_bookings(session, clinic, admin):
    ct1 = clinic.rooms["CT 1"]
    appointment = book_on_day(session, clinic, next_monday(), room=ct1)
    other = book_on_day(session, clinic, next_monday(), room=clinic.rooms["CT 2"])
    before = snapshot(session, appointment)
    url = f"/admin/rooms/{ct1.id}/deactivate"

    warned = admin.post(url, {}, form_page="/admin/rooms")
    html = text(warned)
    assert warned.status_code == 409
    assert "Switch off room CT 1?" in html and appointment.reference in html and other.reference not in html
    assert "room CT 1 is no longer in use" in html
    session.expire_all()
    assert session.get(Room, ct1.id).active

    done = admin.post(url, {"confirm_stranded": confirm_value(html)}, form_page="/admin/rooms")
    assert done.status_code == 302 and f"ids={appointment.id}" in done.headers["Location"]
    listed = text(admin.get(done.headers["Location"]))
    assert appointment.reference in listed and "table-warning" in listed
    session.expire_all()
    assert not session.get(Room, ct1.id).active
    assert snapshot(session, appointment) == before


def test_a_room_without_bookings_is_switched_off_at_once(session, clinic, admin):
    mrt = clinic.rooms["MRT"]
    done = admin.post(f"/admin/rooms/{mrt.id}/deactivate", {}, form_page=f"/admin/rooms/{mrt.id}")
    assert done.status_code == 302 and done.headers["Location"] == f"/admin/rooms/{mrt.id}"
    assert "Room MRT switched off." in text(admin.get(done.headers["Location"]))
    session.expire_all()
    assert not session.get(Room, mrt.id).active
    assert session.get(Room, mrt.id) is not None  # switched off, never deleted

    back = admin.post(f"/admin/rooms/{mrt.id}/activate", {}, form_page=f"/admin/rooms/{mrt.id}")
    assert back.status_code == 302 and back.headers["Location"] == f"/admin/rooms/{mrt.id}"
    assert "Room MRT is in use again." in text(admin.get(back.headers["Location"]))
    session.expire_all()
    assert session.get(Room, mrt.id).active


def test_a_bed_without_bookings_is_switched_off_and_on_on_its_own_page(session, clinic, admin):
    bed = session.scalar(select(ObservationBed).where(ObservationBed.active).order_by(ObservationBed.id))
    page = f"/admin/beds/{bed.id}"
    done = admin.post(f"{page}/deactivate", {}, form_page=page)
    assert done.status_code == 302 and done.headers["Location"] == page
    assert f"{bed.label} switched off." in text(admin.get(page))
    session.expire_all()
    assert not session.get(ObservationBed, bed.id).active

    back = admin.post(f"{page}/activate", {}, form_page=page)
    assert back.status_code == 302 and back.headers["Location"] == page
    assert f"{bed.label} is in use again." in text(admin.get(page))
    session.expire_all()
    assert session.get(ObservationBed, bed.id).active


def test_changing_a_rooms_modality_strands_its_ct_bookings(session, clinic, admin):
    ct1 = clinic.rooms["CT 1"]
    book_on_day(session, clinic, next_monday(), room=ct1)
    data = {**ROOM, "name": "CT 1", "modality": "MRI"}
    warned = admin.post(f"/admin/rooms/{ct1.id}", data)
    assert warned.status_code == 409
    assert "CT 1 is an MRI room; the procedure is CT-guided" in text(warned)
    session.expire_all()
    assert session.get(Room, ct1.id).modality == "CT"


def test_switching_off_a_bed_warns_then_lists_its_bookings(session, clinic, admin):
    appointment = book_on_day(session, clinic, next_monday())
    bed = session.get(ObservationBed, appointment.bed_id)
    before = snapshot(session, appointment)
    url = f"/admin/beds/{bed.id}/deactivate"

    warned = admin.post(url, {}, form_page="/admin/rooms")
    html = text(warned)
    assert warned.status_code == 409
    assert appointment.reference in html and f"{bed.label} is no longer in use" in html
    done = admin.post(url, {"confirm_stranded": confirm_value(html)}, form_page="/admin/rooms")
    assert done.status_code == 302 and "/admin/stranded" in done.headers["Location"]
    session.expire_all()
    assert not session.get(ObservationBed, bed.id).active
    assert snapshot(session, appointment) == before
    back = admin.post(f"/admin/beds/{bed.id}/activate", {}, form_page="/admin/rooms")
    assert back.status_code == 302
    assert appointment.reference not in text(admin.get("/admin/stranded"))


def test_the_banner_above_a_refused_form_says_field_or_fields_as_many_are_marked(session, clinic, admin):
    """Walk finding: "Bitte korrigieren Sie das markierte Feld." stood above two marked fields; the form
    banner said "fields" above one. One marked field: the singular; two: the plural."""
    one = text(admin.post("/admin/rooms/new", {**ROOM, "name": ""}))
    assert "Please correct the marked field." in one and "Please correct the marked fields." not in one
    two = text(admin.post("/admin/rooms/new", {**ROOM, "name": "", "unit": ""}))
    assert "Please correct the marked fields." in two and "Please correct the marked field." not in two


def test_the_stranded_lists_keep_their_words_apart(session, clinic, admin):
    """Walk finding: "…sobald er wieder passt.Die Anmeldung sieht…" on /admin/stranded, and the reference and
    the status badge run together ("ZDDZ-7GEHAngemeldet") in the room's switch-off list."""
    ct1 = clinic.rooms["CT 1"]
    appointment = book_on_day(session, clinic, next_monday(), room=ct1)
    appointment.status = "checked_in"
    session.commit()
    warned = admin.post(f"/admin/rooms/{ct1.id}/deactivate", {}, form_page="/admin/rooms")
    words = re.sub(r"<[^>]+>", "", text(warned))
    assert f"{appointment.reference} Checked in" in re.sub(r"\s+", " ", words)
    assert f"{appointment.reference}Checked in" not in words
    page = re.sub(r"<[^>]+>", "", text(admin.get("/admin/stranded")))
    assert "once it fits again. The front desk" in re.sub(r"\s+", " ", page)
    assert "again.The" not in page
