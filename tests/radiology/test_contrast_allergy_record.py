"""Safety walk: contrast medium was recorded for a patient with a recorded contrast allergy without a word.
The record form warns at the drugs when the allergy is recorded, and a record with contrast for such a
patient is saved only with the radiologist's confirmation that the allergy was taken into account."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from clinic.core import clock
from clinic.core.errors import InvalidInput
from clinic.models import AuditEvent, DrugOption, ProcedureRecord
from clinic.services import procedure_records
from tests.conftest import NOW, ZONE
from tests.factories import record_details
from tests.radiology.day_helpers import day_appointment, record_form, to_procedure


def _drug(session, name: str) -> DrugOption:
    return session.scalar(select(DrugOption).where(DrugOption.name == name))


def _record(session, settings, allergies=("contrast",)) -> ProcedureRecord:
    _clinic, appointment = day_appointment(session, settings, to=to_procedure, allergies=set(allergies))
    clock.pin(NOW + dt.timedelta(minutes=30))
    return session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))


def test_contrast_for_a_contrast_allergy_is_refused_without_confirmation_and_nothing_saved(session, settings):
    record = _record(session, settings)
    contrast = _drug(session, "Contrast")
    given = record_details(record, drugs=[(contrast.id, Decimal(3))])
    with pytest.raises(InvalidInput) as refused:
        procedure_records.update(session, None, record, given, zone=ZONE)
    assert list(refused.value.fields) == ["contrast_allergy_confirmed"]
    assert "contrast allergy" in str(refused.value) and "premedication" in str(refused.value)
    assert record.drugs == [] and record.approach is None and record.contrast_allergy_confirmed_at is None


def test_the_confirmation_is_kept_with_the_record_and_audited(session, settings):
    record = _record(session, settings)
    contrast = _drug(session, "Contrast")
    confirmed = record_details(record, drugs=[(contrast.id, Decimal(3))], contrast_allergy_confirmed=True)
    procedure_records.update(session, None, record, confirmed, zone=ZONE)
    assert [d.dose for d in record.drugs] == [Decimal(3)]
    assert record.contrast_allergy_confirmed_at is not None
    session.flush()
    assert session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "procedure_record.contrast_allergy_confirmed", AuditEvent.object_id == str(record.id)
        )
    )
    # Without contrast the confirmation has nothing to stand for.
    procedure_records.update(session, None, record, record_details(record), zone=ZONE)
    assert record.contrast_allergy_confirmed_at is None


@pytest.mark.parametrize("allergies", [(), ("latex",)])
def test_contrast_without_a_contrast_allergy_needs_no_confirmation(session, settings, allergies):
    record = _record(session, settings, allergies)
    contrast = _drug(session, "Contrast")
    procedure_records.update(
        session, None, record, record_details(record, drugs=[(contrast.id, Decimal(3))]), zone=ZONE
    )
    assert [d.dose for d in record.drugs] == [Decimal(3)] and record.contrast_allergy_confirmed_at is None


def test_other_drugs_for_a_contrast_allergy_need_no_confirmation(session, settings):
    record = _record(session, settings)
    bupivacaine = _drug(session, "Bupivacaine")
    details = record_details(record, drugs=[(bupivacaine.id, Decimal("0.5"))])
    procedure_records.update(session, None, record, details, zone=ZONE)
    assert [d.dose for d in record.drugs] == [Decimal("0.5")]


def _page(session, settings, browser, allergies=("contrast",)):
    _clinic, appointment = day_appointment(session, settings, to=to_procedure, allergies=set(allergies))
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    browser.login("rad1")
    return appointment, f"/radiology/appointments/{appointment.id}"


def _with_contrast(session, **fields) -> dict:
    contrast = _drug(session, "Contrast")
    data = record_form(session, **{"drugs-1-drug_option_id": str(contrast.id), "drugs-1-dose": "4", **fields})
    return data


def test_the_record_form_warns_at_the_drugs_for_a_contrast_allergy(session, settings, browser):
    _appointment, path = _page(session, settings, browser)
    html = browser.get(path).get_data(as_text=True)
    drugs = html.split("Drugs and doses", 1)[1].split("</fieldset>", 1)[0]
    assert 'id="contrast-allergy-warning"' in drugs and "Contrast allergy recorded" in drugs
    assert 'id="record-contrast_allergy_confirmed"' in drugs


def test_the_record_form_has_no_warning_without_the_allergy(session, settings, browser):
    _appointment, path = _page(session, settings, browser, allergies=())
    html = browser.get(path).get_data(as_text=True)
    assert "contrast-allergy-warning" not in html and "record-contrast_allergy_confirmed" not in html


@pytest.mark.parametrize("action", ["record", "sign"])
def test_the_screen_refuses_contrast_without_confirmation_keeping_what_was_typed(session, settings, browser, action):
    appointment, path = _page(session, settings, browser)
    response = browser.post(f"{path}/{action}", _with_contrast(session), form_page=path)
    assert response.status_code in (400, 422)  # refused, as a too large dose is
    html = response.get_data(as_text=True)
    box = html.split('id="record-contrast_allergy_confirmed"', 1)[1][:900]
    assert "is recorded only once you confirm that the allergy was taken into account" in box
    assert re.search(r'id="record-drugs-1-dose"[^>]*value="4"', html)
    assert re.search(r'id="record-approach"[^>]*value="transforaminal"', html)
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    session.refresh(record)
    assert record.drugs == [] and record.approach is None and not record.is_signed


def test_the_screen_saves_contrast_with_the_confirmation_and_shows_it_ticked(session, settings, browser):
    appointment, path = _page(session, settings, browser)
    data = _with_contrast(session, contrast_allergy_confirmed="y")
    response = browser.post(f"{path}/record", data, form_page=path)
    assert response.status_code == 302
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    session.refresh(record)
    assert sorted(d.dose for d in record.drugs) == [Decimal("0.5"), Decimal(4)]
    assert record.contrast_allergy_confirmed_at is not None
    html = browser.get(path).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*id="record-contrast_allergy_confirmed"', html) or re.search(
        r'id="record-contrast_allergy_confirmed"[^>]*checked', html
    )


@pytest.mark.parametrize("other", [None, "Röntgenkontrastmittel (Urtikaria 2019)", "Jodhaltige Mittel"])
def test_an_iodine_allergy_or_contrast_named_in_the_free_text_counts_as_a_contrast_allergy(session, settings, other):
    """Walk 22: "Jod" ticked alone, or "Röntgenkontrastmittel" written under other allergies, let contrast be
    recorded without a word."""
    allergies = ("iodine",) if other is None else ()
    _clinic, appointment = day_appointment(
        session, settings, to=to_procedure, allergies=set(allergies), allergy_other=other
    )
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    assert procedure_records.contrast_allergy(appointment)
    given = record_details(record, drugs=[(_drug(session, "Contrast").id, Decimal(3))])
    with pytest.raises(InvalidInput):
        procedure_records.update(session, None, record, given, zone=ZONE)
    assert record.drugs == []


def test_words_that_only_look_alike_are_no_contrast_allergy(session, settings):
    _clinic, appointment = day_appointment(session, settings, allergy_other="Pflaster (Periode der Kindheit)")
    assert not procedure_records.contrast_allergy(appointment)
