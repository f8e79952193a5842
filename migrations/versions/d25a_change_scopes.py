"""Issue 20: what each counted change touched (``change_scopes``), so the front desk's waiting list kept
under an earlier mark reads again only the patients changed since, not all 300 waiting referrals.

Revision ID: d25a
Revises: s24a
"""

import sqlalchemy as sa
from alembic import op

revision = "d25a"
down_revision = "s24a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_scopes",
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("patients", sa.Text(), nullable=False),
        sa.Column("tables", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "generation", name=op.f("pk_change_scopes")),
    )


def downgrade():
    op.drop_table("change_scopes")
