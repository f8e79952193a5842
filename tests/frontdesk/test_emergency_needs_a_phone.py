"""Staff walk 3b, finding 2: a referral with a red flag answered yes (the page says "call the radiologist
now") was saved for a patient with neither phone nor email: nobody could call the patient back. The
patient's phone is required then, refused at the phone field, what was typed kept, nothing saved."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from clinic.models import Patient, Referral
from tests.factories import build_clinic, make_patient
from tests.frontdesk.helpers import referral_form, refused_intake


def test_a_red_flag_answered_yes_needs_the_patients_phone(session, browser):
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    html = refused_intake(browser, referral_form(phone="", email="", flag_bladder_bowel="yes"))
    start = html.index('id="phone"')
    shown = html[html.rindex("<input", 0, start) : html.index("</div>", start)]
    assert "is-invalid" in shown and "enter the patient&#39;s phone number" in shown, shown
    assert re.search(r'id="family_name"[^>]*value="Søndergaard"|value="Søndergaard"[^>]*id="family_name"', html)
    session.expire_all()
    assert session.scalar(select(func.count(Referral.id))) == 0 and session.scalar(select(func.count(Patient.id))) == 0
    saved = browser.post("/desk/referrals/new", referral_form(phone="040 1234 5670", flag_bladder_bowel="yes"))
    assert saved.status_code == 302
    no_flag = browser.post("/desk/referrals/new", referral_form(family_name="Ohne", phone=""))
    assert no_flag.status_code == 302  # without a red flag the phone stays optional


def test_a_known_patient_without_a_phone_is_refused_too(session, browser):
    build_clinic(session)
    patient = make_patient(session, phone=None, email=None)
    session.commit()
    browser.login("frontdesk")
    data = {k: v for k, v in referral_form(flag_saddle_numbness="yes").items() if k in _REFERRAL_ONLY}
    response = browser.post(f"/desk/patients/{patient.id}/referrals/new", data)
    assert response.status_code == 400  # a service's refusal of this page (its patient fields are not on it)
    assert "enter the patient&#39;s phone number" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count(Referral.id))) == 0


_REFERRAL_ONLY = {
    "physician_id",
    "physician_name",
    "received_on",
    "clinical_question",
    "region",
    "side",
    "symptom_duration_weeks",
    "treatments",
} | {
    f"flag_{code}"
    for code in (
        "bladder_bowel",
        "saddle_numbness",
        "progressive_weakness",
        "weakness_with_easing_pain",
        "infection",
        "tumour",
        "fracture",
        "other_serious",
    )
}
