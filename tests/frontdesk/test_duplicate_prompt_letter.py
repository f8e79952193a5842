"""Staff walk 3b, finding 3: a new referral with a letter for a patient who is already registered brought up
the duplicate prompt; "Use this patient" saved the referral without the letter and said nothing. The
prompt now shows the letter's field beside its buttons (chosen again there, the file is posted with the
choice), and a referral saved without the letter chosen again says so."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from clinic.models import Patient, Referral, ReferralDocument
from tests.browser.files import pdf_letter
from tests.factories import build_clinic

from .helpers import referral_form


def _prompt(browser, known_letter: str) -> str:
    data = referral_form(family_name="SONDERGAARD", clinical_question="C6 radicular pain right")
    data["letter"] = (io.BytesIO(pdf_letter()), known_letter)
    again = browser.post("/desk/referrals/new", data, content_type="multipart/form-data")
    assert again.status_code == 409
    return again.get_data(as_text=True)


def _known_patient(session, browser) -> Patient:
    """The desk logged in, one patient registered through a referral of theirs."""
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    assert browser.post("/desk/referrals/new", referral_form()).status_code == 302
    return session.scalar(select(Patient))


def _use_patient(known: Patient) -> dict:
    """The second referral's form with "Use this patient" chosen, the letter named before but not sent."""
    data = referral_form(family_name="SONDERGAARD", clinical_question="C6 radicular pain right", use_patient=known.id)
    data["letter_before"] = "Ueberweisung-Kuehn.pdf"
    return data


def test_the_duplicate_prompt_asks_for_the_letter_beside_use_this_patient(session, browser):
    known = _known_patient(session, browser)
    html = _prompt(browser, "Ueberweisung-Kuehn.pdf")
    prompt = html[html.index("Is this one of these patients?") : html.index('<form id="referral-form"')]
    assert re.search(r'<input[^>]*form="referral-form"[^>]*name="letter"[^>]*type="file"', prompt), prompt
    assert "Ueberweisung-Kuehn.pdf" in prompt and "choose it again" in prompt
    assert html.count('name="letter"') == 1  # one letter field on the page, the one in the prompt
    data = _use_patient(known)
    data["letter"] = (io.BytesIO(pdf_letter()), "Ueberweisung-Kuehn.pdf")
    used = browser.post("/desk/referrals/new", data, content_type="multipart/form-data")
    assert used.status_code == 302
    second = session.scalar(select(Referral).order_by(Referral.id.desc()))
    assert second.patient_id == known.id
    assert session.scalar(select(func.count(ReferralDocument.id)).where(ReferralDocument.referral_id == second.id)) == 1


def test_use_this_patient_without_the_letter_says_it_was_not_saved(session, browser):
    known = _known_patient(session, browser)
    _prompt(browser, "Ueberweisung-Kuehn.pdf")
    used = browser.post("/desk/referrals/new", _use_patient(known), follow_redirects=True)
    page = used.get_data(as_text=True)
    assert "The letter “Ueberweisung-Kuehn.pdf” was not saved with the referral" in page


def test_use_this_patient_says_which_typed_contact_details_were_not_saved(session, browser):
    """Walk finding (4 December): a new phone typed for "Mueller, Sören", then "Use this patient" at the duplicate
    prompt: the referral went to the registered patient and the phone was dropped without a word. The record
    stays as it was (it is edited on the patient's page); the desk is told what was not saved. The same
    number written another way, and the same street in other letters, are not reported."""
    import html as markup

    known = _known_patient(session, browser)
    data = _use_patient(known)
    data.update(phone="040 1234567", email="", street="LINDENALLEE  3", postal_code="20259")
    data.pop("letter_before")
    used = browser.post("/desk/referrals/new", data, follow_redirects=True)
    page = markup.unescape(used.get_data(as_text=True))
    assert used.status_code == 200 and "Referral recorded." in page
    assert "Not saved in the patient's record, which is kept as it was: Phone: 040 1234567." in page
    assert "Street" not in page[page.index("Not saved in") : page.index("patient's page.")]
    session.expire_all()
    assert session.get(Patient, known.id).phone == "+49 40 55"

    data.update(phone="+49 40 55")  # the number on the record, written as typed before: nothing to say
    page = browser.post("/desk/referrals/new", data, follow_redirects=True).get_data(as_text=True)
    assert "Referral recorded." in page and "Not saved in the patient" not in page
