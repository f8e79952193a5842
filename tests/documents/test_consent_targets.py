"""Issue 14, findings 7-9 and 12: the consent form names what the patient consents to (the target chosen at
triage, its risks only, no side for a midline injection), the guidance actually planned, and what German
law asks of a consent (the talk recorded apart from signing, time and place for each signature, a copy);
every form and sheet printed for an appointment stays within two pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clinic.models.vocab import TARGETS_BY_PROCEDURE
from clinic.services import documents
from clinic.services.consents import print_consent
from tests.factories import make_patient

from .helpers import book_for, misdrawn, page_count, squeezed, text_of

MRI_DAY = dt.date(2026, 11, 24)  # a Tuesday: the MRI room's session
# A line that belongs to one target only, per target and language: it must appear for that target and
# for no other of the same procedure.
OWN_LINE = {
    "stellate": ("Horner syndrome", "Horner-Syndrom"),
    "thoracic_chain": ("nerve pain along a rib", "Nervenschmerzen entlang einer Rippe"),
    "celiac": ("diarrhoea for a few days", "Durchfall für einige Tage"),
    "lumbar_chain": ("burning groin or thigh pain", "brennende Schmerzen in Leiste oder Oberschenkel"),
    "hypogastric": ("an injury to the bowel", "eine Verletzung des Darms"),
    "impar": ("an injury to the bowel", "eine Verletzung des Darms"),
    "intra_articular": ("injected into each joint", "in jedes Gelenk gespritzt"),
    "medial_branch": ("A test block can give a misleading result", "Eine Testblockade kann ein irreführendes"),
    "interlaminar": ("Interlaminar approach", "Interlaminärer Zugang"),
    "caudal": ("Caudal approach", "Kaudaler Zugang"),
}
LABEL = {
    "stellate": ("Target stellate ganglion", "Zielort Ganglion stellatum (Stellatumblockade)"),
    "thoracic_chain": ("Target thoracic sympathetic chain", "Zielort thorakaler Grenzstrang"),
    "celiac": ("Target celiac plexus", "Zielort Plexus coeliacus"),
    "lumbar_chain": ("Target lumbar sympathetic chain", "Zielort lumbaler Grenzstrang"),
    "hypogastric": ("Target superior hypogastric plexus", "Zielort Plexus hypogastricus superior"),
    "impar": ("Target ganglion impar", "Zielort Ganglion impar"),
    "intra_articular": ("Technique intra-articular injection", "Technik intraartikuläre Injektion"),
    "medial_branch": ("Technique medial branch block", "Technik Ramus-medialis-Blockade"),
    "interlaminar": ("Approach interlaminar", "Zugang interlaminär"),
    "caudal": ("Approach caudal (through the sacral hiatus)", "Zugang kaudal (über den Hiatus sacralis)"),
}
MIDLINE = {"celiac", "hypogastric", "impar", "caudal"}
CASES = [
    pytest.param(code, target, language, id=f"{code}-{target}-{language}")
    for code, targets in TARGETS_BY_PROCEDURE.items()
    for target in targets
    for language in ("en", "de")
]


def _book(session, settings, clinic, code, target, language, guidance=None):
    patient = make_patient(session, preferred_language=language, family_name="Weiß-Dupré", given_name="Zoë")
    side = "bilateral" if target in MIDLINE and code != "EPI" else ("left" if code != "EPI" else None)
    return book_for(
        session,
        settings,
        clinic,
        patient,
        code=code,
        target=target,
        guidance=guidance,
        side=side,
        levels=None if code == "SYMP" or target == "caudal" else "L4/5",
        stage="diagnostic" if code in ("SYMP", "FACET") else None,
        first_day=MRI_DAY,
        room=clinic.rooms["MRT"] if guidance == "MRI" else None,
    )


@pytest.mark.parametrize(("code", "target", "language"), CASES)
def test_the_consent_names_the_target_and_only_its_risks(session, settings, clinic, zone, code, target, language):
    appointment = _book(session, settings, clinic, code, target, language)
    assert appointment.target == target  # chosen at triage, carried by the booking
    pdf, _consent = print_consent(session, None, appointment, zone)
    text = text_of(pdf)
    n = 0 if language == "en" else 1
    assert squeezed(LABEL[target][n]) in squeezed(text)  # "Ramus-medialis-Blockade" wraps in its cell
    assert misdrawn(pdf) == []  # no value runs into the next label
    assert OWN_LINE[target][n] in text
    for other in TARGETS_BY_PROCEDURE[code]:
        if OWN_LINE[other][n] != OWN_LINE[target][n]:
            assert OWN_LINE[other][n] not in text, other
    side = (r"Side (left|right|both sides)", r"Seite (links|rechts|beidseits)")[n]
    assert bool(re.search(side, text)) is (target not in MIDLINE and code != "EPI")
    assert page_count(pdf) <= 2
    sheet = documents.appointment_information_pdf(session, appointment)
    assert page_count(sheet) <= 2
    if language == "de":
        assert "caudal" not in text.replace("Zugang kaudal", "")


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_mri_guided_appointment_prints_mri_wording_and_mr_safety(session, settings, clinic, zone, language):
    """Finding 7: the guidance actually planned on the consent, the sheet and the letter; for MRI the
    MR-safety points (implants, confined spaces) and no CT radiation section."""
    appointment = _book(session, settings, clinic, "FACET", "medial_branch", language, guidance="MRI")
    assert appointment.guidance == "MRI"
    consent = text_of(print_consent(session, None, appointment, zone)[0])
    sheet = text_of(documents.appointment_information_pdf(session, appointment))
    letter = text_of(documents.letter_pdf(session, settings, appointment))
    if language == "de":
        assert "unter MRT-Kontrolle" in consent and "CT-Kontrolle" not in consent
        assert "Strahlenbelastung" not in consent
        assert "Unter MRT-Kontrolle" in sheet and "Sicherheit im MRT" in sheet and "Cochlea-Implantat" in sheet
        assert "Das CT arbeitet mit Röntgenstrahlen" not in sheet
        assert "unter MRT-Kontrolle" in letter and "Sicherheit im MRT" in letter and "engen Räumen" in letter
    else:
        assert "guided by MRI" in consent and "guided by CT" not in consent
        assert "Radiation" not in consent.replace("Radiation none", "")
        assert "Guided by MRI" in sheet and "MRI safety" in sheet and "confined spaces" in sheet
        assert "CT uses X-rays" not in sheet
        assert "guided by MRI" in letter and "Safety in the MRI scanner" in letter
    for pdf in (documents.appointment_information_pdf(session, appointment),):
        assert page_count(pdf) <= 2


def test_a_ct_guided_letter_has_no_mr_safety_section(session, settings, clinic):
    appointment = book_for(session, settings, clinic)
    letter = text_of(documents.letter_pdf(session, settings, appointment))
    assert "unter CT-Kontrolle" in letter and "Sicherheit im MRT" not in letter


def test_the_print_pack_holds_a_marked_copy_of_the_consent_for_the_patient(session, settings, clinic):
    """Finding 9 (§630e BGB): the patient receives a copy of what was signed."""
    appointment = _book(session, settings, clinic, "SYMP", "stellate", "en")
    text = text_of(documents.print_pack_pdf(session, settings, None, appointment))
    assert text.count("Sympathetic block: consent") == 2
    assert "Original for the patient's record" in text and "Copy for the patient" in text
    assert text.count("I have received a copy of this form.") == 2
