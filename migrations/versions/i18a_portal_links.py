"""The patient's link (portal): links per referral (token stored as its SHA-256) and proposed answers.

Revision ID: i18a
Revises: i14b
"""

import sqlalchemy as sa
from alembic import op

revision = "i18a"
down_revision = "i14b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portal_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("failed_attempts >= 0", name=op.f("ck_portal_links_failed_attempts_not_negative")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_portal_links_created_by_id_users")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_portal_links_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_portal_links_referral_id_referrals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"], name=op.f("fk_portal_links_revoked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_portal_links_token_hash")),
    )
    with op.batch_alter_table("portal_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_links_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_portal_links_referral_id"), ["referral_id"], unique=False)
        batch_op.create_index(
            "uq_portal_links_one_live_per_referral",
            ["referral_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "portal_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "item IN ('contact', 'medication', 'allergies', 'conditions', 'escort', 'language')",
            name=op.f("ck_portal_answers_item_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'closed', 'superseded')", name=op.f("ck_portal_answers_status_valid")
        ),
        sa.CheckConstraint(
            "status NOT IN ('confirmed', 'closed') OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name=op.f("ck_portal_answers_decision_has_who_and_when"),
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_portal_answers_decided_by_id_users")),
        sa.ForeignKeyConstraint(
            ["link_id"], ["portal_links.id"], name=op.f("fk_portal_answers_link_id_portal_links"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_portal_answers_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_portal_answers_referral_id_referrals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_answers")),
    )
    with op.batch_alter_table("portal_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_answers_link_id"), ["link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_portal_answers_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_portal_answers_referral_status", ["referral_id", "status"], unique=False)


def downgrade():
    op.drop_table("portal_answers")
    op.drop_table("portal_links")
