"""Browser, staff walk: a destructive action's "are you sure?" comes only when its form is complete. It
asked first and then the page said the reason was missing: the user had confirmed for nothing. Now an
empty required reason gets the browser's message and no question; a complete form asks once."""

from __future__ import annotations

import re

from sqlalchemy import select

from clinic.models import Appointment, ObservationRecord
from tests.browser_fixtures import hand_over, submit
from tests.factories import book, build_clinic, make_ready_referral
from tests.radiology.day_helpers import day_appointment, to_observation


def _count_dialogs(page) -> list[str]:
    asked: list[str] = []
    page.on("dialog", lambda dialog: asked.append(dialog.message))
    return asked


def _is_refused_by_the_browser(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "el => !el.validity.valid && el.validationMessage !== ''")


def test_cancelling_asks_only_once_the_reason_is_given(session, settings, staff):
    clinic = build_clinic(session)
    appointment = book(session, settings, make_ready_referral(session, clinic))
    [appointment_id] = hand_over(session, appointment)
    page = staff("frontdesk").go(f"/desk/appointments/{appointment_id}")
    asked = _count_dialogs(page)
    page.click("button:has-text('Cancel appointment')")
    page.wait_for_timeout(300)
    assert asked == []
    assert page.url.endswith(f"/desk/appointments/{appointment_id}")
    assert _is_refused_by_the_browser(page, "#reason")
    assert session.get(Appointment, appointment_id).status == "booked"
    session.close()

    page.fill("#reason", "Patient is ill")
    page.click("button:has-text('Cancel appointment')")
    page.wait_for_url(re.compile(r"/offers$"))
    assert asked == ["Cancel this appointment? The time is freed for others."]
    assert session.get(Appointment, appointment_id).status == "cancelled"


def test_an_early_discharge_asks_only_once_its_reason_is_given(session, settings, staff):
    clinic, appointment = day_appointment(session, settings)
    record = to_observation(session, clinic, appointment)
    record.stable = record.can_walk = record.escort_present = record.instructions_given = True
    appointment_id, name = appointment.id, appointment.patient.display_name
    hand_over(session, record)
    nurse = staff("nurse")
    page = nurse.go("/observation/")
    asked = _count_dialogs(page)
    card = page.locator(f"[data-appointment='{appointment_id}']")
    reason = f"#discharge-reason-{appointment_id}"
    card.locator("button:text-is('Discharge')").click()
    page.wait_for_timeout(300)
    assert asked == []
    assert _is_refused_by_the_browser(page, reason)
    assert (
        session.scalar(
            select(ObservationRecord.discharged_at).where(ObservationRecord.appointment_id == appointment_id)
        )
        is None
    )
    session.close()

    page.fill(reason, "Transferred to the ward")
    assert f"{name} discharged" in submit(page, card.locator("button:text-is('Discharge')"))
    assert asked == [f"Discharge {name}?"]
    assert nurse.console_errors == []
