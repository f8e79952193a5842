"""Database engine set-up and transaction helpers shared by requests, jobs and the CLI.

SQLite serialises writers with a file lock. A transaction that starts by reading and later writes has
to upgrade its lock, and in WAL mode that upgrade fails at once (no waiting) if another connection
wrote in between. Booking reads, checks, then writes, so on SQLite every transaction starts with
``BEGIN IMMEDIATE``: it takes the write lock first and waits (``busy_timeout``) for it. This follows
SQLAlchemy's pysqlite recipe: turn off the driver's own transaction handling, emit BEGIN ourselves.
On PostgreSQL nothing special is needed; the exclusion constraints are the last guard.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, any_, bindparam, event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000


def configure_engine(engine: Engine) -> None:
    if getattr(engine, "_clinic_configured", False):
        return
    engine._clinic_configured = True  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":
        _session_in_utc(engine)
    elif engine.dialect.name == "sqlite":
        _sqlite_transactions(engine)


def _session_in_utc(engine: Engine) -> None:
    """Every PostgreSQL session runs in UTC, whatever the server's default: a date taken from an instant
    in SQL is then the UTC date on every server, and instants come back with Python's own UTC, which
    the model's column type hands on as they are (no conversion per value: a finder reads thousands)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()


def _sqlite_transactions(engine: Engine) -> None:
    """Foreign keys, the busy timeout, WAL, and BEGIN IMMEDIATE (the module's docstring says why)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def among(session: Session, column, ids) -> ColumnElement[bool]:
    """``column IN ids`` for a list of ids that changes with the data (the start page's waiting referrals,
    a day's appointments). On PostgreSQL it is ``column = ANY(:array)``, one parameter however many ids:
    the statement's text is then the same every time, so the driver keeps its parsed form and prepares it
    once, where ``IN (...)`` is a new text of one parameter per id each time (about 1 ms of the app's CPU
    for 300 ids). SQLite has no arrays: ``IN`` as before."""
    ids = list(ids)
    if dialect_name(session) != "postgresql":
        return column.in_(ids)
    return column == any_(bindparam(None, ids, type_=postgresql.ARRAY(column.type)))
