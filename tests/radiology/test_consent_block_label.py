"""Staff walk (de-DE): the consent block of an appointment showed the text's version code and the sha256 of
the printed form ("SYMP-CONS-DE-v1, sha256 3f2a…") to staff. It names the text's version as people do, by its
date ("Fassung vom 23.11.2026"); the code and the hash stay in the audit and in the printed form."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from clinic.models import Consent
from tests.browser_fixtures import speak
from tests.conftest import logged_in
from tests.factories import sign_consent
from tests.radiology.day_helpers import day_appointment


def _visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)))


def test_the_consent_block_names_the_texts_version_by_its_date(app, session, settings):
    clinic, appointment = day_appointment(session, settings)
    sign_consent(session, clinic, appointment)
    consent = session.scalars(select(Consent).where(Consent.appointment_id == appointment.id)).one()
    code, digest = consent.document_text.version_label, consent.pdf_sha256
    speak(session, "de")
    radiologist, desk = logged_in(app, "rad1", "frontdesk")
    for person, path in ((radiologist, "/radiology/appointments/{}"), (desk, "/desk/appointments/{}")):
        page = person.get(path.format(appointment.id)).get_data(as_text=True)
        assert "Fassung vom 23.11.2026" in _visible_text(page), path
        assert code not in page and digest[:12] not in page and "sha256" not in page, path
