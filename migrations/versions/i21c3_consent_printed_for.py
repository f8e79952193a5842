"""Issue 21, item 18: a consent form records the appointment time it was printed for, so that the
history says which print belongs to the current time. Earlier prints keep NULL (not recorded).

Revision ID: i21c3
Revises: i21c2
"""

import sqlalchemy as sa
from alembic import op

revision = "i21c3"
down_revision = "i21c2"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("consents", sa.Column("printed_for_start", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("consents", "printed_for_start")
