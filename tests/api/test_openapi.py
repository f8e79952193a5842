"""The OpenAPI 3.1 document and the documentation page."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31

from clinic.auth.access import PUBLIC, access_rule
from clinic.config import PROJECT_ROOT

VENDOR = PROJECT_ROOT / "static" / "vendor" / "swagger-ui"


@pytest.fixture
def document(anonymous) -> dict:
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    errors = [str(e) for e in jsonschema_rs.validator_for(OPENAPI_31).iter_errors(document)]
    assert errors == []


def test_every_api_route_is_in_the_document(app, document):
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and access_rule(app.view_functions[rule.endpoint]) != PUBLIC:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented
    assert len(routes) >= 25


def test_every_operation_needs_a_token_and_documents_its_errors(document):
    assert document["components"]["securitySchemes"] == {
        "bearer": {"type": "http", "scheme": "bearer", "description": "An API token from `flask users token`."}
    }
    assert document["security"] == [{"bearer": []}]
    error = {"$ref": "#/components/schemas/Error"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status in ("400", "401", "403"):
                assert operation["responses"][status]["content"]["application/json"]["schema"] == error, (path, method)
            if "{" in path:
                assert "404" in operation["responses"], (path, method)
            assert operation["summary"] and operation["operationId"] and operation["tags"], (path, method)


def test_bookings_document_the_conflict_with_its_candidates(document):
    for path in ("/api/v1/appointments", "/api/v1/appointments/{appointment_id}/reschedule"):
        conflict = document["paths"][path]["post"]["responses"]["409"]["content"]["application/json"]["schema"]
        assert conflict == {"$ref": "#/components/schemas/SlotTaken"}
    details = document["components"]["schemas"]["SlotTakenDetails"]
    assert details["properties"]["candidates"]["items"] == {"$ref": "#/components/schemas/Slot"}


def test_pdfs_and_uploads_have_their_media_types(document):
    letter = document["paths"]["/api/v1/appointments/{appointment_id}/letter.pdf"]["get"]
    assert list(letter["responses"]["200"]["content"]) == ["application/pdf"]
    upload = document["paths"]["/api/v1/referrals/{referral_id}/imaging"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    assert "413" in upload["responses"]


def test_letters_document_their_refusal(document):
    """The letter and the print pack are refused (422) for an appointment a setup change stranded."""
    for path, method in (("letter.pdf", "get"), ("print-pack.pdf", "post")):
        responses = document["paths"][f"/api/v1/appointments/{{appointment_id}}/{path}"][method]["responses"]
        assert "422" in responses and "404" in responses


def test_times_are_documented_with_their_offset(document):
    chain = document["components"]["schemas"]["RescheduleIn"]["properties"]
    assert chain["table_start"]["format"] == "date-time"
    assert "offset" in chain["table_start"]["description"]
    seen = chain["moving_from"]["anyOf"][0]
    assert seen["format"] == "date-time" and "moved_meanwhile" in chain["moving_from"]["description"]


def test_query_parameters_are_plain_and_optional(document):
    """A query string cannot say null: optional parameters are documented as left out, not as null."""
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/slots"]["get"]["parameters"]}
    referral = parameters["referral_id"]
    assert referral["required"] is False
    assert (referral["schema"]["type"], referral["schema"]["minimum"], "anyOf" in referral["schema"]) == (
        "integer",
        1,
        False,
    )
    assert parameters["part_of_day"]["schema"]["enum"] == ["any", "morning", "afternoon"]


def test_the_documentation_page_uses_only_vendored_files(anonymous):
    page = anonymous.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in sources
    assert "/static/vendor/swagger-ui/swagger-ui.css" in sources
    assert all(s.startswith("/") for s in sources), sources  # no CDN
    assert "<script>" not in html and "style=" not in html  # nothing inline: the app's CSP holds
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert "style-src 'self';" in page.headers["Content-Security-Policy"]

    script = anonymous.get("/docs/start.js")
    assert script.mimetype == "text/javascript"
    assert '"/api/v1/openapi.json"' in script.get_data(as_text=True)
    assert "validatorUrl: null" in script.get_data(as_text=True)


def test_the_vendored_docs_ui_keeps_its_licence(client):
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    assert "swagger-ui-dist" in (VENDOR / "VERSION").read_text()
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"/static/vendor/swagger-ui/{name}")
        assert response.status_code == 200
        response.close()
    assert "sourceMappingURL" not in (VENDOR / "swagger-ui.css").read_text()[-200:]  # the maps are not shipped
