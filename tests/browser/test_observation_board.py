"""Browser: the nurse's observation board (issue 21): the refresh keeps what the nurse is typing, a patient
whose booked bed is still taken gets a card with every control and a free bed, the board shows allergies,
diabetes and the escort's phone."""

from __future__ import annotations

from sqlalchemy import select

from clinic.models import ObservationCheck, ObservationRecord
from tests.browser_fixtures import submit
from tests.radiology.day_helpers import crowded, day_appointment, to_observation


def test_the_refresh_keeps_what_the_nurse_is_typing(app, session, settings, staff, monkeypatch):
    monkeypatch.setitem(app.config, "OBSERVATION_REFRESH_SECONDS", 1)
    clinic, first = day_appointment(session, settings)
    _, second = day_appointment(session, settings, clinic)
    observation_id = to_observation(session, clinic, first).id
    to_observation(session, clinic, second)
    first_id, name = first.id, first.patient.display_name
    session.commit()
    session.close()  # SQLite: a session left open holds the write lock the server needs
    nurse = staff("nurse")
    page = nurse.go("/observation/")
    card = page.locator(f"[data-appointment='{first_id}']")
    card.locator("input[name=systolic]").fill("128")
    card.locator("input[name=note]").fill("a little dizzy")
    card.locator("input[name=stable]").check()
    # Meanwhile a colleague records a check: the refresh shows it without touching the typed form.
    session.add(
        ObservationCheck(observation_id=observation_id, systolic=135, diastolic=85, pulse=70, note="by a colleague")
    )
    session.commit()
    session.close()
    page.wait_for_timeout(2500)  # the board refreshes every second here
    page.evaluate("window.clinicBoard.refresh()")
    card = page.locator(f"[data-appointment='{first_id}']")
    assert "by a colleague" in card.inner_text()
    assert card.locator("input[name=systolic]").input_value() == "128"
    assert card.locator("input[name=note]").input_value() == "a little dizzy"
    assert card.locator("input[name=stable]").is_checked()
    assert f"Check recorded for {name}" in submit(page, card.locator("button:has-text('Save check')"))
    assert nurse.console_errors == []
    session.expire_all()
    record = session.scalar(select(ObservationRecord).where(ObservationRecord.appointment_id == first_id))
    assert [c.note for c in record.checks] == ["by a colleague", "a little dizzy"]


def test_a_patient_whose_bed_is_taken_is_cared_for_and_moved_to_a_free_bed(session, settings, staff):
    clinic, _, waiting, _ = crowded(session, settings)
    waiting_id, name = waiting.id, waiting.patient.display_name
    bed2 = clinic.beds[1].id
    session.commit()
    session.close()
    nurse = staff("nurse")
    page = nurse.go("/observation/")
    card = page.locator(f"[data-board-card='waiting-{waiting_id}']")
    assert "The booked bed is still taken." in card.inner_text()
    card.locator("input[name=systolic]").fill("118")
    card.locator("input[name=pulse]").fill("64")
    assert f"Check recorded for {name}" in submit(page, card.locator("button:has-text('Save check')"))
    nurse.screenshot("07b-observation-waiting-for-a-bed")
    card = page.locator(f"[data-board-card='waiting-{waiting_id}']")
    card.locator("select[name=bed_id]").select_option(str(bed2))
    assert f"{name} moved to Bed 2." in submit(page, card.locator("button:has-text('Move to this bed')"))
    assert page.locator(f"[data-board-card='bed-{bed2}'][data-appointment='{waiting_id}']").count() == 1
    assert nurse.console_errors == []


def test_a_refused_longer_stay_keeps_what_was_typed_through_the_refresh(app, session, settings, staff, monkeypatch):
    """Walk finding: a refused "stay longer" lost the minutes and the reason typed. The board shows them
    again with the error at the field, and the board's refresh leaves that card's forms alone."""
    monkeypatch.setitem(app.config, "OBSERVATION_REFRESH_SECONDS", 1)
    clinic, appointment = day_appointment(session, settings)
    to_observation(session, clinic, appointment)
    appointment_id = appointment.id
    session.commit()
    session.close()
    nurse = staff("nurse")
    page = nurse.go("/observation/")
    card = page.locator(f"[data-appointment='{appointment_id}']")
    card.locator(f"#minutes-{appointment_id}").fill("90")
    submit(page, card.locator("button:has-text('Stay longer')"))
    card = page.locator(f"[data-appointment='{appointment_id}']")
    assert "needs a reason" in card.inner_text()
    page.wait_for_timeout(1500)  # the board refreshes every second here
    page.evaluate("window.clinicBoard.refresh()")
    card = page.locator(f"[data-appointment='{appointment_id}']")
    assert card.locator(f"#minutes-{appointment_id}").input_value() == "90"
    assert "needs a reason" in card.inner_text()
    card.locator(f"#reason-{appointment_id}").fill("Dizzy when standing")
    assert "Observation extended." in submit(page, card.locator("button:has-text('Stay longer')"))
    assert nurse.console_errors == []


def test_the_refresh_leaves_the_cursor_in_the_field_being_typed_in(app, session, settings, staff, monkeypatch):
    """Walk 25: the refresh kept the typed words but took the focus away: the next words went nowhere."""
    monkeypatch.setitem(app.config, "OBSERVATION_REFRESH_SECONDS", 1)
    clinic, appointment = day_appointment(session, settings)
    to_observation(session, clinic, appointment)
    appointment_id = appointment.id
    session.commit()
    session.close()
    nurse = staff("nurse")
    page = nurse.go("/observation/")
    note = page.locator(f"[data-appointment='{appointment_id}'] input[name=note]")
    note.click()
    page.keyboard.type("Anfang")
    page.keyboard.press("ArrowLeft")  # the cursor one letter back: it stays there too
    page.evaluate("window.clinicBoard.refresh()")
    page.wait_for_timeout(2500)  # and the timed refreshes (every second here)
    page.keyboard.type("X")
    assert note.input_value() == "AnfanXg"
    assert nurse.console_errors == []
