"""GET /api/v1/appointments/{id}: ``medication_holds``, exactly as issue 14 asks.

One entry per drug with ``drug``, ``action``, ``hold_hours``, ``last_dose_no_later_than`` and
``restart_not_before`` (ISO 8601 with an offset, or null) and ``rule_verified``. For every entry with a
hold, ``table_start - last_dose_no_later_than`` is at least ``hold_hours``, and the letter prints that
moment in the clinic's zone and the patient's language.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from clinic.core.timefmt import fmt_long_date, fmt_time
from clinic.models import AnticoagulantRule
from clinic.scheduling.context import Settings
from clinic.services import hold_rules
from clinic.services.documents import letter_pdf
from tests.conftest import NOW, ZONE, assert_shows
from tests.factories import add_roster, add_weekly_sessions, book, make_patient, make_ready_referral
from tests.scheduling.helpers import chain, utc

OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")
MEDICATIONS = [
    ("apixaban", "", None),
    ("lmwh", "therapeutic", dt.date(2026, 11, 22)),
    ("aspirin", "secondary", None),
    ("ibuprofen", "", None),
]


def _book(session, settings, clinic, patient=None, medications=MEDICATIONS, candidate=None):
    referral = make_ready_referral(session, clinic, patient, medications=medications)
    appointment = book(session, settings, referral, candidate, first_day=dt.date(2026, 11, 30))
    session.commit()
    return appointment


def _letter_text(api, appointment_id: int) -> str:
    response = api.get(f"/appointments/{appointment_id}/letter.pdf")
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.data)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def test_medication_holds_follow_the_contract(session, settings, clinic, api_as):
    appointment = _book(session, settings, clinic)
    body = api_as("frontdesk").get(f"/appointments/{appointment.id}").get_json()
    holds = {h["drug"]: h for h in body["medication_holds"]}
    assert set(holds) == {"apixaban", "lmwh", "aspirin", "ibuprofen"}
    table_start = dt.datetime.fromisoformat(body["table_start"])
    for hold in holds.values():
        assert {
            "drug",
            "action",
            "hold_hours",
            "last_dose_no_later_than",
            "restart_not_before",
            "rule_verified",
        } <= set(hold)
        assert hold["rule_verified"] is False  # the seeded rules await a physician's sign-off
        for key in ("last_dose_no_later_than", "restart_not_before"):
            assert hold[key] is None or OFFSET.search(hold[key]), (key, hold[key])
        if hold["action"] == "hold":
            latest = dt.datetime.fromisoformat(hold["last_dose_no_later_than"])
            assert table_start - latest >= dt.timedelta(hours=hold["hold_hours"])
        else:
            assert hold["hold_hours"] is None and hold["last_dose_no_later_than"] is None
    assert (holds["apixaban"]["action"], holds["apixaban"]["hold_hours"]) == ("hold", 72)
    assert (holds["lmwh"]["hold_hours"], holds["lmwh"]["injected"]) == (24, True)
    assert holds["lmwh"]["last_dose_recorded_on"] == "2026-11-22"
    # apixaban, LMWH and aspirin: several blood thinners, so the PRT is handled as high risk (procedures.md
    # §1.1), where ibuprofen is held for 24 hours
    assert (holds["aspirin"]["action"], holds["ibuprofen"]["action"]) == ("shared_assessment", "hold")
    restart = dt.datetime.fromisoformat(holds["apixaban"]["restart_not_before"])
    assert restart == dt.datetime.fromisoformat(body["table_end"]) + dt.timedelta(hours=24)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_letter_prints_the_apis_moment_in_the_clinics_zone_and_the_patients_language(
    session, settings, clinic, api_as, language
):
    """With the rules signed off, the letter prints exactly the API's moments; before, it prints none."""
    patient = make_patient(session, preferred_language=language)
    start = utc(2026, 10, 26, 11, 0)  # Monday after the clocks went back, 12:00 in Berlin
    add_weekly_sessions(session, clinic.rooms["CT 1"], [0], dt.time(8), dt.time(16))
    add_roster(session, clinic.radiologists[0], [0], dt.time(8), dt.time(16))
    october = Settings(zone=ZONE, clock=lambda: utc(2026, 10, 1, 6))
    candidate = chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0], start, 20, 30)
    appointment = _book(session, october, clinic, patient, medications=[("apixaban", "", None)], candidate=candidate)
    desk = api_as("frontdesk")
    unsigned = _letter_text(desk, appointment.id)
    assert "13:00" not in unsigned  # no moment from a rule nobody signed off

    for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "apixaban")):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)
    session.commit()
    [hold] = desk.get(f"/appointments/{appointment.id}").get_json()["medication_holds"]
    assert hold["rule_verified"] is True
    latest = dt.datetime.fromisoformat(hold["last_dose_no_later_than"])
    assert latest == start - dt.timedelta(hours=72)  # Friday 23 October, 13:00 summer time
    locale = "de_DE" if language == "de" else "en_GB"
    printed = f"{fmt_long_date(latest, locale, ZONE)}, {'um ' if language == 'de' else ''}{fmt_time(latest, ZONE)}"
    assert printed in ("Freitag, 23. Oktober 2026, um 13:00", "Friday, 23 October 2026, 13:00")
    # The letter is printed now (Monday 23 November): the moment lies in the past, so it is not printed
    # as an instruction. Printed in October, it is.
    reprinted = _letter_text(desk, appointment.id)
    assert printed not in reprinted
    session.expire_all()
    october_letter = letter_pdf(session, settings, appointment, now=utc(2026, 10, 1, 6))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(october_letter)).pages))
    assert printed in text


def test_the_openapi_document_describes_medication_holds(api_as, clinic):
    document = api_as("frontdesk").get("/openapi.json").get_json()
    text = str(document)
    assert_shows(
        text, "medication_holds", "last_dose_no_later_than", "restart_not_before", "rule_verified", "hold_hours"
    )


def test_triage_through_the_api_names_the_target(session, clinic, api_as):
    """Issue 14, finding 8: SYMP, FACET and EPI need their structured target; the plan and the appointment
    carry it."""
    from tests.factories import make_referral

    referral = make_referral(session)
    session.commit()
    radiologist = api_as("radiologist")
    symp = clinic.pt("SYMP").id
    plan = {"decision": "accept", "procedure_type_id": symp, "region": "lumbar", "side": "left", "stage": "diagnostic"}
    missing = radiologist.post(f"/referrals/{referral.id}/triage", json=plan)
    assert missing.status_code == 400 and "Sympathetic block needs the target" in missing.get_json()["error"]["message"]
    wrong = radiologist.post(f"/referrals/{referral.id}/triage", json={**plan, "target": "caudal"})
    assert wrong.status_code == 400 and "cannot aim at “Caudal (sacral hiatus)”" in wrong.get_json()["error"]["message"]
    accepted = radiologist.post(f"/referrals/{referral.id}/triage", json={**plan, "target": "lumbar_chain"})
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["plan"]["target"] == "lumbar_chain"
