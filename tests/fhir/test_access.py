"""Same tokens and role rules as /api/v1; refusals are OperationOutcome resources."""

from __future__ import annotations

import pytest

from clinic.services import accounts
from tests.fhir.conftest import Fhir
from tests.fhir.models import validate


def _outcome(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/fhir+json"
    outcome = validate(response.get_json())
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == code
    return outcome


@pytest.mark.parametrize("path", ["/Patient/1", "/Appointment", "/Slot?service-type=PRT", "/Location"])
def test_no_token_is_401_operation_outcome(app, world, path):
    response = Fhir(app.test_client(), None).get(path)
    _outcome(response, 401, "login")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_wrong_or_revoked_token_is_401(app, world, session, clinic):
    _outcome(Fhir(app.test_client(), "ct_not-a-token").get("/Appointment"), 401, "login")
    token = accounts.issue_token(session, clinic.staff["frontdesk"], "revoked")
    session.commit()
    assert Fhir(app.test_client(), token).get("/Appointment").status_code == 200
    row = accounts.user_tokens(session, clinic.staff["frontdesk"])[-1]
    accounts.revoke_token(session, row.id)
    session.commit()
    _outcome(Fhir(app.test_client(), token).get("/Appointment"), 401, "login")


@pytest.mark.parametrize(
    ("user", "path", "allowed"),
    [
        ("admin", "/Patient/{patient}", False),  # an administrator opens no patient records (as /api/v1)
        ("admin", "/Appointment", False),
        ("admin", "/Location", True),
        ("nurse", "/Patient/{patient}", True),
        ("nurse", "/ServiceRequest", False),  # referrals: front desk and radiologists, as /api/v1
        ("nurse", "/Slot?service-type=PRT", False),
        ("nurse", "/Procedure", True),
        ("frontdesk", "/Procedure", False),  # the procedure record: radiologists and nurses
        ("frontdesk", "/ServiceRequest", True),
        ("radiologist", "/ImagingStudy", True),
        ("nurse", "/ImagingStudy", False),
    ],
)
def test_roles_as_on_api_v1(fhir_as, world, user, path, allowed):
    response = fhir_as(user).get(path.format(patient=world.appointments["booked"].patient_id))
    if allowed:
        assert response.status_code == 200
    else:
        _outcome(response, 403, "forbidden")


def test_only_the_front_desk_books(fhir_as, world):
    body = {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": "Slot/1-1-1-1-202611240800-20-30"}],
    }
    _outcome(fhir_as("radiologist").post("/Appointment", json=body), 403, "forbidden")
    _outcome(fhir_as("nurse").post("/Appointment", json=body), 403, "forbidden")


def test_unknown_things_are_404_operation_outcomes(fhir, world):
    _outcome(fhir.get("/Appointment/999999"), 404, "not-found")
    _outcome(fhir.get("/Location/room-abc"), 404, "not-found")
    _outcome(fhir.get("/Slot/garbage"), 404, "not-found")
    _outcome(fhir.get("/Observation/1"), 404, "not-found")


def test_a_browser_session_cannot_post_without_csrf(app, world, browser, clinic):
    browser.login("frontdesk")
    response = app.test_client().post("/fhir/R4/Appointment", json={"resourceType": "Appointment"})
    assert response.status_code in (400, 401)
    response = browser.client.post("/fhir/R4/Appointment", json={"resourceType": "Appointment"})
    _outcome(response, 400, "invalid")
