"""Staff walk 27: the consent form's header table broke a word: "Sympathikolyse (Sympathikusblockad / e)".
A value is broken at spaces only; a word wider than its column is set a little smaller rather than cut."""

from __future__ import annotations

import pytest

from clinic.documents.blocks import whole_words
from clinic.documents.fonts import register_fonts
from clinic.services.consents import print_consent
from tests.factories import make_patient

from .helpers import book_for, drawn_strings, misdrawn


def _last_word(text: str) -> str:
    words = text.split()
    return words[-1].strip("():,") if words else ""


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_consent_header_keeps_the_procedures_name_in_whole_words(session, settings, clinic, zone, language):
    patient = make_patient(session, preferred_language=language, family_name="Testfrau-Wälti", given_name="Øse")
    appointment = book_for(
        session,
        settings,
        clinic,
        patient,
        code="SYMP",
        target="lumbar_chain",
        side="right",
        stage="diagnostic",
        levels=None,
    )
    pdf, _consent = print_consent(session, None, appointment, zone)
    name = appointment.procedure_type.name_de if language == "de" else appointment.procedure_type.name_en
    drawn = [d.text for d in drawn_strings(pdf)]
    for word in (w.strip("():,") for w in name.split()):  # no drawn line ends in a piece of a word of the name
        cut = [text for text in drawn if _last_word(text) != word and len(_last_word(text)) >= 3]
        assert not [text for text in cut if word.startswith(_last_word(text))], (word, cut[:5])
    assert misdrawn(pdf) == []


def test_a_word_wider_than_the_column_is_set_smaller_and_cut_only_when_even_that_fails():
    register_fonts()
    font, sizes = "DejaVuSans-Bold", [11.0, 10.0, 9.0]
    size, lines = whole_words("Sympathikolyse (Sympathikusblockade)", font, sizes, 137)
    assert size == 10.0 and lines == ["Sympathikolyse", "(Sympathikusblockade)"]
    assert whole_words("Lendenwirbelsäule", font, sizes, 137) == (11.0, ["Lendenwirbelsäule"])
    size, lines = whole_words("x" * 60, font, sizes, 137)
    assert size == 9.0 and len(lines) > 1  # never into the next column
