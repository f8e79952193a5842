"""Walk finding: the referring physician's phone "xyz" and a postcode "ABCDE" were accepted at intake. The
physician's phone follows the patient's rule (clinic.services.contact), and a postcode needs a digit: refused
at the field, what was typed kept, nothing saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from clinic.core.errors import InvalidInput
from clinic.models import Patient, Referral, ReferringPhysician
from clinic.services import contact, intake
from tests.factories import build_clinic
from tests.frontdesk.helpers import referral_form, refused_intake


@pytest.mark.parametrize("typed", ["ABCDE", "xyz", "1", "20095; rm"])
def test_no_postcode_is_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        contact.postal_code(typed)
    assert str(refused.value) == "This is not a postcode: e.g. 20095, or CH-8001 abroad."


@pytest.mark.parametrize("typed", ["1" * 100, "0" + "4" * 30])
def test_a_phone_of_too_many_digits_is_told_its_length_not_its_characters(typed):
    """Walk finding (4 December): a hundred ones got "use digits, spaces, + ( ) / - only", though it is only
    digits; the problem is the length."""
    with pytest.raises(InvalidInput) as refused:
        contact.phone_number(typed)
    assert str(refused.value) == "This telephone number is too short or too long: please check it."


@pytest.mark.parametrize("typed", ["20095", "1010", "CH-8001", "SW1A 1AA", " 1234  AB "])
def test_a_postcode_is_kept_as_typed(typed):
    assert contact.postal_code(typed) == " ".join(typed.split())


def test_the_physicians_phone_and_postcode_follow_the_patients_rules(session):
    with pytest.raises(InvalidInput) as refused:
        intake.add_physician(session, intake.PhysicianDetails(name="Dr. Kühn", phone="xyz"))
    assert refused.value.fields == ("physician_phone",)
    with pytest.raises(InvalidInput) as refused:
        intake.add_physician(session, intake.PhysicianDetails(name="Dr. Kühn", postal_code="ABCDE"))
    assert refused.value.fields == ("physician_postal_code",)
    assert session.scalar(select(func.count(ReferringPhysician.id))) == 0
    physician = intake.add_physician(
        session, intake.PhysicianDetails(name="Dr. Kühn", phone="040 1234 5670", postal_code="20095")
    )
    assert (physician.phone, physician.postal_code) == ("040 1234 5670", "20095")


def _shown(html: str, name: str) -> str:
    start = html.index(f'id="{name}"')
    return html[html.rindex("<input", 0, start) : html.index("</div>", start)]


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        (
            "physician_phone",
            "xyz",
            "This is not a telephone number: use digits, spaces, + ( ) / - only, e.g. +49 40 1234 5670.",
        ),
        ("postal_code", "ABCDE", "This is not a postcode: e.g. 20095, or CH-8001 abroad."),
        (
            "phone",
            "xyz",
            "This is not a telephone number: use digits, spaces, + ( ) / - only, e.g. +49 40 1234 5670.",
        ),
    ],
)
def test_intake_refuses_a_phone_or_postcode_at_its_field(session, browser, name, typed, message):
    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    html = refused_intake(browser, referral_form(**{name: typed}))
    shown = _shown(html, name)
    assert "is-invalid" in shown and message in shown, shown
    assert re.search(rf'id="{name}"[^>]*value="{typed}"|value="{typed}"[^>]*id="{name}"', html)
    session.expire_all()
    assert session.scalar(select(func.count(Referral.id))) == 0 and session.scalar(select(func.count(Patient.id))) == 0
    assert session.scalar(select(func.count(ReferringPhysician.id)).where(ReferringPhysician.name == "Dr. Kühn")) == 0
