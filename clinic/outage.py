"""Is the database out of reach? Then the answer is 503 with Retry-After, not a server error.

A PostgreSQL restart, a failover or a cut network shows up as a driver error at connect time or on a
connection the server closed (SQLSTATE class 08 "connection exception", 57P01-57P03 "admin shutdown",
"crash shutdown", "cannot connect now"), or as the pool giving up waiting for a connection. On SQLite
the equivalent is the write lock not coming free within the busy timeout, or the file not opening.
Nothing is half saved: the request's one transaction did not commit.
"""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .core.messages import N_

RETRY_AFTER_SECONDS = 30
MESSAGE = N_("The clinic's database cannot be reached for a moment. Nothing was saved. Please try again shortly.")
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def database_unavailable(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 5:
        if _unavailable(error):
            return True
        error = getattr(error, "original_exception", None) or error.__cause__ or error.__context__
        seen += 1
    return False


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        sqlstate = getattr(error, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03")
    if isinstance(error, sqlite3.OperationalError):
        return any(text in str(error).lower() for text in _SQLITE_UNAVAILABLE)
    return False
