"""A discharge before the planned end or without the checks the procedure needs: flagged, with what was
missing and the reason (issue 21).

Revision ID: i21a
Revises: i21c3
"""

import sqlalchemy as sa
from alembic import op

revision = "i21a"
down_revision = "i21c3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("observation_records") as batch:
        batch.add_column(sa.Column("discharge_flagged", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("discharge_gaps", sa.Text(), nullable=True))
        batch.add_column(sa.Column("discharge_reason", sa.Text(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_observation_records_flagged_discharge_has_reason"),
            "NOT discharge_flagged OR discharge_reason IS NOT NULL",
        )
    with op.batch_alter_table("observation_records") as batch:
        batch.alter_column("discharge_flagged", server_default=None)


def downgrade():
    with op.batch_alter_table("observation_records") as batch:
        batch.drop_constraint(op.f("ck_observation_records_flagged_discharge_has_reason"), type_="check")
        batch.drop_column("discharge_reason")
        batch.drop_column("discharge_gaps")
        batch.drop_column("discharge_flagged")
