"""The audit trail of the procedure day's clinical values: each drug given and each observation check is
audited once, with its patient and the values recorded (walk 22, admin → Audit)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from clinic.core import clock
from clinic.models import AuditEvent, DrugOption
from tests.conftest import NOW
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
