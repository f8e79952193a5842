"""Loading the records a request names; a missing one is a 404 in the API's error shape."""

from __future__ import annotations

from typing import TypeVar

from ..core.errors import NotFound
from ..extensions import db

T = TypeVar("T")

# Path ids: positive and within a 32-bit column, so that a huge number in a URL is a plain 404.
ID = "int(min=1, max=2147483647)"


def find(model: type[T], ident: int, what: str) -> T:
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound(f"There is no {what} {ident}.")
    return obj
