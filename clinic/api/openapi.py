"""Request validation and the OpenAPI 3.1 document, from the same pydantic models (spectree).

Each view declares what it takes through its annotations (``json: Model``, ``query: Model``,
``form: Model``) and what it answers through ``@operation``. spectree validates the request against
those models before the view runs and generates the document from them, so the document cannot drift
from what the API accepts.

The document lists only the views decorated here (spectree's strict mode) and is built once per app.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import current_app, request
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree

from . import idempotent
from .errors import invalid, malformed
from .schemas.common import Error

TITLE = "Pain clinic API"
VERSION = "1.0.0"
DESCRIPTION = """\
The clinic's JSON API for referral portals, the hospital information system and scripts.

**Authentication.** Every operation needs a token: `flask --app clinic users token NAME` prints one
(once; only its hash is stored), `flask --app clinic users revoke-token ID` revokes it. Send it as
`Authorization: Bearer <token>`. The token acts as its user: the same roles as on the screens.

**Times** are ISO 8601 with an offset (`2026-11-23T09:30:00+01:00`, or `Z` for UTC). Any offset is
accepted; times without an offset are refused with 400. Answers give instants in UTC. Days
(`YYYY-MM-DD`) are calendar days in the clinic's time zone.

**Errors** are `{"error": {"code", "message", "details"}}`: 400 the request cannot be read (malformed
JSON, wrong types, unknown fields), 401 no valid token, 403 the role does not allow it, 404 no such
record, 409 a conflict (for a booking: the time was taken, `details.candidates` holds the next free
times), 413 too large, 422 a business rule refused it (for example `not_ready`: `details.missing`
lists what the pre-registration still needs).

**The patient's link is not part of this API.** Patients have no accounts and no tokens: each referral
can have one personal link, `/p/<link token>`, a set of server-rendered pages in the patient's language
(German or English) that open with the patient's date of birth. Through it a patient answers the
pre-registration questions (kept as proposals until the front desk confirms them), uploads prior
imaging, chooses one of the earliest free times (held while they confirm, then booked with the same
rules as here), downloads the appointment as iCalendar, confirms, moves or cancels it (not within 24
hours of the procedure) and asks for an earlier time. The front desk sends, resends and revokes links on
the referral page; an admin turns each step on under Admin → Patient portal. See the README, section
"The patient's link".
"""

TAGS = {
    "catalogue": "What the clinic offers.",
    "patients": "Finding, registering and reading patients.",
    "referrals": "Referrals, triage and the pre-registration checklist.",
    "imaging": "Prior imaging uploads.",
    "scheduling": "Free times and booking.",
    "appointments": "Appointments and the steps of the procedure day.",
    "worklist": "The day's worklist.",
    "documents": "Printed documents (PDF).",
}

IDEMPOTENCY_PARAMETER = {
    "name": idempotent.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Send a new unique key (e.g. a UUID) with each booking; a retry with the same key gets the stored "
        "answer instead of a second booking. Keys belong to the token that sent them."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
PDF_RESPONSE = {"application/pdf": {"schema": {"type": "string", "contentMediaType": "application/pdf"}}}

# Operations whose success is a PDF, by operation id; their 200 gets the PDF media type in the document.
_pdf_operations: set[str] = set()


def parse_json_body() -> None:
    """Read a JSON body before anything else does (the result is cached on the request). Python's
    parser gives up on very deep nesting with a RecursionError, which Flask does not catch."""
    if request.is_json:
        try:
            request.get_json(silent=True)
        except RecursionError:
            raise malformed("The JSON body is nested too deeply.") from None


def _before(req, resp, validation_error, instance, model_adapter) -> None:
    """Runs after spectree's validation, before the view. The body's form is checked first, so that
    a body that is not JSON at all says so instead of listing every missing field."""
    metadata = spec.get_function_metadata(current_app.view_functions[request.endpoint])
    if metadata is not None and request.method not in ("GET", "HEAD", "DELETE"):
        if metadata.json is not None:
            _require_json_object()
        if metadata.form is not None and request.mimetype != "multipart/form-data":
            raise malformed("Send this request as multipart/form-data.")
    if validation_error is not None:
        raise invalid(validation_error)


def _require_json_object() -> None:
    if not request.is_json:
        raise malformed("Send the body as JSON, with Content-Type: application/json.")
    payload = request.get_json(silent=True)
    if payload is None:
        raise malformed("The body is not valid JSON.")
    if not isinstance(payload, dict):
        raise malformed("The body must be a JSON object.")


def _after(req, resp, validation_error, instance, model_adapter) -> None:
    """An answer that does not match its own model is a bug: let it reach the app's 500 handler (logged,
    rolled back, in the error shape) rather than spectree's bare list of complaints."""
    if validation_error is not None:
        raise RuntimeError(
            f"{request.endpoint} answered with a body that does not match its model"
        ) from validation_error


spec = SpecTree(
    "flask",
    mode="strict",
    title=TITLE,
    version=VERSION,
    description=DESCRIPTION,
    annotations=True,
    before=_before,
    after=_after,
    validation_error_status=400,
    validation_error_model=Error,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(type="http", scheme="bearer", description="An API token from `flask users token`."),
        )
    ],
    security={"bearer": []},
    page_templates={},  # the documentation page is ours: vendored, no CDN (see docs.py)
)


def operation(
    *,
    ok: type | None = None,
    status: int = 200,
    errors: Iterable[int] = (),
    models: Mapping[int, type] | None = None,
    pdf: bool = False,
    tags: Iterable[str] = (),
) -> Callable:
    """Document and validate a view: ``ok`` is the success body (None for a PDF), ``errors`` the
    error statuses it can answer besides 400, 401 and 403 (which every operation can), ``models``
    error statuses whose body is more specific than ``Error``."""
    codes: dict[str, Any] = {f"HTTP_{status}": ok}
    for code in sorted({400, 401, 403, *errors, *(models or {})}):
        codes[f"HTTP_{code}"] = (models or {}).get(code, Error)

    def decorate(view: Callable) -> Callable:
        if pdf:
            _pdf_operations.add(view.__name__)
        return spec.validate(resp=Response(**codes), tags=tuple(tags), operation_id=view.__name__)(view)

    return decorate


def document() -> dict[str, Any]:
    """The OpenAPI document of this app, built on first use."""
    cached = current_app.extensions.get("clinic_api_openapi")
    if cached is None:
        cached = _finish(copy.deepcopy(spec.spec))
        current_app.extensions["clinic_api_openapi"] = cached
    return cached


def _finish(document: dict[str, Any]) -> dict[str, Any]:
    """What spectree leaves out: the PDF media type, and the tags' descriptions."""
    for methods in document["paths"].values():
        for operation_ in methods.values():
            if operation_["operationId"] in _pdf_operations:
                success = operation_["responses"]["200"]
                success["description"] = "A PDF document."
                success["content"] = PDF_RESPONSE
            for parameter in operation_.get("parameters", []):
                _tidy(parameter)
            if operation_["operationId"] in idempotent.operations:
                operation_.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
    document["tags"] = [{"name": name, "description": text} for name, text in TAGS.items()]
    return document


def _tidy(parameter: dict[str, Any]) -> None:
    """A query string cannot say null: an optional parameter is one that is left out."""
    schema = parameter["schema"]
    variants = schema.get("anyOf", [])
    if any(v.get("type") == "null" for v in variants):
        (kept,) = [v for v in variants if v.get("type") != "null"]
        del schema["anyOf"]
        schema.update(kept)
    if schema.get("default", ...) is None:
        del schema["default"]
    if not parameter.get("description"):
        parameter.pop("description", None)
