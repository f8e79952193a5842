"""Domain errors: the one way services say no. Screens and the API turn them into messages."""

from __future__ import annotations

from typing import Any, TypeVar

from .messages import fill

Row = TypeVar("Row")


class DomainError(Exception):
    """A business rule refused the request. ``code`` is stable; ``message`` is for people.

    ``template`` is the sentence as marked for translation (``core.messages.N_``) and ``params`` its
    named values; ``message`` is the two filled in, in English (see core/messages.py)."""

    code = "rule_violated"
    http_status = 422

    def __init__(self, message: str, *, details: Any = None, code: str | None = None, **params: Any):
        self.template = message
        self.params = params
        self.message = fill(message, params)
        super().__init__(self.message)
        self.details = details
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


def found(session, model: type[Row], row_id, message: str) -> Row:
    """The row of ``model`` with this id, else ``NotFound(message)`` (``message`` marked with N_)."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(message)
    return row


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 400


def invalid(message: str, field: str | None = None, **params: Any) -> InvalidInput:
    """A refusal of one field of a form: ``message`` marked with N_, its named values as keyword arguments;
    ``field`` names the form field the screens show the message next to (``details["field"]``)."""
    return InvalidInput(message, details={"field": field} if field else None, **params)


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class TooLarge(DomainError):
    code = "too_large"
    http_status = 413
