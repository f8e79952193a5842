"""Walk findings on the procedure record's values: a dose has a largest value per drug (Triamcinolon 4000 mg
was saved), and a dose is read with a decimal comma or point whatever the browser's language ("1,5"
became 15 in a number input of an English-UI browser)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from clinic.core import clock
from clinic.core.errors import InvalidInput
from clinic.core.numbers import decimal
from clinic.models import DrugOption, ProcedureDrug, ProcedureRecord
from clinic.models.vocab import Role
from clinic.services import procedure_records
from tests.conftest import NOW, ZONE
from tests.factories import make_user, record_details
from tests.radiology.day_helpers import day_appointment, to_observation, to_procedure


def _drug(session, name: str) -> DrugOption:
    return session.scalar(select(DrugOption).where(DrugOption.name == name))


def _record_in_progress(session, settings) -> ProcedureRecord:
    """The record of a procedure started at 07:00, written at 07:30."""
    clinic, appointment = day_appointment(session, settings)
    record = to_procedure(session, clinic, appointment)
    clock.pin(NOW + dt.timedelta(minutes=30))
    return record


def _stored_record(session, appointment) -> ProcedureRecord:
    """The appointment's record as the database has it now."""
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    session.refresh(record)
    return record


@pytest.mark.parametrize(("typed", "read"), [("1,5", "1.5"), ("1.5", "1.5"), (" 40 ", "40"), (",5", "0.5")])
def test_a_dose_is_read_with_a_comma_or_a_point(typed, read):
    assert decimal(typed) == Decimal(read)


@pytest.mark.parametrize("typed", ["zwölf", "5 mg", "1.000,5", "1,2,3", "", "1e3", "NaN"])
def test_a_dose_that_is_no_number_is_refused(typed):
    with pytest.raises(ValueError):
        decimal(typed)


def test_a_dose_above_the_drugs_largest_is_refused_and_nothing_saved(session, settings):
    record = _record_in_progress(session, settings)
    triamcinolone = _drug(session, "Triamcinolone")
    too_much = record_details(record, drugs=[(triamcinolone.id, Decimal(4000))])
    with pytest.raises(InvalidInput) as refused:
        procedure_records.update(session, None, record, too_much, zone=ZONE)
    assert str(refused.value) == "Triamcinolone: at most 80 mg in one procedure; check the dose."
    assert refused.value.details["drug_option_id"] == triamcinolone.id
    assert record.drugs == [] and record.approach is None
    procedure_records.update(
        session, None, record, record_details(record, drugs=[(triamcinolone.id, Decimal(40))]), zone=ZONE
    )
    assert [d.dose for d in record.drugs] == [Decimal(40)]


def _record_page(session, settings, browser, username="rad1", **plan):
    """The record page of a procedure started at 07:00 (``plan`` as for make_ready_referral), at 07:30."""
    _clinic, appointment = day_appointment(session, settings, to=to_procedure, **plan)
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    browser.login(username)
    return appointment, f"/radiology/appointments/{appointment.id}"


def _data(drug: DrugOption, dose: str) -> dict:
    return {
        "record-started_at": "2026-11-23T07:00",
        "record-approach": "transforaminal",
        "record-side": "left",
        "record-guidance": "CT",
        "record-drugs-0-drug_option_id": str(drug.id),
        "record-drugs-0-dose": dose,
    }


def _dose_field(html: str) -> str:
    start = html.index('id="record-drugs-0-dose"')
    return html[html.rindex("<input", 0, start) : html.index("</div>", start)]


@pytest.mark.parametrize("action", ["record", "sign"])
def test_the_screen_refuses_too_large_a_dose_at_its_field_keeping_what_was_typed(session, settings, browser, action):
    appointment, path = _record_page(session, settings, browser)
    triamcinolone = _drug(session, "Triamcinolone")
    response = browser.post(f"{path}/{action}", _data(triamcinolone, "4000"), form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 422)
    shown = _dose_field(html)
    assert "is-invalid" in shown and 'value="4000"' in shown, shown
    assert "Triamcinolone: at most 80 mg in one procedure; check the dose." in shown
    assert re.search(r'id="record-approach"[^>]*value="transforaminal"', html)
    record = _stored_record(session, appointment)
    assert record.drugs == [] and record.approach is None and not record.is_signed


