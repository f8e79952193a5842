"""PostgreSQL sessions run in UTC whatever the server's or the database's own default (clinic.database):
a date taken from an instant in SQL is the UTC date, and instants come back in Python's own UTC, which the
model's column type hands on without a conversion per value."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import cast, literal, select, text
from sqlalchemy.engine import make_url

from clinic.extensions import db
from clinic.models.base import UTCDateTime

# 23:30 UTC on the Saturday before the clocks go forward is already Sunday in Berlin.
LATE_SATURDAY = dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)


def test_sessions_run_in_utc_over_a_berlin_default(app, session, backend):
    if backend != "postgresql":
        pytest.skip("SQLite keeps no time zone")
    name = make_url(str(db.engine.url)).database
    with db.engine.connect() as conn:
        conn.execute(text(f"ALTER DATABASE \"{name}\" SET timezone = 'Europe/Berlin'"))
        conn.commit()
    db.engine.dispose()  # new connections start with the database's default
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("SHOW TIME ZONE")).scalar() == "UTC"
            instant = conn.execute(select(cast(literal(LATE_SATURDAY, UTCDateTime()), UTCDateTime()))).scalar()
            day = conn.execute(text("SELECT CAST(CAST(:at AS timestamptz) AS date)"), {"at": LATE_SATURDAY}).scalar()
    finally:
        with db.engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" RESET timezone'))
            conn.commit()
        db.engine.dispose()
    assert instant == LATE_SATURDAY and instant.tzinfo is dt.UTC
    assert day == dt.date(2026, 3, 28)
