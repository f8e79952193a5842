"""Issue 15, finding 6: one email rule for screens and API, through one service (clinic.services.contact):
no "a@b", no lists of addresses, no markup; and nothing is ever sent to two addresses at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.core.errors import InvalidInput
from clinic.models import Patient
from clinic.services import contact, outbox
from tests.conftest import NOW, Browser
from tests.factories import make_patient

REFUSED = [
    "a@b",
    "a@example.org, b@example.org",
    "a@example.org;b@example.org",
    "<b>x</b>@example.org",
    "x y@example.org",
]


@pytest.mark.parametrize("email", REFUSED)
def test_the_api_refuses_what_the_screens_refuse(session, clinic, api_as, app, email):
    api = api_as("frontdesk").post(
        "/patients",
        json={"family_name": "Emailtest", "given_name": "Api", "birth_date": "1960-05-01", "email": email},
    )
    assert api.status_code in (400, 422), api.get_json()
    assert "email" in api.get_json()["error"]["message"]

    browser = Browser(app.test_client())
    browser.login("frontdesk")
    patient = make_patient(session)
    session.commit()
    form = {"family_name": "Emailtest", "given_name": "Screen", "birth_date": "1960-05-01", "email": email}
    screen = browser.post(f"/desk/patients/{patient.id}/edit", {**form, "preferred_language": "de"})
    assert screen.status_code == 422
    assert "not a valid email address" in screen.get_data(as_text=True)
    assert session.scalar(select(Patient.id).where(Patient.family_name == "Emailtest")) is None


def test_a_good_address_is_kept_normalised(session, clinic, api_as):
    created = api_as("frontdesk").post(
        "/patients",
        json={
            "family_name": "Emailtest",
            "given_name": "Ok",
            "birth_date": "1960-05-01",
            "email": " Jonas@Example.ORG ",
        },
    )
    assert created.status_code == 201
    assert created.get_json()["email"] == "Jonas@example.org"


def test_the_outbox_never_sends_to_two_addresses(session):
    with pytest.raises(InvalidInput):
        outbox.queue(session, kind="other", recipient="a@example.org, b@example.org", subject="x", body="y", now=NOW)
    assert contact.email_address("") is None


def test_an_unreadable_phone_on_the_edit_form_is_said_at_the_field(session, clinic, app):
    """Walk finding: the edit form answered a bad phone number with a server error (it asked for a
    referral letter the form does not have)."""
    browser = Browser(app.test_client())
    browser.login("frontdesk")
    patient = make_patient(session)
    session.commit()
    before = patient.phone
    form = {"family_name": patient.family_name, "given_name": patient.given_name, "birth_date": "1960-05-01"}
    screen = browser.post(f"/desk/patients/{patient.id}/edit", {**form, "phone": "xyz", "preferred_language": "de"})
    page = screen.get_data(as_text=True)
    assert screen.status_code in (400, 422)
    assert "this is not a telephone number" in page.lower()
    assert 'value="xyz"' in page  # what was typed is kept
    session.expire_all()
    assert session.get(Patient, patient.id).phone == before
