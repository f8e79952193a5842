"""A physician's release of critical observation values: the patient may go home with them (a pressure high
as it always is), with the physician's reason; it covers the checks up to the one named.

Revision ID: f26a
Revises: e25a
"""

import sqlalchemy as sa
from alembic import op

revision = "f26a"
down_revision = "e25a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("observation_records") as batch:
        batch.add_column(sa.Column("critical_released_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("critical_released_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("critical_release_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("critical_released_check_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_observation_records_critical_released_by_id_users"), "users", ["critical_released_by_id"], ["id"]
        )
        batch.create_check_constraint(
            op.f("ck_observation_records_critical_release_has_reason"),
            "critical_released_at IS NULL OR (critical_release_reason IS NOT NULL AND critical_released_by_id "
            "IS NOT NULL AND critical_released_check_id IS NOT NULL)",
        )


def downgrade():
    with op.batch_alter_table("observation_records") as batch:
        batch.drop_constraint(op.f("ck_observation_records_critical_release_has_reason"), type_="check")
        batch.drop_constraint(op.f("fk_observation_records_critical_released_by_id_users"), type_="foreignkey")
        batch.drop_column("critical_released_check_id")
        batch.drop_column("critical_release_reason")
        batch.drop_column("critical_released_by_id")
        batch.drop_column("critical_released_at")
