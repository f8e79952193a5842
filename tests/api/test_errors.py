"""The API's error contract, one test per case: every error is {"error": {"code", "message", "details"}},
with the status the issue names: 400 malformed, 401, 403, 404, 409 (with the next candidates), 413, 422
(with what is missing). Never a 500."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from clinic.models import Appointment
from tests.api.conftest import PREFIX, Api
from tests.factories import make_patient
from tests.scheduling.helpers import chain_json, first_candidates


def error_of(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture
def desk(api_as) -> Api:
    return api_as("frontdesk")


# --- 400: the request cannot be read --------------------------------------------------------------------


def test_malformed_json_is_400(desk):
    response = desk.post("/patients/search", data="{not json", headers={"Content-Type": "application/json"})
    error_of(response, 400, "malformed")


def test_a_body_that_is_not_json_is_400(desk):
    response = desk.post("/patients/search", data={"q": "Müller"})  # a form, not JSON
    assert "JSON" in error_of(response, 400, "malformed")["message"]


def test_a_json_body_that_is_not_an_object_is_400(desk):
    error_of(desk.post("/patients/search", json=["Müller"]), 400, "malformed")


def test_deeply_nested_json_is_400_not_a_server_error(desk):
    body = "[" * 100_000 + "]" * 100_000
    response = desk.post("/patients/search", data=body, headers={"Content-Type": "application/json"})
    error_of(response, 400, "malformed")


def test_a_wrong_type_is_400_and_names_the_field(desk):
    error = error_of(desk.post("/patients/search", json={"q": "Müller", "limit": "10"}), 400, "invalid_request")
    assert error["details"] == [{"loc": ["limit"], "msg": "Input should be a valid integer", "type": "int_type"}]


def test_an_unknown_field_is_400(desk):
    error = error_of(desk.post("/patients/search", json={"q": "Müller", "surname": "x"}), 400, "invalid_request")
    assert error["details"][0]["loc"] == ["surname"]


def test_a_missing_field_is_400(desk):
    error = error_of(desk.post("/patients/search", json={}), 400, "invalid_request")
    assert error["details"][0] == {"loc": ["q"], "msg": "Field required", "type": "missing"}


def test_validation_errors_do_not_echo_the_input(desk):
    error = error_of(desk.post("/patients/search", json={"q": 12345}), 400, "invalid_request")
    assert "12345" not in str(error)


def test_a_time_without_an_offset_is_400(session, settings, world, desk):
    referral = world.ready[0]
    chain = chain_json(first_candidates(session, settings, referral)[0])
    chain["table_start"] = chain["table_start"].replace("+00:00", "")
    error = error_of(desk.post("/appointments", json={"referral_id": referral.id, **chain}), 400, "invalid_request")
    assert error["details"][0]["loc"] == ["table_start"]
    assert error["details"][0]["type"] == "timezone_aware"


def test_a_nul_character_is_400(desk):
    error_of(desk.post("/patients/search", json={"q": "Mü\x00ller"}), 400, "invalid_request")


def test_a_query_parameter_of_the_wrong_type_is_400(desk):
    error = error_of(desk.get("/slots?procedure_type_id=one"), 400, "invalid_request")
    assert error["details"][0]["loc"] == ["procedure_type_id"]


def test_a_business_input_problem_from_a_service_is_400(world, desk):
    # InvalidInput from the services keeps its status (400) and code.
    response = desk.post(f"/appointments/{world.appointments['booked'].id}/cancel", json={"reason": "   "})
    error_of(response, 400, "invalid_input")


def test_an_upload_must_be_multipart(world, desk):
    response = desk.post(f"/referrals/{world.ready[0].id}/imaging", json={"files": []})
    assert "multipart" in error_of(response, 400, "malformed")["message"]


# --- 401 and 403 ------------------------------------------------------------------------------------------


def test_no_token_is_401(anonymous):
    error_of(anonymous.get("/procedure-types"), 401, "unauthorized")


def test_an_unknown_token_is_401(app, clinic):
    error_of(Api(app.test_client(), "ct_not-a-real-token").get("/procedure-types"), 401, "unauthorized")


def test_a_session_of_a_logged_in_person_does_not_need_a_token(browser, clinic):
    assert browser.login("frontdesk").status_code == 302
    assert browser.get(PREFIX + "/procedure-types").status_code == 200


def test_a_role_the_screens_would_refuse_is_403(world, api_as):
    nurse = api_as("nurse")
    error_of(nurse.post("/appointments", json={}), 403, "forbidden")  # booking is the front desk's
    error_of(api_as("frontdesk").post(f"/appointments/{world.appointments['consented'].id}/start"), 403)
    error_of(api_as("admin").post("/patients/search", json={"q": "Müller"}), 403, "forbidden")


# --- 404 --------------------------------------------------------------------------------------------------


def test_an_id_that_does_not_exist_is_404(world, desk):
    assert "appointment 999999" in error_of(desk.get("/appointments/999999"), 404, "not_found")["message"]


def test_an_id_in_the_body_that_does_not_exist_is_404(session, settings, world, desk):
    chain = chain_json(first_candidates(session, settings, world.ready[0])[0])
    error_of(desk.post("/appointments", json={"referral_id": 999999, **chain}), 404, "not_found")


def test_an_id_beyond_any_column_is_404_not_a_server_error(desk):
    error_of(desk.get("/appointments/99999999999999999999999"), 404, "not_found")


def test_an_unknown_path_is_404(desk):
    error_of(desk.get("/no-such-thing"), 404, "not_found")


def test_a_method_the_path_does_not_take_is_405(desk):
    error_of(desk.client.delete(PREFIX + "/procedure-types", headers=desk._headers(None)), 405)


# --- 409 --------------------------------------------------------------------------------------------------


def test_a_time_that_was_taken_is_409_with_the_next_candidates(session, settings, world, desk):
    first, second = world.ready[0], world.ready[1]
    candidate = first_candidates(session, settings, first)[0]
    assert desk.post("/appointments", json={"referral_id": first.id, **chain_json(candidate)}).status_code == 201

    # Another client books the same chain for another patient: it was free when it looked.
    error = error_of(desk.post("/appointments", json={"referral_id": second.id, **chain_json(candidate)}), 409)
    assert error["code"] == "slot_taken"
    candidates = error["details"]["candidates"]
    assert candidates, "the next free times are offered"
    assert chain_json(candidate) not in [
        {**c, **{k: dt.datetime.fromisoformat(c[k]).isoformat() for k in ("table_start", "table_end", "obs_end")}}
        for c in candidates
    ]

    # ...and each of them can be booked as it is.
    retry = desk.post("/appointments", json={"referral_id": second.id, **candidates[0]})
    assert retry.status_code == 201, retry.get_json()


def test_a_likely_duplicate_patient_is_409_with_the_existing_record(session, clinic, desk):
    patient = make_patient(session)
    session.commit()
    body = {"family_name": patient.family_name, "given_name": patient.given_name, "birth_date": str(patient.birth_date)}
    error = error_of(desk.post("/patients", json=body), 409, "likely_duplicate")
    assert error["details"] == {"patient_ids": [patient.id]}
    assert desk.post("/patients", json={**body, "allow_duplicate": True}).status_code == 201


# --- 413 --------------------------------------------------------------------------------------------------


def multipart(files: dict[str, tuple[bytes, str]]) -> dict:
    """A multipart body built in memory (the test client would spool a large one to a temporary file
    that it never closes)."""
    fields = {key: FileStorage(io.BytesIO(data), filename=name) for key, (data, name) in files.items()}
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def a_pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * size + b"\n%%EOF\n"


def test_a_request_over_the_size_limit_is_413(app, world, desk):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # as UPLOAD_MAX_REQUEST_MB sets it, smaller for the test
    response = desk.post(f"/referrals/{world.ready[0].id}/imaging", **multipart({"files": (a_pdf(100_000), "a.pdf")}))
    error_of(response, 413, "too_large")


def test_a_file_over_the_per_file_limit_is_413(app, world, desk):
    app.config["UPLOAD_MAX_FILE_MB"] = 1
    body = multipart({"files": (a_pdf(1024 * 1024), "scan.pdf")})
    error_of(desk.post(f"/referrals/{world.ready[0].id}/imaging", **body), 413, "too_large")


# --- 422 --------------------------------------------------------------------------------------------------


def test_slots_for_a_referral_that_is_not_ready_is_422_with_what_is_missing(world, desk):
    error = error_of(desk.get(f"/slots?referral_id={world.incomplete.id}"), 422, "not_ready")
    assert error["details"]["missing"] == ["Escort home arranged: no escort recorded"]


def test_booking_a_referral_that_is_not_ready_is_422_with_what_is_missing(session, settings, world, desk):
    referral = world.incomplete
    chain = chain_json(first_candidates(session, settings, referral)[0])  # the raw finder's offer
    error = error_of(desk.post("/appointments", json={"referral_id": referral.id, **chain}), 422, "not_ready")
    assert error["details"]["missing"] == ["Escort home arranged: no escort recorded"]
    assert session.scalar(select(Appointment.id).where(Appointment.referral_id == referral.id)) is None


def test_slots_for_a_referral_not_triaged_yet_is_422_with_the_checklist(world, desk):
    error = error_of(desk.get(f"/slots?referral_id={world.received.id}"), 422, "not_ready")
    assert any(item.startswith("Referral accepted by a radiologist") for item in error["details"]["missing"])


def test_a_step_out_of_order_is_422(world, api_as):
    radiologist = api_as("radiologist")
    error = error_of(radiologist.post(f"/appointments/{world.appointments['booked'].id}/end"), 422, "invalid_state")
    assert error["details"] is None


def test_discharge_without_the_checklist_is_422_with_what_is_missing(world, api_as):
    response = api_as("nurse").post(f"/appointments/{world.appointments['in_observation'].id}/discharge", json={})
    error = error_of(response, 422, "discharge_incomplete")
    assert "Escort present" in error["details"]["missing"]


def test_a_refused_request_leaves_nothing_behind(session, world, api_as):
    appointment = world.appointments["in_observation"]
    response = api_as("nurse").post(f"/appointments/{appointment.id}/discharge", json={"stable": True})
    assert response.status_code == 422
    session.expire_all()
    from clinic.services import procedure_day

    assert procedure_day.observation_of(session, appointment).stable is False  # the checklist change was rolled back
