"""Walk finding: on /desk/check-in a reference typed without its hyphen ("BMPYRKUH") or with a space
("bmpy rkuh") was refused with "no appointment today with this reference"; only the stored form with its
hyphen was found. Case, spaces and hyphens are now ignored."""

from __future__ import annotations

import pytest

from clinic.scheduling.booking import typed_reference
from tests.factories import book, build_clinic, german_desk, make_ready_referral


def _booked_as_bmpy_rkuh(session, settings, browser):
    """An appointment today with the reference BMPY-RKUH, and a German front desk logged in."""
    clinic = build_clinic(session)
    appointment = book(session, settings, make_ready_referral(session, clinic))
    appointment.reference = "BMPY-RKUH"
    german_desk(session, browser)
    return appointment


@pytest.mark.parametrize("typed", ["BMPYRKUH", "bmpy rkuh", " bmpy-rkuh ", "BMPY – RKUH", "bm py rk uh"])
def test_a_reference_typed_without_its_hyphen_or_with_spaces_checks_the_patient_in(session, settings, browser, typed):
    appointment = _booked_as_bmpy_rkuh(session, settings, browser)
    answer = browser.post("/desk/check-in", {"reference": typed}, form_page="/desk/check-in")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    session.refresh(appointment)
    assert appointment.status == "checked_in"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("BMPYRKUH", "BMPY-RKUH"), ("bmpy rkuh", "BMPY-RKUH"), ("BMPYRKU", "BMPYRKU"), ("BMPY-RKUH-X", "BMPYRKUHX")],
)
def test_typed_reference_is_the_stored_form_or_finds_nothing(typed, stored):
    assert typed_reference(typed) == stored


def test_another_reference_is_still_refused(session, settings, browser):
    appointment = _booked_as_bmpy_rkuh(session, settings, browser)
    answer = browser.post("/desk/check-in", {"reference": "bmpy rkux"}, form_page="/desk/check-in")
    assert answer.status_code == 422
    assert "Heute gibt es keinen Termin mit dieser Terminnummer" in answer.get_data(as_text=True)
    session.refresh(appointment)
    assert appointment.status != "checked_in"


def test_a_reference_of_another_day_says_that_day_not_the_patients_name(session, settings, browser):
    """Walk 25: a code of an appointment on another day was told only "no appointment today with this
    reference". The desk is told the day (a patient a day early, a letter mixed up); the name stays unsaid:
    whoever holds a code does not learn whose it is."""
    import datetime as dt

    from tests.factories import make_patient

    clinic = build_clinic(session)
    patient = make_patient(session, family_name="Vorgezogen", given_name="Walburga")
    appointment = book(session, settings, make_ready_referral(session, clinic, patient), first_day=dt.date(2026, 12, 9))
    appointment.reference = "LATE-R123"
    german_desk(session, browser)
    answer = browser.post("/desk/check-in", {"reference": "late r123"}, form_page="/desk/check-in")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Diese Terminnummer gehört zu einem Termin am 09.12.2026." in page
    assert "Vorgezogen" not in page and "Walburga" not in page
    session.refresh(appointment)
    assert appointment.status == "booked"
