"""OperationOutcome: how FHIR says no. Used for our refusals, the boundary's 401/403 and HTTP errors."""

from __future__ import annotations

from flask import Blueprint, Response, json

from ..core.errors import DomainError

FHIR_JSON = "application/fhir+json"
PREFIX = "/fhir/"

# HTTP status → the issue type (http://hl7.org/fhir/issue-type) a client can act on.
ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    410: "deleted",
    412: "conflict",
    413: "too-long",
    422: "processing",
    500: "exception",
}


class FhirError(Exception):
    """A request the FHIR adapter refuses before (or instead of) a service."""

    def __init__(self, status: int, message: str, issue_type: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.issue_type = issue_type or ISSUE_TYPES.get(status, "processing")


def resource_response(resource: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(resource), status=status, mimetype=FHIR_JSON, headers=headers)


def operation_outcome(status: int, message: str, issue_type: str | None = None, code: str | None = None) -> Response:
    issue: dict = {
        "severity": "error" if status < 500 else "fatal",
        "code": issue_type or ISSUE_TYPES.get(status, "processing"),
        "diagnostics": message,
    }
    if code:
        # The clinic's own reason (as /api/v1 names it: slot_taken, not_ready, ...), for programs.
        issue["details"] = {"coding": [{"system": "urn:pain-clinic:error", "code": code}], "text": message}
    return resource_response({"resourceType": "OperationOutcome", "issue": [issue]}, status)


def register(bp: Blueprint) -> None:
    @bp.errorhandler(FhirError)
    def fhir_error(error: FhirError):
        return operation_outcome(error.status, error.message, error.issue_type)

    @bp.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return operation_outcome(error.http_status, error.message, code=error.code)
