"""Staff walk 27: the discharge sheet after a radiofrequency denervation did not say what to expect
(procedures.md §2.4 RFA aftercare: soreness or burning at the site for days to weeks is common; the benefit
typically appears after 2-4 weeks as the nerve degenerates). The RFA information text's after-care section,
which the sheet reprints, says so in both languages."""

from __future__ import annotations

import pytest

from clinic.models.vocab import Language
from clinic.services import aftercare
from tests.conftest import NOW, ZONE
from tests.factories import book, build_clinic, make_patient, make_ready_referral
from tests.radiology.day_helpers import to_observation

from .helpers import page_count, text_of
from .test_aftercare import observed

SAID = {
    Language.DE: (
        "Ein Brennen oder Wundgefühl an der behandelten Stelle ist für einige Tage bis wenige Wochen häufig.",
        "Die Linderung beginnt oft erst nach zwei bis vier Wochen.",
    ),
    Language.EN: (
        "A burning or sore feeling where you were treated is common for a few days to a few weeks.",
        "Relief often begins only after two to four weeks.",
    ),
}


@pytest.mark.parametrize("language", [Language.DE, Language.EN])
def test_the_rfa_discharge_sheet_says_what_to_expect(session, settings, language):
    clinic = build_clinic(session, texts=True)
    patient = make_patient(session, preferred_language=language)
    # the positive diagnostic block an RFA needs first is not this test's
    referral = make_ready_referral(session, clinic, patient, code="RFA", levels="L4/5")
    appointment = book(session, settings, referral, check_readiness=False)
    to_observation(session, clinic, appointment)
    pdf = aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW)
    text = text_of(pdf)
    for said in SAID[language]:
        assert said in text, text
    assert page_count(pdf) == 1


def test_another_procedures_discharge_sheet_does_not(session, settings):
    _, appointment = observed(session, settings, medications=[])  # a PRT
    text = text_of(aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW))
    assert "Wundgefühl" not in text and "zwei bis vier Wochen" not in text
