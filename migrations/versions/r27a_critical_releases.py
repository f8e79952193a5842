"""Every physician's release of critical observation values, kept (``critical_releases``): a second release
after a later critical check overwrote the first, and the first physician's reason was lost (walk 27). The
observation's ``critical_released_*`` columns stay as the latest release; releases given before this
revision are copied in.

Revision ID: r27a
Revises: f26a
"""

import sqlalchemy as sa
from alembic import op

revision = "r27a"
down_revision = "f26a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "critical_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_critical_releases_reason_given")),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["observation_checks.id"],
            name=op.f("fk_critical_releases_check_id_observation_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation_records.id"],
            name=op.f("fk_critical_releases_observation_id_observation_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["released_by_id"], ["users.id"], name=op.f("fk_critical_releases_released_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_critical_releases")),
        sa.UniqueConstraint("observation_id", "check_id", name=op.f("uq_critical_releases_observation_id_check_id")),
    )
    op.create_index(op.f("ix_critical_releases_observation_id"), "critical_releases", ["observation_id"], unique=False)
    # The releases given so far (the latest of each observation, all that was kept), where their check still is.
    op.execute(
        "INSERT INTO critical_releases (observation_id, check_id, released_at, released_by_id, reason) "
        "SELECT o.id, o.critical_released_check_id, o.critical_released_at, o.critical_released_by_id, "
        "o.critical_release_reason FROM observation_records o "
        "JOIN observation_checks c ON c.id = o.critical_released_check_id "
        "WHERE o.critical_released_at IS NOT NULL"
    )


def downgrade():
    op.drop_index(op.f("ix_critical_releases_observation_id"), table_name="critical_releases")
    op.drop_table("critical_releases")
