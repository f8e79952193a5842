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


def test_n27a_gives_seeded_hold_notes_their_german_version_and_keeps_an_admins_own(app, backend):
    """The rules' notes were English only; the migration adds the German beside the seeded English notes."""
    from flask_migrate import downgrade, upgrade

    downgrade(revision="r27a")
    insert = text(
        "INSERT INTO anticoagulant_rules (drug_code, drug_name_en, drug_name_de, dose_class, bleeding_class, action,"
        " restart_hours, requires_inr, injected, note, evidence, updated_at) VALUES (:code, 'W', 'W', '', 'low',"
        " 'shared_assessment', 6, false, false, :note, 'V', '2026-01-01 00:00:00+00:00')"
    )
    with db.engine.begin() as conn:
        conn.execute(insert, {"code": "warfarin", "note": "Normal INR before the procedure."})
        conn.execute(insert, {"code": "acenocoumarol", "note": "Written by our admin."})
    upgrade()
    with db.engine.connect() as conn:
        notes = dict(conn.execute(text("SELECT drug_code, note_de FROM anticoagulant_rules")).all())
    assert notes == {"warfarin": "Normaler INR-Wert vor dem Eingriff.", "acenocoumarol": None}


def test_n27a_gives_the_german_texts_first_version_a_german_change_note(app, backend):
    from flask_migrate import downgrade, upgrade

    downgrade(revision="r27a")
    note = "Initial text, written from the clinical facts file."
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO procedure_types (code, name_en, name_de, modality, table_minutes, observation_minutes,"
                " extra_minutes_per_level, extra_minutes_per_side, bleeding_class, needs_side, needs_levels,"
                " needs_stage, fasting_hours, active, sort_order, created_at, updated_at) VALUES ('PRT', 'P', 'P',"
                " 'CT', 20, 30, 5, 10, 'intermediate', true, true, false, 0, true, 0, :at, :at)"
            ),
            {"at": "2026-01-01 00:00:00+00:00"},
        )
        for language in ("de", "en"):
            conn.execute(
                text(
                    "INSERT INTO document_texts (procedure_type_id, kind, language, version, title, body,"
                    " change_note, created_at) VALUES ((SELECT id FROM procedure_types), 'consent', :language, 1,"
                    " 'T', 'B', :note, '2026-01-01 00:00:00+00:00')"
                ),
                {"language": language, "note": note},
            )
    upgrade()
    with db.engine.connect() as conn:
        notes = dict(conn.execute(text("SELECT language, change_note FROM document_texts")).all())
    assert notes == {"de": "Erste Fassung, aus der Datei der klinischen Fakten geschrieben.", "en": note}
