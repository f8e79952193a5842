"""Long names and addresses on the printed documents (walk 25): the longest values the patient forms take
(family and given name 100 characters each, street 120, city 80) wrap inside their cell or window. Drawn as
one string they ran into the "Geburtsdatum" label, over the letter's information block and off the page,
and the consent form's footer ran over "Seite 1 von 2". Each document is read back with where every string
is drawn: the whole name is there, nothing leaves the page and no string is drawn over another."""

from __future__ import annotations

import re

import pytest
from reportlab.lib.units import mm

from clinic.documents import worklist
from clinic.documents.layout import PAGE_HEIGHT
from clinic.documents.letter_page import ADDRESS_TOP, FIELD_HEIGHT, FIELD_LEFT, FIELD_TOP, FIELD_WIDTH
from clinic.services import aftercare, documents
from clinic.services.consents import print_consent
from tests.conftest import NOW, ZONE
from tests.factories import make_patient
from tests.radiology.day_helpers import day_appointment, to_observation

from .helpers import book_for, drawn_strings, misdrawn, squeezed, text_of


def _of_length(text: str, length: int) -> str:
    value = (text * (length // len(text) + 1))[:length].strip()
    return value + "x" * (length - len(value))


FAMILY = _of_length("Großmann-Müller-Lüdenscheidt-Schwarzenberg-Oberhausen-Wittgenstein-", 100)
GIVEN = _of_length("Maximiliane-Friederike Anneliese-Charlotte Wilhelmine ", 100)
LONGEST = {
    "family_name": FAMILY,
    "given_name": GIVEN,
    "street": _of_length("Straße des 17. Juni 135, Hinterhaus, 3. Obergeschoss links, ", 120),
    "postal_code": "A-1010 12345",
    "city": _of_length("Sankt Johann im Pongau bei Salzburg ", 80),
    "country": "AT",
}
LEUTHEUSSER = {"family_name": "Leutheusser-Schnarrenberger", "given_name": "Hans-Joachim Friedrich"}


def test_the_longest_values_are_as_long_as_the_forms_allow():
    assert (len(FAMILY), len(GIVEN), len(LONGEST["street"]), len(LONGEST["city"])) == (100, 100, 120, 80)
    assert len(LONGEST["postal_code"]) == 12


@pytest.mark.parametrize("names", [LEUTHEUSSER, LONGEST], ids=["leutheusser", "longest"])
def test_the_consent_form_wraps_a_long_name_in_its_cell(session, settings, clinic, names):
    patient = make_patient(session, **names)
    appointment = book_for(session, settings, clinic, patient)
    pdf, _consent = print_consent(session, None, appointment, ZONE)
    assert squeezed(patient.display_name) in squeezed(text_of(pdf))
    assert misdrawn(pdf) == []


def test_the_print_pack_keeps_the_longest_name_and_address_in_place(session, settings, clinic):
    """Letter (address window, information block, the later pages' running head), information sheet,
    consent form and the patient's copy of it (the longest footer)."""
    patient = make_patient(session, **LONGEST)
    appointment = book_for(session, settings, clinic, patient)
    pdf = documents.print_pack_pdf(session, settings, None, appointment, portal_url="https://example.org/p/K7QX4M2P")
    text = squeezed(text_of(pdf))
    for value in (patient.full_name, patient.display_name, patient.street, patient.city):
        assert squeezed(value) in text
    assert misdrawn(pdf) == []


def test_the_address_stays_inside_the_window(session, settings, clinic):
    patient = make_patient(session, **LONGEST)
    appointment = book_for(session, settings, clinic, patient)
    drawn = [d for d in drawn_strings(documents.letter_pdf(session, settings, appointment)) if d.page == 0]
    top, bottom = PAGE_HEIGHT - ADDRESS_TOP, PAGE_HEIGHT - FIELD_TOP - FIELD_HEIGHT
    address = [d for d in drawn if abs(d.x0 - (FIELD_LEFT + 5 * mm)) < 0.5 and bottom < d.y1 <= top]
    assert squeezed("".join(d.text for d in address)) == squeezed(
        f"{patient.full_name}{patient.street}{patient.postal_code} {patient.city}AT"
    )
    assert all(d.x1 <= FIELD_LEFT + FIELD_WIDTH and d.y0 >= bottom for d in address)


def test_the_discharge_sheet_wraps_the_longest_name(session, settings, clinic):
    patient = make_patient(session, **LONGEST)
    _, appointment = day_appointment(session, settings, clinic, patient=patient)
    to_observation(session, clinic, appointment)
    pdf = aftercare.aftercare_pdf(session, appointment, ZONE, now=NOW)
    assert squeezed(patient.display_name) in squeezed(text_of(pdf))
    assert misdrawn(pdf) == []


def test_the_worklist_wraps_the_longest_name_in_its_column(session, settings, clinic):
    patient = make_patient(session, **LONGEST)
    appointment = book_for(session, settings, clinic, patient)
    day = appointment.table_start.date()
    pdf = documents.worklist_pdf(session, day, appointment.room, ZONE)
    assert squeezed(patient.display_name) in squeezed(text_of(pdf))
    assert misdrawn(pdf) == []


# Names whose every word (and each part of a double name) is narrower than the worklist's patient column but a
# little wider than the text in it at the list's size: "Sonnenschei / n," and "Hohenzoller / n-" (walk 5 December).
WHOLE_WORDS = {"family_name": "Sonnenschein-Hohenzollern", "given_name": "Aikaterini Papadopoulou Wittgenstein"}


def _patient_lines(pdf: bytes) -> list[str]:
    """The strings drawn in the worklist's patient column (below its heading), top to bottom, as pypdf reads them."""
    left = worklist.MARGIN + worklist.COLUMNS[0][1] * mm
    right = left + worklist.COLUMNS[1][1] * mm
    column = [d for d in drawn_strings(pdf) if left <= d.x0 < right]
    return [d.text for d in sorted(column, key=lambda d: (d.page, -d.y1))][1:]


def _whole_parts(name: str) -> set[str]:
    """What a line of the name may hold between its spaces: a word, or consecutive parts of a double name."""
    allowed = set()
    for word in name.split():
        parts = re.split(r"(?<=-)", word)
        allowed |= {"".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}
    return allowed


def test_the_worklist_breaks_a_long_name_only_between_words_that_fit_the_column(session, settings, clinic):
    patient = make_patient(session, **WHOLE_WORDS)
    appointment = book_for(session, settings, clinic, patient)
    pdf = documents.worklist_pdf(session, appointment.table_start.date(), appointment.room, ZONE)
    lines = _patient_lines(pdf)
    assert squeezed("".join(lines)) == squeezed(patient.display_name)
    allowed = _whole_parts(patient.display_name)
    assert [line for line in lines if not set(line.split()) <= allowed] == []
    assert misdrawn(pdf) == []


def test_the_worklist_breaks_inside_a_word_only_when_it_is_wider_than_the_column(session, settings, clinic):
    word = "Leutheusserschnarrenbergerheim"  # one word, wider than the patient column at any size
    patient = make_patient(session, family_name=word, given_name="Anna")
    appointment = book_for(session, settings, clinic, patient)
    pdf = documents.worklist_pdf(session, appointment.table_start.date(), appointment.room, ZONE)
    lines = _patient_lines(pdf)
    assert squeezed("".join(lines)) == squeezed(patient.display_name) and len(lines) >= 3
    assert misdrawn(pdf) == []
