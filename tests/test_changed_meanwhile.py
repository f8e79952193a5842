"""Another request changes an appointment between this request's reading and its writing (a form sent
twice, two desks at once): the answer is a conflict that says so, never a server error, and nothing of
this request is saved. Only PostgreSQL lets two transactions interleave like this; on SQLite the
write lock taken at the start of each transaction serialises them."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from clinic.extensions import db
from clinic.models import Appointment, AuditEvent, User
from clinic.models.vocab import AppointmentStatus
from clinic.services import accounts
from tests.factories import book, build_clinic, make_ready_referral


@contextmanager
def changed_by_another_request(appointment_id: int):
    """Just before the request's first flush that touches the appointment, another connection changes
    it and commits, as a second request would."""
    done: list[bool] = []

    def before_flush(session, _context, _instances):
        if done or not any(isinstance(o, Appointment) and o.id == appointment_id for o in session.dirty):
            return
        done.append(True)
        with db.engine.connect() as other:
            other.execute(
                update(Appointment.__table__)
                .where(Appointment.__table__.c.id == appointment_id)
                .values(version=Appointment.__table__.c.version + 1, note="changed meanwhile")
            )
            other.commit()

    event.listen(Session, "before_flush", before_flush)
    try:
        yield done
    finally:
        event.remove(Session, "before_flush", before_flush)


@pytest.fixture
def appointment(session, settings):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    booked = book(session, settings, referral)
    session.commit()
    return booked


def _unchanged_but_for_the_other_request(session, appointment_id: int) -> None:
    session.expire_all()
    appointment = session.get(Appointment, appointment_id)
    assert appointment.status == AppointmentStatus.BOOKED and appointment.note == "changed meanwhile"
    assert len([b for b in appointment.bookings if b.active]) == 4
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "appointments")))
    assert "appointments.update" not in actions


@pytest.mark.postgres_only
def test_a_screen_answers_a_conflict(session, browser, appointment, backend):
    if backend != "postgresql":
        pytest.skip("on SQLite the write lock serialises the two requests; they cannot interleave")
    browser.login("frontdesk")
    token = browser.token(f"/desk/appointments/{appointment.id}")
    with changed_by_another_request(appointment.id) as done:
        response = browser.client.post(
            f"/desk/appointments/{appointment.id}/cancel", data={"reason": "Patient is ill", "csrf_token": token}
        )
    assert done, "the other request did not run"
    assert response.status_code == 409
    assert "Someone else changed this record a moment ago" in response.get_data(as_text=True)
    _unchanged_but_for_the_other_request(session, appointment.id)


@pytest.mark.postgres_only
def test_the_api_answers_a_conflict(app, session, appointment, backend):
    if backend != "postgresql":
        pytest.skip("on SQLite the write lock serialises the two requests; they cannot interleave")
    desk = session.scalar(select(User).where(User.username == "frontdesk"))
    token = accounts.issue_token(session, desk, "tests")
    session.commit()
    client = app.test_client()
    with changed_by_another_request(appointment.id) as done:
        response = client.post(
            f"/api/v1/appointments/{appointment.id}/cancel",
            json={"reason": "Patient is ill"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert done, "the other request did not run"
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "changed_meanwhile"
    _unchanged_but_for_the_other_request(session, appointment.id)
