"""Helpers for the front desk's screen tests: the new-referral form as the desk sends it (and refused), and
a time held on the booking page."""

from __future__ import annotations

from clinic.models.vocab import RedFlag
from clinic.scheduling.finder import Candidate
from tests.factories import add_to_waitlist, book, make_patient, make_ready_referral, make_referral
from tests.scheduling.helpers import chain_form, first_candidates

FLAGS_NO = {f"flag_{f.value}": "no" for f in RedFlag}
# A German patient's new referral, for the screens in German.
GERMAN_INTAKE = {
    "family_name": "Brandt",
    "given_name": "Käthe",
    "birth_date": "1961-05-02",
    "sex": "female",
    "physician_name": "Dr. Voss",
    "clinical_question": "Lumboischialgie rechts",
    "side": "right",
    "symptom_duration_weeks": "1",
}


def referral_form(**kw) -> dict:
    """The new-referral form filled in for a new patient with every red-flag question answered "no";
    ``kw`` changes or adds fields."""
    data = {
        "family_name": "Søndergaard",
        "given_name": "Bjørn",
        "birth_date": "1957-03-14",
        "sex": "male",
        "phone": "+49 40 55",
        "street": "Lindenallee 3",
        "postal_code": "20259",
        "city": "Hamburg",
        "insurance_name": "TK",
        "insurance_number": "T123",
        "preferred_language": "de",
        "physician_id": "0",
        "physician_name": "Dr. Kühn",
        "received_on": "2026-11-20",
        "clinical_question": "L5 radicular pain left",
        "region": "lumbar",
        "side": "left",
        "symptom_duration_weeks": "10",
        "treatments": ["physiotherapy", "nsaids"],
        **FLAGS_NO,
    }
    data.update(kw)
    return data


def refused_intake(browser, data: dict) -> str:
    """The new-referral form sent with ``data`` and refused (422): the page that says why."""
    response = browser.post("/desk/referrals/new", data)
    assert response.status_code == 422
    return response.get_data(as_text=True)


def hold_on_the_booking_page(session, settings, browser, referral, c: Candidate | None = None) -> str:
    """The logged-in desk holds ``c`` (the first chain the finder offers) for ``referral`` on its booking
    page: the page of the hold it is sent to."""
    c = c or first_candidates(session, settings, referral)[0]
    book_page = f"/desk/referrals/{referral.id}/book"
    held = browser.post(book_page, chain_form(c, "hold"), form_page=book_page)
    assert held.status_code == 302 and "/desk/holds/" in held.headers["Location"]
    return held.headers["Location"]


# One patient on each of the desk's searchable lists (the list-search tests): a patient of that family name.
def on_the_waitlist(session, settings, clinic, name: str) -> None:
    add_to_waitlist(session, make_ready_referral(session, clinic, make_patient(session, family_name=name)))


def referred(session, settings, clinic, name: str) -> None:
    make_referral(session, make_patient(session, family_name=name))


def waiting_for_a_call(session, settings, clinic, name: str) -> None:
    referral = make_ready_referral(
        session, clinic, make_patient(session, family_name=name), medications=[("apixaban", "", None)]
    )
    book(session, settings, referral, limit=1)
