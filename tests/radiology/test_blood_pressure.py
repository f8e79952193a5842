"""Walk finding: a blood pressure entered the wrong way round (80/120, the systolic lower than the diastolic)
was recorded in the observation check. It is refused at the systolic field, what was typed kept, nothing
recorded."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from clinic.core.errors import InvalidInput
from clinic.models import ObservationCheck
from clinic.services import procedure_day
from tests.factories import make_user
from tests.radiology.day_helpers import day_appointment, to_observation

SWAPPED = "The systolic pressure (80) must be higher than the diastolic (120): check whether the two were swapped."


def test_a_swapped_blood_pressure_is_refused_by_the_service(session, settings):
    clinic, appointment = day_appointment(session, settings, to=to_observation)
    nurse = clinic.staff["nurse"]
    with pytest.raises(InvalidInput) as refused:
        procedure_day.record_check(session, nurse, appointment, procedure_day.CheckValues(systolic=80, diastolic=120))
    assert str(refused.value) == SWAPPED and refused.value.fields == ("systolic",)
    with pytest.raises(InvalidInput):
        procedure_day.record_check(session, nurse, appointment, procedure_day.CheckValues(systolic=90, diastolic=90))
    assert session.scalar(select(ObservationCheck.id)) is None
    check = procedure_day.record_check(
        session, nurse, appointment, procedure_day.CheckValues(systolic=120, diastolic=80)
    )
    assert (check.systolic, check.diastolic) == (120, 80)


def test_the_board_refuses_a_swapped_blood_pressure_at_the_field_keeping_what_was_typed(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    session.commit()
    browser.login("nurse")
    path = f"/observation/appointments/{appointment.id}/check"
    data = {"systolic": "80", "diastolic": "120", "pulse": "72", "motor": "", "sensory": ""}
    response = browser.post(path, data, form_page="/observation/")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    field = re.search(rf'<input[^>]*id="systolic-{appointment.id}"[^>]*>\s*<div class="invalid-feedback">([^<]*)', html)
    assert field and "is-invalid" in field.group(0) and SWAPPED in field.group(1)
    assert re.search(rf'id="diastolic-{appointment.id}"[^>]*value="120"', html)
    assert re.search(rf'id="pulse-{appointment.id}"[^>]*value="72"', html)
    assert session.scalar(select(ObservationCheck.id)) is None


def test_a_swapped_blood_pressure_is_said_once_at_the_field_under_a_short_banner_in_german(session, settings, browser):
    """Walk finding: the banner ended "…: Vertauscht?." and said the refusal the field says too. Now the
    sentence ends with a full stop, stands once (at the field), and the banner names the field and asks to
    correct it."""
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    make_user(session, "nurse_de", {"nurse"}, "Nora Pflege", language="de")
    session.commit()
    browser.login("nurse_de")
    path = f"/observation/appointments/{appointment.id}/check"
    data = {"systolic": "80", "diastolic": "120", "motor": "", "sensory": ""}
    html = browser.post(path, data, form_page="/observation/").get_data(as_text=True)
    said = (
        "Der systolische Druck (80) muss höher sein als der diastolische (120): "
        "Prüfen Sie, ob die Werte vertauscht sind."
    )
    assert html.count(said) == 1
    field = re.search(rf'<input[^>]*id="systolic-{appointment.id}"[^>]*>\s*<div class="invalid-feedback">([^<]*)', html)
    assert field and field.group(1) == said
    name = appointment.patient.display_name
    assert f"Kontrolle für {name} nicht gespeichert (RR systolisch). Bitte korrigieren Sie das markierte Feld." in html
    assert "?." not in html


def test_two_marked_fields_get_the_plural_banner(session, settings, browser):
    """Walk finding: "Bitte korrigieren Sie das markierte Feld." stood above two marked fields."""
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    session.commit()
    browser.login("nurse")
    path = f"/observation/appointments/{appointment.id}/check"
    html = browser.post(path, {"systolic": "900", "pulse": "5"}, form_page="/observation/").get_data(as_text=True)
    assert "Please correct the marked fields." in html and "Please correct the marked field." not in html
    path = f"/observation/appointments/{appointment.id}/extend"
    html = browser.post(path, {"minutes": "500", "reason": ""}, form_page="/observation/").get_data(as_text=True)
    assert "Please correct the marked fields." in html and "Please correct the marked field." not in html
    html = browser.post(path, {"minutes": "500", "reason": "Leg still numb"}, form_page="/observation/").get_data(
        as_text=True
    )
    assert "Please correct the marked field." in html and "Please correct the marked fields." not in html
