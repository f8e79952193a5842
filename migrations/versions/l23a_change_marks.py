"""Issue 20: the count of committed changes (``change_marks``) that the front desk's waiting list is
memoised under. No row is made here: the first change makes it, with a fresh epoch.

Revision ID: l23a
Revises: w22a
"""

import sqlalchemy as sa
from alembic import op

revision = "l23a"
down_revision = "w22a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_marks",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_marks")),
    )


def downgrade():
    op.drop_table("change_marks")
