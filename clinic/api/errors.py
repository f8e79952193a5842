"""JSON errors for the API: {"error": {"code", "message", "details"}}.

Domain errors keep their own status and code (``DomainError.http_status`` and ``.code``); requests the
API cannot read answer 400. HTTP errors raised outside the views (401 from the login manager, 403 from
the access check, 404 for unknown paths, 405, 413 from Flask's size limit) are turned into the same
shape by ``clinic.errors``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from pydantic import ValidationError

from ..core.errors import DomainError
from ..scheduling.booking import SlotTaken
from .schemas.common import Slot


def json_error(status: int, code: str, message: str, details: Any = None):
    response = jsonify({"error": {"code": code, "message": message, "details": details}})
    response.status_code = status
    return response


class ApiError(Exception):
    """A request the API refuses before any service sees it."""

    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def malformed(message: str, details: Any = None) -> ApiError:
    return ApiError(400, "malformed", message, details)


def invalid(error: ValidationError) -> ApiError:
    """Pydantic's complaints, without echoing the input back (it may hold patient data)."""
    problems = [
        {"loc": list(problem["loc"]), "msg": problem["msg"], "type": problem["type"]}
        for problem in error.errors(include_url=False, include_context=False, include_input=False)
    ]
    fields = sorted({".".join(str(part) for part in p["loc"]) or "body" for p in problems})
    return ApiError(400, "invalid_request", "The request is not valid: check " + ", ".join(fields) + ".", problems)


def register(bp: Blueprint) -> None:
    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        return json_error(error.status, error.code, error.message, error.details)

    @bp.errorhandler(DomainError)
    def domain_error(error: DomainError):
        details = error.details
        if isinstance(error, SlotTaken):
            # The same shape and time format as GET /slots, so a client can book a candidate as it is.
            details = {"candidates": [Slot.model_validate(c).model_dump(mode="json") for c in error.candidates]}
        return json_error(error.http_status, error.code, error.message, details)
