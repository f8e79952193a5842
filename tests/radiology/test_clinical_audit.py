"""The audit trail of the procedure day's clinical values: each drug given and each observation check is
audited once, with its patient and the values recorded (walk 22, admin → Audit)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from clinic.core import clock
from clinic.models import AuditEvent, DrugOption
from tests.conftest import NOW, assert_shows, logged_in
from tests.factories import make_user
from tests.radiology.day_helpers import day_appointment, record_form, to_procedure


def _events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _record_page(session, settings, browser):
    clinic, appointment = day_appointment(session, settings, to=to_procedure)
    session.commit()
    clock.pin(NOW + dt.timedelta(minutes=30))
    browser.login("rad1")
    return clinic, appointment, f"/radiology/appointments/{appointment.id}"


def test_ending_the_procedure_audits_each_drug_given_once(session, settings, browser):
    """Walk 22: the record saved, then "End procedure" (which saves the record form again) wrote "Drug given
    created" a second time for each drug (every save deleted the drugs and created them anew). A drug saved
    again unchanged writes nothing; a changed dose is one change."""
    _clinic, appointment, path = _record_page(session, settings, browser)
    form = record_form(session)
    assert browser.post(f"{path}/record", form, form_page=path).status_code == 302
    assert len(_events(session, "procedure_drugs.create")) == 1
    assert browser.post(f"{path}/end", form, form_page=path).status_code == 302
    session.refresh(appointment)
    assert appointment.status == "in_observation"
    assert len(_events(session, "procedure_drugs.create")) == 1
    assert _events(session, "procedure_drugs.delete") == []
    assert _events(session, "procedure_drugs.update") == []


def test_a_changed_dose_is_one_change_and_a_drug_taken_out_one_deletion(session, settings, browser):
    _clinic, _appointment, path = _record_page(session, settings, browser)
    lidocaine = session.scalar(select(DrugOption).where(DrugOption.name == "Lidocaine"))
    form = record_form(session, **{"drugs-1-drug_option_id": str(lidocaine.id), "drugs-1-dose": "2"})
    assert browser.post(f"{path}/record", form, form_page=path).status_code == 302
    assert len(_events(session, "procedure_drugs.create")) == 2
    changed = record_form(session, **{"drugs-0-dose": "0.8"})  # Bupivacaine 0.5 → 0.8 ml, Lidocaine out
    assert browser.post(f"{path}/record", changed, form_page=path).status_code == 302
    assert len(_events(session, "procedure_drugs.create")) == 2
    (update,) = _events(session, "procedure_drugs.update")
    assert json.loads(update.summary) == {"dose": ["0.50", "0.8"]}
    assert len(_events(session, "procedure_drugs.delete")) == 1


def test_a_check_and_a_drug_given_are_audited_with_their_patient_and_values(app, session, settings, browser):
    """Walk 22: the trail's "Observation check created" and "Drug given created" had no patient and no values.
    Each names its patient, as the trail's other events do, and what was recorded; the German screen says
    the values in words (the drug by its German name, the dose in its number format)."""
    _clinic, appointment, path = _record_page(session, settings, browser)
    assert browser.post(f"{path}/end", record_form(session), form_page=path).status_code == 302
    make_user(session, "nurse_de", {"nurse"}, "Nora Pflege", language="de")
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    (nurse,) = logged_in(app, "nurse_de")
    check = {"systolic": "128", "diastolic": "82", "pain_score": "3", "motor": "normal", "sensory": ""}
    assert (
        nurse.post(f"/observation/appointments/{appointment.id}/check", check, form_page="/observation/").status_code
        == 302
    )

    (drug,) = _events(session, "procedure_drugs.create")
    (checked,) = _events(session, "observation_checks.create")
    bupivacaine = session.scalar(select(DrugOption.id).where(DrugOption.name == "Bupivacaine"))
    assert drug.patient_id == checked.patient_id == appointment.patient_id
    assert json.loads(drug.summary) == {"drug_option_id": bupivacaine, "dose": "0.5", "unit": "ml"}
    # What was measured, and nothing that was not (no pulse was taken)
    assert json.loads(checked.summary) == {"systolic": 128, "diastolic": 82, "pain_score": 3, "motor_normal": True}

    (admin,) = logged_in(app, "admin_de")
    html = admin.get(f"/admin/audit?patient_id={appointment.patient_id}").get_data(as_text=True)
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert_shows(
        rows,
        "Gegebenes Medikament angelegt",
        "Medikament: Bupivacain",
        "Dosis: 0,5",
        "Einheit der Dosis: ml",
        "Überwachungskontrolle angelegt",
        "RR systolisch: 128",
        "RR diastolisch: 82",
        "Schmerzwert: 3",
        "Motorik unauffällig: ja",
    )
    assert "Puls:" not in rows
