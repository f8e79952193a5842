"""Issue 16 item 3: a refusal rolls back what the request wrote before it, whatever the view answers.

A view that catches a DomainError answers with a redirect (status < 400) as often as with a page; the
boundary commits a redirect. ``clinic.web.refused`` rolls the session back where the view catches the
refusal, so a refused request leaves nothing written. Both tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.core import clock
from clinic.core.errors import DomainError
from clinic.models import Booking, BookingHold, ObservationRecord, Referral
from clinic.services import procedure_day
from tests.conftest import NOW
from tests.factories import build_clinic, make_ready_referral, make_user
from tests.frontdesk.helpers import hold_on_the_booking_page
from tests.radiology.day_helpers import day_appointment, to_observation


def _a_lapsed_hold(session, settings, browser, username: str) -> tuple[str, str]:
    """A hold made on the booking screen whose few minutes are over: its page and the form's token."""
    referral = session.scalar(select(Referral))
    browser.login(username)
    hold_page = hold_on_the_booking_page(session, settings, browser, referral)
    token = browser.token(hold_page)
    clock.pin(NOW + dt.timedelta(minutes=30))  # the hold's few minutes are over
    return hold_page, token


def test_a_lapsed_hold_refused_at_confirmation_leaves_the_hold_as_it_was(session, settings, browser):
    """confirm_hold releases the holds that lapsed, then refuses: the refusal keeps none of it (the
    scheduler's release job frees them; a lapsed hold holds nothing for the finder anyway)."""
    clinic = build_clinic(session)
    make_ready_referral(session, clinic)
    session.commit()
    hold_page, token = _a_lapsed_hold(session, settings, browser, "frontdesk")

    refused = browser.post(hold_page, {"action": "confirm", "csrf_token": token})

    assert refused.status_code == 302
    assert "The hold has lapsed" in browser.get(refused.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    hold = session.scalar(select(BookingHold))
    assert hold.released_at is None and hold.confirmed_appointment_id is None
    assert all(row.active for row in session.scalars(select(Booking).where(Booking.hold_id == hold.id)))


def test_the_refusal_is_said_in_the_users_language(session, settings, browser):
    clinic = build_clinic(session)
    make_ready_referral(session, clinic)
    make_user(session, "desk_de", {"front_desk"}, "Dora Empfang", language="de")
    session.commit()
    hold_page, token = _a_lapsed_hold(session, settings, browser, "desk_de")
    refused = browser.post(hold_page, {"action": "confirm", "csrf_token": token})
    page = browser.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Die Vormerkung ist abgelaufen; suchen Sie erneut eine Zeit." in page


def test_an_observation_change_refused_after_it_wrote_keeps_nothing(session, settings, browser, monkeypatch):
    """An observation route answers a refusal with the board again (422, what was typed kept): what the
    service wrote before it refused (here: the stay extended, then a refusal) is not committed."""
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    session.commit()
    record = session.scalar(select(ObservationRecord).where(ObservationRecord.appointment_id == appointment.id))
    planned_end, extension = record.planned_end, record.extension_minutes
    extend = procedure_day.extend_observation

    def extend_then_refuse(session, actor, appointment, minutes, reason):
        extend(session, actor, appointment, minutes, reason)  # writes and flushes
        raise DomainError("Refused after writing.")

    monkeypatch.setattr(procedure_day, "extend_observation", extend_then_refuse)
    browser.login("nurse")
    response = browser.post(
        f"/observation/appointments/{appointment.id}/extend",
        {"minutes": "30", "reason": "Dizzy when standing"},
        form_page="/observation/",
    )

    assert response.status_code == 422
    assert "Refused after writing." in response.get_data(as_text=True)
    session.expire_all()
    record = session.get(ObservationRecord, record.id)
    assert (record.planned_end, record.extension_minutes) == (planned_end, extension)


def test_a_nurse_reads_the_day_books_refusal_in_german(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    make_user(session, "nurse_de", {"nurse"}, "Nora Pflege", language="de")
    session.commit()
    browser.login("nurse_de")
    response = browser.post(
        f"/observation/appointments/{appointment.id}/extend", {"minutes": "90", "reason": ""}, form_page="/observation/"
    )
    assert response.status_code == 422
    board = response.get_data(as_text=True)
    assert "Eine längere Überwachung braucht einen Grund, in Worten (z. B. „Bein noch taub“)." in board
