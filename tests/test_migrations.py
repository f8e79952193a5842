"""The migrations take an empty database to the head, with no drift from the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from clinic.extensions import db


def test_migrated_schema_matches_the_models(app, backend):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_postgres_has_the_exclusion_constraints(app, backend):
    if backend != "postgresql":
        assert db.engine.dialect.name == "sqlite"
        return
    with db.engine.connect() as conn:
        names = set(conn.execute(text("SELECT conname FROM pg_constraint WHERE contype = 'x'")).scalars())
        extension = conn.execute(text("SELECT extname FROM pg_extension WHERE extname = 'btree_gist'")).scalar()
    assert names == {
        "ex_bookings_room_overlap",
        "ex_bookings_radiologist_overlap",
        "ex_bookings_bed_overlap",
        "ex_bookings_patient_overlap",
    }
    assert extension == "btree_gist"


def test_downgrade_to_empty_and_up_again(app, backend):
    from flask_migrate import downgrade, upgrade

    downgrade(revision="base")
    with db.engine.connect() as conn:
        tables = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    with db.engine.connect() as conn:
        assert "bookings" in db.inspect(conn).get_table_names()
