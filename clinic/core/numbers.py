"""Numbers from outside (an address, a query string, a form): whole numbers the database can hold, and
measured values (a dose) typed with a decimal comma or point."""

from __future__ import annotations

import re
from decimal import Decimal

# PostgreSQL's ``integer``: every id and every count or setting the clinic keeps fits in it. A larger
# number from a request is no record and no value; handed on, it would stop the database driver
# (SQLite: OverflowError; PostgreSQL: "integer out of range").
LARGEST = 2**31 - 1


def whole(text: str) -> int:
    """``request.args.get(name, default, type=whole)``: the number, or ``ValueError`` (so the default)
    when it is not one or does not fit."""
    value = int(text)
    if not -LARGEST <= value <= LARGEST:
        raise ValueError("out of range")
    return value


_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def decimal(text: str) -> Decimal:
    """A measured value as staff type it, whatever the browser's language: "1,5" and "1.5" both read 1.5
    (a number input in an English-UI browser made "1,5" into 15). Only one separator, for the decimals;
    anything else ("1.000,5", "zwölf", "5 mg") is ``ValueError``."""
    cleaned = (text or "").strip().replace(" ", "")
    if not _DECIMAL.fullmatch(cleaned):
        raise ValueError("not a number")
    value = Decimal(cleaned.replace(",", "."))
    if not value.is_finite() or abs(value) > LARGEST:
        raise ValueError("out of range")
    return value
