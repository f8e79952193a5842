"""Walk finding: the letter and the print pack were refused for an appointment a setup change left outside
the clinic's availability ("stranded"), but the consent form printed alone was not: it named the time that
cannot take place and was recorded as the form to sign for it. ``print_consent`` refuses as they do, before
anything is recorded, for the front desk's button and the API alike."""

from __future__ import annotations

import html as markup

import pytest
from sqlalchemy import select

from clinic.core.errors import DomainError
from clinic.models import Consent
from clinic.services.consents import print_consent
from tests.admin.helpers import next_monday, strand_in_ct1
from tests.factories import german_desk


def _consented(session) -> list[int]:
    session.expire_all()
    return list(session.scalars(select(Consent.appointment_id)))


def test_the_consent_form_of_a_stranded_appointment_is_refused_and_not_recorded(session, clinic, zone):
    stranded, spared = strand_in_ct1(session, clinic, next_monday())
    with pytest.raises(DomainError) as refusal:
        print_consent(session, clinic.staff["frontdesk"], stranded, zone)
    assert refusal.value.code == "stranded" and refusal.value.http_status == 422
    assert "move it first, then print the consent form for the new time" in refusal.value.message
    assert "CT 1 is not open then" in str(refusal.value.params["reasons"])
    pdf, _consent = print_consent(session, clinic.staff["frontdesk"], spared, zone)
    assert pdf.startswith(b"%PDF")
    assert _consented(session) == [spared.id]


def test_the_front_desks_consent_button_shows_the_refusal_in_german(session, clinic, browser):
    stranded, spared = strand_in_ct1(session, clinic, next_monday())
    german_desk(session, browser)
    path = f"/desk/appointments/{stranded.id}"

    answer = browser.post(f"{path}/consent.pdf", form_page=path)
    assert (answer.status_code, answer.mimetype) == (422, "text/html")
    page = markup.unescape(answer.get_data(as_text=True))
    assert "Dieser Termin passt nicht mehr in die Zeiten der Klinik (CT 1 " in page
    assert "drucken Sie dann den Einwilligungsbogen für die neue Zeit. Es wurde nichts gedruckt." in page
    assert _consented(session) == []

    printed = browser.post(f"/desk/appointments/{spared.id}/consent.pdf", form_page=f"/desk/appointments/{spared.id}")
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF")
    assert _consented(session) == [spared.id]
