"""Domain errors: the one way services say no. Screens and the API turn them into messages."""

from __future__ import annotations

from collections.abc import Sequence
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

    @property
    def fields(self) -> tuple[str, ...]:
        """The form fields the refusal is about, for a screen to show it at: ``details["fields"]`` (a rule
        about several), else ``details["field"]``; empty when it is about the request as a whole."""
        details = self.details if isinstance(self.details, dict) else {}
        named = details.get("fields") or [details.get("field")]
        return tuple(name for name in named if isinstance(name, str) and name)


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


def invalid(message: str, field: str | Sequence[str] | None = None, **params: Any) -> InvalidInput:
    """A refusal of a form's field: ``message`` marked with N_, its named values as keyword arguments;
    ``field`` names the form field the screens show the message next to (``details["field"]``), or the
    fields of a rule about several (``details["fields"]`` too, the first also as ``"field"``)."""
    if not field:
        return InvalidInput(message, **params)
    if isinstance(field, str):
        return InvalidInput(message, details={"field": field}, **params)
    return InvalidInput(message, details={"field": field[0], "fields": list(field)}, **params)


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class TooLarge(DomainError):
    code = "too_large"
    http_status = 413
