"""The JSON API, v1: referral portals, the hospital information system and scripts use it.

It adds no business logic: each view validates the request (pydantic models, through spectree), calls
the service the screens call, and presents the result. The OpenAPI 3.1 document at /api/v1/openapi.json
is generated from the same models; /api/v1/docs shows it.
"""

from flask import Blueprint

bp = Blueprint("api", __name__)

from . import errors, openapi, routes  # noqa: E402,F401

errors.register(bp)
bp.before_request(openapi.parse_json_body)
