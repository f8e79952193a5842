"""Each user's screen language (German or English; empty follows the clinic's).

Revision ID: m17a
Revises: i20a
"""

import sqlalchemy as sa
from alembic import op

revision = "m17a"
down_revision = "i20a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=2), nullable=True))
        batch.create_check_constraint(op.f("ck_users_language_valid"), "language IS NULL OR language IN ('de', 'en')")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_language_valid"), type_="check")
        batch.drop_column("language")
