"""A number too large for the database, typed into an address, a query or a form (found on a walk: 500s
from OverflowError at ``/admin/audit?page=99999999999999999999`` and many more): an address with such an
id is no address (404), a query's number falls back to its default or is refused, a form's field says so,
and nothing changes. Every address of the url_map that takes an ``<int:…>`` is tried."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from clinic.models import ObservationBed, Room
from tests.conftest import logged_in

from .helpers import refused_saving_nothing, text

HUGE = "99999999999999999999"  # past 64 bits: SQLite's driver cannot even take it
PAST_INTEGER = str(2**31)  # fits 64 bits, but not PostgreSQL's integer


def _addresses_with_ids(app, number: str) -> list[str]:
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments:
            continue
        if any(type(rule._converters[name]).__name__ != "RecordId" for name in rule.arguments):
            continue
        found.append(re.sub(r"<[^>]+>", number, rule.rule))
    return found


@pytest.mark.parametrize("number", [HUGE, PAST_INTEGER])
def test_every_address_with_a_huge_id_is_no_address(app, session, clinic, admin, number):
    addresses = _addresses_with_ids(app, number)
    assert len(addresses) > 50  # the walk's examples among them
    assert f"/admin/rooms/{number}" in addresses and f"/desk/referrals/{number}" in addresses
    front_desk, radiologist = logged_in(app, "frontdesk", "rad1")
    for address in addresses:
        for user in (admin, front_desk, radiologist):
            answer = user.get(address)
            # 405 where a POST-only rule of the same address matched before the number was read (Werkzeug's
            # matcher remembers the method it saw): no address for a GET either way.
            assert answer.status_code in (404, 405), (address, answer.status_code)


@pytest.mark.parametrize("number", [HUGE, PAST_INTEGER])
def test_a_huge_number_in_a_query_is_never_a_server_error(app, session, clinic, admin, number):
    room = clinic.rooms["CT 1"]
    front_desk, radiologist = logged_in(app, "frontdesk", "rad1")
    asked = [
        (admin, f"/admin/audit?page={number}"),
        (admin, f"/admin/audit?patient_id={number}"),
        (admin, f"/admin/outbox?page={number}"),
        (front_desk, f"/desk/?page={number}"),
        (front_desk, f"/patients/?page={number}"),
        (radiologist, f"/radiology/worklist?room_id={number}"),
        (radiologist, f"/radiology/worklist?radiologist_id={number}"),
        (radiologist, f"/radiology/worklist/rows?room_id={number}"),
        (radiologist, f"/radiology/follow-ups?page={number}"),
        (radiologist, f"/radiology/worklist/{room.id}.pdf?room_id={number}"),
    ]
    for user, address in asked:
        answer = user.get(address)
        assert answer.status_code in (200, 400, 422), (address, answer.status_code)
    refused = admin.get(f"/admin/audit?patient_id={number}")
    assert refused.status_code == 400 and "This number is too large." in text(refused)


@pytest.mark.parametrize("number", [HUGE, PAST_INTEGER])
def test_a_huge_number_in_a_form_is_refused_at_its_field(session, clinic, admin, number):
    room = {"name": "CT 3", "modality": "CT", "unit": "Radiology", "location_hint": "", "sort_order": number}
    refused_saving_nothing(session, admin, "/admin/rooms/new", room, "This number is too large.", Room)
    bed = {"label": "Bed 7", "unit": "Observation", "sort_order": number}
    refused_saving_nothing(session, admin, "/admin/beds/new", bed, "This number is too large.", ObservationBed)
    assert session.scalar(select(Room).where(Room.name == "CT 3")) is None


def test_the_finders_radiologist_choice_past_any_id_falls_back_to_any(app, session, clinic):
    from tests.factories import make_ready_referral

    referral = make_ready_referral(session, clinic)
    session.commit()
    (front_desk,) = logged_in(app, "frontdesk")
    answer = front_desk.get(f"/desk/referrals/{referral.id}/book?radiologist_id={HUGE}")
    assert answer.status_code in (200, 400, 422), answer.status_code
