"""Issue 20 (load test): the follow-ups are found by their status (the front desk's count of calls due,
the call list, the scheduler's pending ones coming due), which scanned the whole table: an index on
status and due date.

Revision ID: p20a
Revises: i21b2
"""

from alembic import op

revision = "p20a"
down_revision = "i21b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_follow_ups_status_due_on", "follow_ups", ["status", "due_on"])


def downgrade():
    op.drop_index("ix_follow_ups_status_due_on", table_name="follow_ups")
