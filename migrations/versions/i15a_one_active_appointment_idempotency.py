"""One active appointment per referral (a partial unique index, on SQLite and PostgreSQL), and the store
of answers to API requests sent with an Idempotency-Key.

Revision ID: i15a
Revises: m17a
"""

import sqlalchemy as sa
from alembic import op

revision = "i15a"
down_revision = "m17a"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('booked', 'checked_in', 'in_procedure', 'in_observation')"


def upgrade() -> None:
    op.create_index(
        "uq_appointments_one_active_per_referral",
        "appointments",
        ["referral_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )
    op.create_table(
        "idempotent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_requests")),
        sa.UniqueConstraint("scope", "key", name="uq_idempotent_requests_scope_key"),
    )


def downgrade() -> None:
    op.drop_table("idempotent_requests")
    op.drop_index("uq_appointments_one_active_per_referral", table_name="appointments")
