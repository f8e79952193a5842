"""The migrations take an empty database to the head, with no drift from the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

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


def test_i21c1_folds_the_names_of_existing_patients(app, backend):
    """Issue 21, item 6: patients stored before the migration are found by German spellings afterwards."""
    import datetime as dt

    from flask_migrate import downgrade, upgrade

    from clinic.services import patients as patient_service

    downgrade(revision="i18a")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patients (clinic_number, family_name, given_name, family_key, given_key, birth_date,"
                " sex, country, preferred_language, created_at, updated_at) VALUES ('P-999001',"
                " 'Meyer-Lüdenscheidt', 'Zoë', 'meyer-ludenscheidt', 'zoe', '1960-01-02', 'female', 'DE', 'de',"
                " '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')"
            )
        )
    upgrade()
    db.session.remove()
    found = patient_service.search(db.session, "luedenscheidt zoe")
    assert [p.clinic_number for p in found] == ["P-999001"]
    assert patient_service.likely_duplicates(db.session, "Meyer-Luedenscheidt", "Zoe", dt.date(1960, 1, 2))


def test_r27a_keeps_the_releases_given_before_it(app, session, settings, backend):
    """Walk 27: releases of critical values lived in the observation's columns (only the latest). The new
    table of releases starts with those given before the migration."""
    from flask_migrate import downgrade, upgrade

    from clinic.models import CriticalRelease
    from clinic.services import procedure_day
    from clinic.services.procedure_day import CheckValues
    from tests.radiology.day_helpers import day_appointment, to_observation

    clinic, appointment = day_appointment(session, settings, to=to_observation)
    procedure_day.record_check(session, None, appointment, CheckValues(systolic=185, diastolic=100, pulse=72))
    observation = procedure_day.release_critical(session, clinic.radiologists[0], appointment, "Bekannte Hypertonie")
    session.commit()
    expected = (
        observation.id,
        observation.critical_released_check_id,
        clinic.radiologists[0].id,
        "Bekannte Hypertonie",
    )
    session.remove()
    downgrade(revision="f26a")
    with db.engine.connect() as conn:
        assert "critical_releases" not in db.inspect(conn).get_table_names()
    upgrade()
    db.session.remove()
    (release,) = db.session.scalars(select(CriticalRelease)).all()
    assert (release.observation_id, release.check_id, release.released_by_id, release.reason) == expected
    assert release.released_at == observation.critical_released_at
