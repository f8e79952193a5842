"""DICOM: rooms get their scanner's AE title, appointments an accession number; the scanners' performed
procedure steps (MPPS) and retrievals of prior studies from the PACS get their tables.

Written by hand so that SQLite never rebuilds a table: ``appointments`` has rows that others point to
(foreign keys are on), and ``procedure_records`` carries the signed-record triggers of 0002, which a
rebuild would drop. Columns are added with ALTER TABLE, uniqueness comes from unique indexes.

Existing appointments get a random accession number each, drawn like the application draws them.

Revision ID: i19a
Revises: i15a
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "i19a"
down_revision = "i15a"
branch_labels = None
depends_on = None

ACCESSION_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _accession_numbers(bind) -> None:
    ids = bind.execute(sa.text("SELECT id FROM appointments WHERE accession_number IS NULL OR accession_number = ''"))
    used: set[str] = set()
    for (appointment_id,) in ids.fetchall():
        number = ""
        while not number or number in used:
            number = "".join(secrets.choice(ACCESSION_ALPHABET) for _ in range(12))
        used.add(number)
        bind.execute(
            sa.text("UPDATE appointments SET accession_number = :n WHERE id = :id"), {"n": number, "id": appointment_id}
        )


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"

    op.create_table(
        "pacs_retrievals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("study_instance_uid", sa.String(length=64), nullable=False),
        sa.Column("study_date", sa.Date(), nullable=True),
        sa.Column("modality", sa.String(length=40), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("imaging_study_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status <> 'done' OR imaging_study_id IS NOT NULL", name=op.f("ck_pacs_retrievals_done_has_study")
        ),
        sa.CheckConstraint("status <> 'failed' OR message IS NOT NULL", name=op.f("ck_pacs_retrievals_failed_has_message")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_pacs_retrievals_status_valid")
        ),
        sa.CheckConstraint(
            "received >= 0 AND (expected IS NULL OR expected >= 0)", name=op.f("ck_pacs_retrievals_counts_valid")
        ),
        sa.ForeignKeyConstraint(
            ["imaging_study_id"],
            ["imaging_studies.id"],
            name=op.f("fk_pacs_retrievals_imaging_study_id_imaging_studies"),
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_pacs_retrievals_patient_id_patients")),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"], name=op.f("fk_pacs_retrievals_referral_id_referrals")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"], name=op.f("fk_pacs_retrievals_requested_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pacs_retrievals")),
    )
    op.create_index(op.f("ix_pacs_retrievals_patient_id"), "pacs_retrievals", ["patient_id"])
    op.create_index(op.f("ix_pacs_retrievals_referral_id"), "pacs_retrievals", ["referral_id"])
    op.create_index(
        "uq_pacs_retrievals_active_study",
        "pacs_retrievals",
        ["patient_id", "study_instance_uid"],
        unique=True,
        sqlite_where=sa.text("status IN ('queued', 'running')"),
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )

    op.create_table(
        "performed_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_instance_uid", sa.String(length=64), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("station_ae_title", sa.String(length=16), nullable=False),
        sa.Column("accession_number", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ctdivol_mgy", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("dlp_mgycm", sa.Numeric(precision=8, scale=1), nullable=True),
        sa.Column("warning", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('in_progress', 'completed', 'discontinued')", name=op.f("ck_performed_steps_status_valid")
        ),
        sa.CheckConstraint(
            "(confirmed_at IS NULL) = (confirmed_by_id IS NULL)", name=op.f("ck_performed_steps_confirmation_complete")
        ),
        sa.CheckConstraint("ctdivol_mgy IS NULL OR ctdivol_mgy >= 0", name=op.f("ck_performed_steps_ctdivol_valid")),
        sa.CheckConstraint("dlp_mgycm IS NULL OR dlp_mgycm >= 0", name=op.f("ck_performed_steps_dlp_valid")),
        sa.CheckConstraint(
            "ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_performed_steps_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_performed_steps_appointment_id_appointments")
        ),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["users.id"], name=op.f("fk_performed_steps_confirmed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performed_steps")),
        sa.UniqueConstraint("sop_instance_uid", name=op.f("uq_performed_steps_sop_instance_uid")),
    )
    op.create_index(op.f("ix_performed_steps_appointment_id"), "performed_steps", ["appointment_id"])

    # rooms.ae_title: nullable, unique among the rooms that have one.
    op.add_column("rooms", sa.Column("ae_title", sa.String(length=16), nullable=True))
    op.create_index("uq_rooms_ae_title", "rooms", ["ae_title"], unique=True)

    # appointments.accession_number: filled for existing rows, then required and unique.
    if postgres:
        op.add_column("appointments", sa.Column("accession_number", sa.String(length=16), nullable=True))
        _accession_numbers(bind)
        op.alter_column("appointments", "accession_number", nullable=False)
    else:
        # SQLite adds a NOT NULL column only with a default; the application always sets the value.
        op.execute("ALTER TABLE appointments ADD COLUMN accession_number VARCHAR(16) NOT NULL DEFAULT ''")
        _accession_numbers(bind)
    op.create_index("uq_appointments_accession_number", "appointments", ["accession_number"], unique=True)

    # procedure_records.ctdivol_mgy, with its check, without rebuilding the table (0002's triggers stay).
    if postgres:
        op.add_column("procedure_records", sa.Column("ctdivol_mgy", sa.Numeric(precision=8, scale=2), nullable=True))
        op.create_check_constraint(
            op.f("ck_procedure_records_ctdivol_valid"), "procedure_records", "ctdivol_mgy IS NULL OR ctdivol_mgy >= 0"
        )
    else:
        op.execute(
            "ALTER TABLE procedure_records ADD COLUMN ctdivol_mgy NUMERIC(8, 2) "
            "CONSTRAINT ck_procedure_records_ctdivol_valid CHECK (ctdivol_mgy IS NULL OR ctdivol_mgy >= 0)"
        )


def downgrade():
    op.drop_index("uq_appointments_accession_number", table_name="appointments")
    op.drop_index("uq_rooms_ae_title", table_name="rooms")
    # Plain ALTER TABLE … DROP COLUMN on both databases (SQLite ≥ 3.35): no table is rebuilt.
    op.execute("ALTER TABLE procedure_records DROP COLUMN ctdivol_mgy")
    op.execute("ALTER TABLE appointments DROP COLUMN accession_number")
    op.execute("ALTER TABLE rooms DROP COLUMN ae_title")
    op.drop_index(op.f("ix_performed_steps_appointment_id"), table_name="performed_steps")
    op.drop_table("performed_steps")
    op.drop_index("uq_pacs_retrievals_active_study", table_name="pacs_retrievals")
    op.drop_index(op.f("ix_pacs_retrievals_referral_id"), table_name="pacs_retrievals")
    op.drop_index(op.f("ix_pacs_retrievals_patient_id"), table_name="pacs_retrievals")
    op.drop_table("pacs_retrievals")
