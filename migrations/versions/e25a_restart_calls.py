"""The restart calls the discharge sheet promises ("Wir rufen Sie an, um den Wiederbeginn mit Ihnen
abzusprechen") for a paused blood thinner whose restart it could not tell: recorded by a radiologist, one
per drug of an appointment (``restart_calls``).

Revision ID: e25a
Revises: d25a
"""

import sqlalchemy as sa
from alembic import op

revision = "e25a"
down_revision = "d25a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "restart_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("drug_code", sa.String(length=40), nullable=False),
        sa.Column("agreed_restart_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "agreed_restart_at IS NOT NULL OR note IS NOT NULL", name=op.f("ck_restart_calls_agreed_or_noted")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_restart_calls_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_restart_calls_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restart_calls")),
        sa.UniqueConstraint("appointment_id", "drug_code", name=op.f("uq_restart_calls_appointment_id_drug_code")),
    )
    op.create_index(op.f("ix_restart_calls_appointment_id"), "restart_calls", ["appointment_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_restart_calls_appointment_id"), table_name="restart_calls")
    op.drop_table("restart_calls")
