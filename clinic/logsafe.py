"""Errors described for the log without the data they carry.

A database error's text holds the statement's values (``[parameters: …]``, turned off with SQLAlchemy's
``hide_parameters``) and often the server's DETAIL line (``Key (insurance_number)=(A123) already
exists``); other exceptions may quote the value that upset them. Patient data has no place in a log
file, so what is logged is the kind of error, the database's SQLSTATE and statement (placeholders, no
values) and where in the code it happened: enough to find the fault, nothing about the patient.
"""

from __future__ import annotations

import traceback

from sqlalchemy.exc import DBAPIError, StatementError

MAX_STATEMENT = 400


def describe(error: BaseException) -> str:
    """One line per exception in the chain, without messages."""
    parts = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(_one(current))
        current = current.__cause__ or current.__context__
    return " ← ".join(parts)


def _one(error: BaseException) -> str:
    name = f"{type(error).__module__}.{type(error).__qualname__}"
    if isinstance(error, StatementError):
        statement = " ".join((error.statement or "").split())[:MAX_STATEMENT]
        orig = getattr(error, "orig", None)
        sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        origin = f"{type(orig).__module__}.{type(orig).__qualname__}" if orig is not None else "?"
        kind = "database error" if isinstance(error, DBAPIError) else "statement error"
        return f"{name} ({kind} {origin}, SQLSTATE {sqlstate or 'n/a'}) in: {statement}"
    return name


def where(error: BaseException) -> str:
    """The stack of the error (files, lines, code), without the exception's message."""
    return "".join(traceback.format_tb(error.__traceback__)).rstrip()


def log_error(logger, what: str, error: BaseException) -> None:
    logger.error("%s: %s\n%s", what, describe(error), where(error))
