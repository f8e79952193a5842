"""Issue 15, finding 4: a referral (the stage in hand) has at most one active appointment, checked by the
service, guarded by a partial unique index, and raced from eight clients at once; API clients that
retry a booking with the same Idempotency-Key get the stored answer, not a second appointment."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clinic.models import Appointment
from clinic.scheduling import booking
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import appointments
from tests.api.conftest import Api
from tests.factories import make_ready_referral
from tests.scheduling.helpers import chain_json, first_candidates


def _slots(session, settings, referral, n: int):
    """``n`` free chains that do not overlap in time (so that only the one-per-referral rule can refuse)."""
    picked = []
    for c in first_candidates(session, settings, referral, limit=400):
        if all(c.obs_end <= p.table_start or p.obs_end <= c.table_start for p in picked):
            picked.append(c)
        if len(picked) == n:
            return picked
    raise AssertionError(f"only {len(picked)} separate chains found")


def _body(referral, c) -> dict:
    return {"referral_id": referral.id, **chain_json(c)}


def _active(session, referral) -> int:
    session.expire_all()
    count = session.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(Appointment.referral_id == referral.id, Appointment.status.in_(("booked", "checked_in")))
    )
    session.commit()
    return count


def _at_once(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait(timeout=30)
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def test_the_service_refuses_a_second_booking_and_a_hold(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    first, second = _slots(session, settings, referral, 2)
    plan = ProcedurePlan.from_referral(referral)
    booked = appointments.book(session, settings, None, referral=referral, plan=plan, candidate=first)
    with pytest.raises(booking.AlreadyBooked) as refused:
        appointments.book(session, settings, None, referral=referral, plan=plan, candidate=second)
    assert booked.reference in refused.value.message and "Reschedule" in refused.value.message
    with pytest.raises(booking.AlreadyBooked):
        appointments.hold(session, settings, None, referral=referral, plan=plan, candidate=second)
    appointments.cancel(session, settings, None, booked, "patient asked")
    again = appointments.book(session, settings, None, referral=referral, plan=plan, candidate=second)
    assert again.status == "booked"


def test_a_hold_made_before_the_booking_cannot_be_confirmed_after_it(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    first, second = _slots(session, settings, referral, 2)
    plan = ProcedurePlan.from_referral(referral)
    held = appointments.hold(session, settings, None, referral=referral, plan=plan, candidate=second)
    appointments.book(session, settings, None, referral=referral, plan=plan, candidate=first)
    with pytest.raises(booking.AlreadyBooked):
        appointments.confirm_hold(session, settings, None, held.token)


def test_the_database_refuses_a_second_active_appointment(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    first = _slots(session, settings, referral, 1)[0]
    plan = ProcedurePlan.from_referral(referral)
    booked = appointments.book(session, settings, None, referral=referral, plan=plan, candidate=first)
    session.commit()
    copy = {
        c.key: getattr(booked, c.key)
        for c in Appointment.__table__.columns
        if c.key not in ("id", "reference", "accession_number")
    }
    session.add(Appointment(**copy, reference="TEST-0001"))
    with pytest.raises(IntegrityError) as error:
        session.flush()
    assert booking.constraint_name(error.value) == booking.ONE_ACTIVE_PER_REFERRAL
    session.rollback()


def test_eight_concurrent_bookings_of_one_referral_make_one_appointment(session, settings, clinic, api_as):
    referral = make_ready_referral(session, clinic)
    chains = _slots(session, settings, referral, 8)
    assert len({(c.room_id, c.table_start) for c in chains}) == 8  # eight different chains
    bodies = [_body(referral, c) for c in chains]  # read here: the threads have no app context
    session.commit()  # and nothing holds a transaction (SQLite's write lock) while they run
    clients = [api_as("frontdesk") for _ in chains]
    answers = _at_once(
        [lambda b=b, api=api: api.post("/appointments", json=b) for b, api in zip(bodies, clients, strict=True)]
    )
    codes = Counter(a.status_code for a in answers)
    assert codes == {201: 1, 409: 7}, codes
    assert {a.get_json()["error"]["code"] for a in answers if a.status_code == 409} == {"already_booked"}
    assert _active(session, referral) == 1
    later = clients[0].post("/appointments", json=_body(referral, chains[-1]))
    assert later.status_code == 409 and later.get_json()["error"]["details"]["reference"]


def test_the_booking_screen_offers_to_move_a_booked_referral(session, settings, clinic, browser):
    referral = make_ready_referral(session, clinic)
    first = _slots(session, settings, referral, 1)[0]
    booked = appointments.book(
        session, settings, None, referral=referral, plan=ProcedurePlan.from_referral(referral), candidate=first
    )
    session.commit()
    browser.login("frontdesk")
    page = browser.get(f"/desk/referrals/{referral.id}/book")
    assert page.status_code == 302
    assert page.headers["Location"].endswith(f"/desk/appointments/{booked.id}/reschedule")
    detail = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "Move the appointment" in detail and "Find a time" not in detail


# --- Idempotency-Key --------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_gets_the_same_answer(session, settings, clinic, api_as):
    referral = make_ready_referral(session, clinic)
    first, second = _slots(session, settings, referral, 2)
    session.commit()
    desk = api_as("frontdesk")
    headers = {"Idempotency-Key": "3f1c0a8e-retry-1"}
    one = desk.post("/appointments", json=_body(referral, first), headers=headers)
    two = desk.post("/appointments", json=_body(referral, first), headers=headers)
    assert one.status_code == two.status_code == 201
    assert one.get_json() == two.get_json() and two.headers["Idempotent-Replayed"] == "true"
    assert _active(session, referral) == 1
    other_body = desk.post("/appointments", json=_body(referral, second), headers=headers)
    assert other_body.status_code == 422
    assert other_body.get_json()["error"]["code"] == "idempotency_key_reused"
    # The key is the token's own: another token's request with the same key runs (and is refused).
    colleague = api_as("frontdesk")
    theirs = colleague.post("/appointments", json=_body(referral, first), headers=headers)
    assert theirs.status_code == 409 and theirs.get_json()["error"]["code"] == "already_booked"


def test_a_refused_request_is_not_stored_under_its_key(session, settings, clinic, api_as):
    referral = make_ready_referral(session, clinic)
    first = _slots(session, settings, referral, 1)[0]
    session.commit()
    desk = api_as("frontdesk")
    headers = {"Idempotency-Key": "k-2"}
    bad = {**_body(referral, first), "room_id": 999999}
    assert desk.post("/appointments", json=bad, headers=headers).status_code in (400, 404, 409, 422)
    assert desk.post("/appointments", json=_body(referral, first), headers=headers).status_code == 201


def test_the_same_key_sent_twice_at_once_books_once(session, settings, clinic, api_as):
    referral = make_ready_referral(session, clinic)
    first = _slots(session, settings, referral, 1)[0]
    body = _body(referral, first)
    session.commit()
    desk = api_as("frontdesk")
    clients = [Api(desk.client.application.test_client(), desk.token) for _ in range(4)]
    headers = {"Idempotency-Key": "k-concurrent"}
    answers = _at_once([lambda api=api: api.post("/appointments", json=body, headers=headers) for api in clients])
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert _active(session, referral) == 1


def test_a_bad_key_is_refused(session, settings, clinic, api_as):
    referral = make_ready_referral(session, clinic)
    first = _slots(session, settings, referral, 1)[0]
    session.commit()
    refused = api_as("frontdesk").post(
        "/appointments", json=_body(referral, first), headers={"Idempotency-Key": "x" * 300}
    )
    assert refused.status_code == 400
    assert _active(session, referral) == 0


def test_the_openapi_document_names_the_header(api):
    document = api.client.get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/appointments"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)
