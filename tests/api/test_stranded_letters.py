"""No letter (nor consent form) through the API for an appointment a setup change stranded: the check sits in
the document services, so the API refuses as the front desk's screens do (it used to return the PDF)."""

from __future__ import annotations

from sqlalchemy import func, select

from clinic.models import Consent
from tests.admin.helpers import next_monday, strand_in_ct1


def _consents(session, appointment) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Consent.id)).where(Consent.appointment_id == appointment.id))


def test_the_letter_the_consent_form_and_the_print_pack_are_refused_for_a_stranded_appointment(session, clinic, api_as):
    stranded, spared = strand_in_ct1(session, clinic, next_monday())
    desk = api_as("frontdesk")

    letter = desk.get(f"/appointments/{stranded.id}/letter.pdf")
    assert (letter.status_code, letter.mimetype) == (422, "application/json")
    error = letter.get_json()["error"]
    assert error["code"] == "stranded" and "CT 1 is not open then" in error["message"]

    pack = desk.post(f"/appointments/{stranded.id}/print-pack.pdf")
    assert (pack.status_code, pack.get_json()["error"]["code"]) == (422, "stranded")
    assert _consents(session, stranded) == 0, "a refused print pack records no consent form"

    consent = desk.post(f"/appointments/{stranded.id}/consent-form.pdf")
    assert (consent.status_code, consent.mimetype) == (422, "application/json")
    assert consent.get_json()["error"]["code"] == "stranded"
    assert _consents(session, stranded) == 0, "a refused consent form is not recorded"

    fitting = desk.get(f"/appointments/{spared.id}/letter.pdf")
    assert fitting.status_code == 200 and fitting.data.startswith(b"%PDF")
    fitting_pack = desk.post(f"/appointments/{spared.id}/print-pack.pdf")
    assert fitting_pack.status_code == 200 and fitting_pack.data.startswith(b"%PDF")
    assert _consents(session, spared) == 1
    fitting_consent = desk.post(f"/appointments/{spared.id}/consent-form.pdf")
    assert fitting_consent.status_code == 200 and fitting_consent.data.startswith(b"%PDF")
