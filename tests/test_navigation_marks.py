"""Staff walk (de-DE): the radiologist's and the nurse's clinical pages (the triage of one referral, the procedure
record, an appointment's page) marked no section of the menu. Every page marks the section it belongs to: the
longest address it lies under, else the section it is opened from."""

from __future__ import annotations

import re

import pytest

from tests.conftest import logged_in
from tests.factories import build_clinic, make_patient, make_referral
from tests.radiology.day_helpers import day_appointment, to_observation

ACTIVE_NAV = re.compile(r'<a class="nav-link active" href="([^"]*)"')


@pytest.fixture
def pages(app, session, settings):
    clinic = build_clinic(session, texts=True)
    referral = make_referral(session, make_patient(session))
    _clinic, observed = day_appointment(session, settings, clinic, to=to_observation)
    _clinic, booked = day_appointment(session, settings, clinic)
    session.commit()
    return {
        "referral": referral.id,
        "observed": observed.id,
        "booked": booked.id,
        "patient": observed.referral.patient_id,
    }


@pytest.mark.parametrize(
    ("username", "path", "section"),
    [
        ("rad1", "/radiology/referrals/{referral}", "/radiology/triage"),
        ("rad1", "/radiology/appointments/{booked}", "/radiology/worklist"),
        ("rad1", "/radiology/appointments/{observed}", "/radiology/worklist"),
        ("rad1", "/desk/appointments/{booked}", "/radiology/worklist"),
        ("rad1", "/observation/", "/observation/"),
        ("rad1", "/patients/{patient}", "/patients/"),
        ("nurse", "/radiology/appointments/{observed}", "/radiology/worklist"),
        ("nurse", "/desk/appointments/{observed}", "/radiology/worklist"),
        ("nurse", "/observation/", "/observation/"),
        ("frontdesk", "/desk/appointments/{booked}", "/desk/"),
    ],
)
def test_each_clinical_page_marks_its_section_of_the_menu(app, pages, username, path, section):
    (person,) = logged_in(app, username)
    response = person.get(path.format(**pages))
    assert response.status_code == 200
    assert ACTIVE_NAV.findall(response.get_data(as_text=True)) == [section]