@pytest.mark.parametrize("typed", ["1,5", "1.5"])
def test_the_screen_reads_a_dose_with_a_comma_or_a_point(session, settings, browser, typed):
    appointment, path = _record_page(session, settings, browser)
    bupivacaine = _drug(session, "Bupivacaine")
    html = browser.get(path).get_data(as_text=True)
    field = re.search(r'<input[^>]*id="record-drugs-0-dose"[^>]*>', html).group(0)
    assert 'type="text"' in field and 'inputmode="decimal"' in field  # no number input: no browser locale
    response = browser.post(f"{path}/record", _data(bupivacaine, typed), form_page=path)
    assert response.status_code == 302
    record = _stored_record(session, appointment)
    assert [d.dose for d in record.drugs] == [Decimal("1.5")]


def test_an_unreadable_dose_is_said_once_at_its_field(session, settings, browser):
    appointment, path = _record_page(session, settings, browser)
    response = browser.post(f"{path}/record", _data(_drug(session, "Bupivacaine"), "1,5 ml"), form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = _dose_field(html)
    assert shown.count("Not a number: write it like 1,5 or 1.5.") == 1 and 'value="1,5 ml"' in shown
    record = _stored_record(session, appointment)
    assert record.drugs == []


def test_the_record_screen_refuses_a_level_that_is_no_level_at_its_field(session, settings, browser):
    """Walk finding: "blah" and "xyz" were saved as levels in the record, "l4/5, L4/5" kept as typed."""
    appointment, path = _record_page(session, settings, browser)
    data = {**_data(_drug(session, "Bupivacaine"), "1,5"), "record-levels": "xyz"}
    response = browser.post(f"{path}/record", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 422)
    start = html.index('id="record-levels"')
    shown = html[html.rindex("<input", 0, start) : html.index("</div>", start)]
    assert "is-invalid" in shown and 'value="xyz"' in shown
    assert "xyz: not a spinal level; write it like L4/5, L5/S1 or Th12/L1." in shown
    record = _stored_record(session, appointment)
    assert record.drugs == [] and record.approach is None
    response = browser.post(f"{path}/record", {**data, "record-levels": "l4/5, L4/5"}, form_page=path)
    assert response.status_code == 302
    session.refresh(record)
    assert record.levels == "L4/5"


@pytest.mark.parametrize("action", ["record", "sign"])
def test_ethanol_in_a_diagnostic_stage_is_refused_at_its_drug_row(session, settings, browser, action):
    """Walk finding (patient safety): Ethanol, the neurolytic agent, was recorded and signed in the record of a
    diagnostic sympathicolysis, around the rule that neurolysis needs a documented positive diagnostic stage."""
    appointment, path = _record_page(
        session, settings, browser, code="SYMP", stage="diagnostic", side="right", levels=None
    )
    ethanol = _drug(session, "Ethanol")
    data = {
        **_data(ethanol, "3"),
        "record-ended_at": "2026-11-23T07:20",
        "record-side": "right",
        "record-approach": "anterolateral",
        "record-complications": "keine",
        "record-pain_before": "7",
        "record-pain_after": "2",
    }
    response = browser.post(f"{path}/{action}", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    start = html.index('id="record-drugs-0-drug_option_id"')
    shown = html[html.rindex("<select", 0, start) : html.index("</div>", start)]
    assert "is-invalid" in shown and f'<option selected value="{ethanol.id}">' in shown, shown
    assert (
        "Ethanol is a neurolytic agent, given only in a neurolytic stage; the stage of this appointment is "
        "“Diagnostic”. Record a neurolytic stage as its own appointment."
    ) in shown
    assert re.search(r'id="record-approach"[^>]*value="anterolateral"', html)
    record = _stored_record(session, appointment)
    assert record.drugs == [] and record.approach is None and not record.is_signed
    response = browser.post(f"{path}/record", _data(_drug(session, "Bupivacaine"), "5"), form_page=path)
    assert response.status_code == 302


def test_a_stored_ethanol_row_of_a_diagnostic_stage_is_not_signed(session, settings):
    clinic, appointment = day_appointment(
        session, settings, code="SYMP", stage="diagnostic", side="right", levels=None, to=to_procedure
    )
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    clock.pin(NOW + dt.timedelta(minutes=30))
    ethanol = _drug(session, "Ethanol")
    details = record_details(
        record, drugs=[(ethanol.id, Decimal(3))], levels=None, side="right", ended_at=NOW + dt.timedelta(minutes=20)
    )
    with pytest.raises(InvalidInput) as refused:
        procedure_records.update(session, None, record, details, zone=ZONE)
    assert refused.value.details == {"field": "drug_option_id", "drug_option_id": ethanol.id}
    assert record.drugs == []
    record.drugs.append(ProcedureDrug(drug_option_id=ethanol.id, dose=Decimal(3), unit="ml"))
    record.ended_at, record.pain_before, record.pain_after = NOW + dt.timedelta(minutes=20), 7, 2
    record.complications = "keine"
    session.flush()
    with pytest.raises(InvalidInput):
        procedure_records.sign(session, clinic.radiologists[0], record, zone=ZONE)
    assert not record.is_signed


@pytest.mark.parametrize(
    ("typed", "message"), [("0.001", "At most two decimals (e.g. 0.25)."), ("0", "Enter an amount above zero.")]
)
def test_a_dose_below_the_records_step_says_why_at_its_field(session, settings, browser, typed, message):
    """Walk finding: 0.001 was refused with "Above zero." (it is above zero; the record keeps two decimals)."""
    appointment, path = _record_page(session, settings, browser)
    response = browser.post(f"{path}/record", _data(_drug(session, "Bupivacaine"), typed), form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = _dose_field(html)
    assert "is-invalid" in shown and f'value="{typed}"' in shown and message in shown, shown
    assert html.count(message) == 1
    record = _stored_record(session, appointment)
    assert record.drugs == []


def test_the_service_refuses_a_dose_with_more_than_two_decimals(session, settings):
    record = _record_in_progress(session, settings)
    details = record_details(record, drugs=[(_drug(session, "Bupivacaine").id, Decimal("0.001"))])
    with pytest.raises(InvalidInput, match="give the dose of Bupivacaine with at most two decimals"):
        procedure_records.update(session, None, record, details, zone=ZONE)
    assert record.drugs == []


@pytest.mark.parametrize(
    ("change", "name", "message"),
    [
        (
            {"ended_at": NOW + dt.timedelta(minutes=31)},
            "ended_at",
            "The end cannot lie in the future (it is 07:30 now)",
        ),
        (
            {"started_at": NOW + dt.timedelta(minutes=31), "ended_at": NOW + dt.timedelta(minutes=31)},
            "started_at",
            "The start cannot lie in",
        ),
    ],
)
def test_a_record_time_a_minute_ahead_is_refused_when_saved_and_signed(session, settings, change, name, message):
    """Walk finding: at 10:37 an end of 10:39 was signed (the five minutes a consent's signature may be ahead
    let it through); the board showed the patient in observation before the procedure's end. A time after
    the current minute is refused at its field, when saved and when signed."""
    clinic, appointment = day_appointment(session, settings)
    record = to_procedure(session, clinic, appointment)
    clock.pin(NOW + dt.timedelta(minutes=30, seconds=40))
    with pytest.raises(InvalidInput, match=re.escape(message)) as refused:
        procedure_records.update(session, None, record, record_details(record, **change), zone=ZONE)
    assert refused.value.details == {"field": name}
    assert record.ended_at is None and record.approach is None
    procedure_records.update(session, None, record, record_details(record), zone=ZONE)
    for attribute, value in change.items():
        setattr(record, attribute, value)  # stored around the rule
    with pytest.raises(InvalidInput, match=re.escape(message)):
        procedure_records.sign(session, clinic.radiologists[0], record, zone=ZONE)
    assert not record.is_signed


def test_a_record_time_in_the_current_minute_is_saved(session, settings):
    """The form types minutes: at 07:30:40, an end of 07:30 is not in the future."""
    record = _record_in_progress(session, settings)
    clock.pin(NOW + dt.timedelta(minutes=30, seconds=40))
    procedure_records.update(
        session, None, record, record_details(record, ended_at=NOW + dt.timedelta(minutes=30)), zone=ZONE
    )
    assert record.ended_at == NOW + dt.timedelta(minutes=30)


def test_the_end_cannot_come_after_the_patient_went_to_observation(session, settings):
    """The procedure ended at 07:20 (the patient in observation since then): an end of 07:25 typed at 07:30
    would put the observation before the procedure's end; refused at the end field. 07:20 itself is saved."""
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    record = _stored_record(session, appointment)
    assert record.ended_at == NOW + dt.timedelta(minutes=20)
    clock.pin(NOW + dt.timedelta(minutes=30))
    late = record_details(record, ended_at=NOW + dt.timedelta(minutes=25))
    with pytest.raises(InvalidInput, match=re.escape("after the patient went to observation (07:20)")) as refused:
        procedure_records.update(session, None, record, late, zone=ZONE)
    assert refused.value.details == {"field": "ended_at"}
    procedure_records.update(
        session, None, record, record_details(record, ended_at=NOW + dt.timedelta(minutes=20)), zone=ZONE
    )
    assert record.ended_at == NOW + dt.timedelta(minutes=20)


CERVICAL_PRT = {"code": "PRT", "region": "cervical", "levels": "C6/7", "side": "left"}


@pytest.mark.parametrize("action", ["record", "sign"])
def test_triamcinolone_in_a_cervical_prt_is_refused_at_its_drug_row(session, settings, browser, action):
    """Walk 27 (patient safety): Triamcinolone, a particulate steroid, was recorded for a PRT at C6/7.
    procedures.md §1.4, §2.1: a non-particulate steroid (dexamethasone) for all cervical transforaminal
    injections (spinal cord or brain infarction from intra-arterial particulate steroid). Fails on the old
    code: saved and signed."""
    appointment, path = _record_page(session, settings, browser, **CERVICAL_PRT)
    page = browser.get(path).get_data(as_text=True)
    assert 'id="non-particulate-steroid"' in page and "steroid only non-particulate (Dexamethasone)" in page
    triamcinolone = _drug(session, "Triamcinolone")
    data = {
        **_data(triamcinolone, "40"),
        "record-ended_at": "2026-11-23T07:20",
        "record-levels": "C6/7",
        "record-complications": "keine",
    }
    response = browser.post(f"{path}/{action}", data, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    start = html.index('id="record-drugs-0-drug_option_id"')
    shown = html[html.rindex("<select", 0, start) : html.index("</div>", start)]
    assert "is-invalid" in shown and f'<option selected value="{triamcinolone.id}">' in shown, shown
    assert (
        "Triamcinolone is a particulate steroid: not given in a cervical periradicular (transforaminal) injection, "
        "for the risk of spinal cord or brain infarction if it enters an artery. Use a non-particulate steroid "
        "(Dexamethasone)."
    ) in shown
    record = _stored_record(session, appointment)
    assert record.drugs == [] and not record.is_signed
    response = browser.post(f"{path}/record", _data(_drug(session, "Dexamethasone"), "8"), form_page=path)
    assert response.status_code == 302


def test_the_german_screen_says_why_triamcinolone_is_refused_in_a_cervical_prt(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_procedure, **CERVICAL_PRT)
    make_user(session, "rad_de", {Role.RADIOLOGIST}, "Dr. Rita Rad", language="de")
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    browser.login("rad_de")
    path = f"/radiology/appointments/{appointment.id}"
    response = browser.post(f"{path}/record", _data(_drug(session, "Triamcinolone"), "40"), form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ist ein partikuläres Kortikoid" in html and "Dexamethason" in html
    assert "Zervikale PRT: als Kortikoid nur ein nicht-partikuläres (Dexamethason)" in html


def test_triamcinolone_stays_allowed_in_a_lumbar_prt(session, settings):
    record = _record_in_progress(session, settings)  # a lumbar PRT
    triamcinolone = _drug(session, "Triamcinolone")
    procedure_records.update(
        session, None, record, record_details(record, drugs=[(triamcinolone.id, Decimal(40))]), zone=ZONE
    )
    assert [d.drug_option_id for d in record.drugs] == [triamcinolone.id]


def test_a_stored_triamcinolone_row_of_a_cervical_prt_is_not_signed(session, settings):
    clinic, appointment = day_appointment(session, settings, to=to_procedure, **CERVICAL_PRT)
    triamcinolone = _drug(session, "Triamcinolone")
    cervical = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment.id))
    clock.pin(NOW + dt.timedelta(minutes=30))
    details = record_details(
        cervical, drugs=[(triamcinolone.id, Decimal(40))], levels="C6/7", ended_at=NOW + dt.timedelta(minutes=20)
    )
    with pytest.raises(InvalidInput) as refused:
        procedure_records.update(session, None, cervical, details, zone=ZONE)
    assert refused.value.details == {"field": "drug_option_id", "drug_option_id": triamcinolone.id}
    # A row stored before the rule (or past it) is not signed.
    cervical.drugs.append(ProcedureDrug(drug_option_id=triamcinolone.id, dose=Decimal(40), unit="mg"))
    cervical.ended_at, cervical.complications = NOW + dt.timedelta(minutes=20), "keine"
    session.flush()
    with pytest.raises(InvalidInput, match="particulate steroid"):
        procedure_records.sign(session, clinic.radiologists[0], cervical, zone=ZONE)
    assert not cervical.is_signed
