"""Domain errors: the one way services say no. Screens and the API turn them into messages."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request. ``code`` is stable; ``message`` is for people."""

    code = "rule_violated"
    http_status = 422

    def __init__(self, message: str, *, details: Any = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 400


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class TooLarge(DomainError):
    code = "too_large"
    http_status = 413
