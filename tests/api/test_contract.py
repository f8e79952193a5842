"""Issue 15, finding 13: contract details. A 405 says which methods are allowed; a day is written
YYYY-MM-DD and nothing else (``?date=0`` was read as 1970-01-01); ids the schema calls integers are
accepted as JSON numbers (``12.0``), and the schema says what a day looks like."""

from __future__ import annotations

import pytest


def test_a_405_names_the_allowed_methods(api, app):
    refused = api.client.delete("/api/v1/appointments", headers={"Authorization": f"Bearer {api.token}"})
    assert refused.status_code == 405
    assert set(refused.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert refused.get_json()["error"]["code"] == "method_not_allowed"
    screen = app.test_client().put("/login")
    assert screen.status_code == 405 and "POST" in screen.headers["Allow"]


@pytest.mark.parametrize("day", ["0", "1", "20261123", "1e3", "-1"])
def test_a_day_that_is_a_number_is_refused(api, day):
    response = api.get(f"/appointments?date={day}")
    assert response.status_code == 400, response.get_json()


def test_a_day_written_as_the_schema_says_is_accepted(api):
    assert api.get("/appointments?date=2026-11-23").status_code == 200


def test_the_schema_says_how_a_day_is_written(api):
    document = api.get("/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/appointments"]["get"]["parameters"]
    (date,) = [p for p in parameters if p["name"] == "date"]
    assert date["schema"]["format"] == "date" and date["schema"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"


def test_an_id_written_as_a_whole_json_number_is_accepted(world, api_as):
    referral = world.ready[0]
    payload = {"referral_id": float(referral.id), "room_id": 999999.0}
    found = api_as("frontdesk").post("/appointments", json={**payload})
    assert found.status_code != 500
    assert "referral_id" not in str(found.get_json()["error"].get("details") or "")  # 12.0 is an integer
    text = api_as("frontdesk").post("/appointments", json={"referral_id": str(referral.id)})
    assert text.status_code == 400 and "referral_id" in text.get_json()["error"]["message"]
