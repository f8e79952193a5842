"""Staff walk 27 (de-DE, the audit trail): "Eingriffsprotokoll unterschrieben" had no patient, so a filter by
patient missed the signature; "Überweisung abgeschlossen … Grund: The planned procedure is done." was English on
German screens; "Medikamentenpausierung aufgehoben … earliest: 2026-12-17" showed a key and an ISO date."""

from __future__ import annotations

import datetime as dt
import html as markup
import re
from decimal import Decimal

from sqlalchemy import select

from clinic.core import audit, clock
from clinic.models import AuditEvent, DrugOption
from clinic.services import episodes, procedure_records, triage
from tests.conftest import NOW, TODAY, ZONE, logged_in
from tests.factories import build_clinic, make_ready_referral, make_user, record_details
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


def test_a_referral_closed_by_its_discharge_gives_its_reason_in_german_old_rows_too(app, session):
    clinic = build_clinic(session)
    done, by_hand = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    # as the trail holds them: the clinic's own reason stored in English, a reason staff typed as typed
    audit.record(session, "referral.closed", "referrals", done.id, summary={"reason": "The planned procedure is done."})
    episodes.close(session, clinic.radiologists[0], by_hand, "Patientin wünscht keine weitere Behandlung")
    trail = _german_trail(app, session, "?action=referral.closed")
    assert trail.count("Überweisung abgeschlossen") == 2, trail
    assert "Grund: Der geplante Eingriff ist erfolgt." in trail
    assert "Grund: Patientin wünscht keine weitere Behandlung" in trail
    assert "planned procedure" not in trail


def test_a_hold_override_names_the_earliest_date_in_words_and_german_format(app, session):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, medications=[("apixaban", "", None)])
    triage.override_hold(
        session, clinic.radiologists[0], referral, dt.date(2026, 12, 17), "Kardiologie stimmt zu", today=TODAY
    )
    trail = _german_trail(app, session, "?action=referral.hold_override")
    assert "Frühestes Eingriffsdatum: 17.12.2026" in trail, trail
    assert "Grund: Kardiologie stimmt zu" in trail
    assert "earliest" not in trail and "2026-12-17" not in trail
