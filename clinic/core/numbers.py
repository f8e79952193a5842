"""Whole numbers from outside (an address, a query string, a form) that the database can hold."""

from __future__ import annotations

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
