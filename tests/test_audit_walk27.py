"""Staff walk 27 (de-DE, the audit trail): "Eingriffsprotokoll unterschrieben" had no patient, so a filter by
patient missed the signature; "Überweisung abgeschlossen … Grund: The planned procedure is done." was English on
German screens; "Medikamentenpausierung aufgehoben … earliest: 2026-12-17" showed a key and an ISO date."""

from __future__ import annotations

import datetime as dt
import html as markup
import re
from decimal import Decimal

from sqlalchemy import select

from clinic.core import clock
from clinic.models import AuditEvent, DrugOption
from clinic.services import procedure_records
from tests.conftest import NOW, ZONE, logged_in
from tests.factories import make_user, record_details
from tests.radiology.day_helpers import day_appointment, to_procedure


def _german_trail(app, session, query: str = "") -> str:
    make_user(session, "verwaltung", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    (german,) = logged_in(app, "verwaltung")
    rows = german.get(f"/admin/audit{query}").get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", rows)).split())


def test_the_signature_of_a_procedure_record_carries_its_patient(app, session, settings):
    clinic, appointment = day_appointment(session, settings)
    record = to_procedure(session, clinic, appointment)
    radiologist = clinic.radiologists[0]
    clock.pin(NOW + dt.timedelta(minutes=30))  # written and signed once the procedure is over
    try:
        given = [(session.scalar(select(DrugOption.id).where(DrugOption.name == "Bupivacaine")), Decimal("0.5"))]
        procedure_records.update(session, radiologist, record, record_details(record, drugs=given), zone=ZONE)
        procedure_records.sign(session, radiologist, record, zone=ZONE)
    finally:
        clock.pin(NOW)
    session.commit()
    signed = session.scalar(select(AuditEvent).where(AuditEvent.action == "procedure_record.signed"))
    assert signed.patient_id == appointment.patient_id
    others = session.scalars(select(AuditEvent.patient_id).where(AuditEvent.object_type == "procedure_records"))
    assert set(others) == {appointment.patient_id}
    trail = _german_trail(app, session, f"?patient_id={appointment.patient_id}")
    assert "Eingriffsprotokoll unterschrieben" in trail, trail
