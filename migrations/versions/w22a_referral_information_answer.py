"""Walk: the front desk records the referring physician's answer to a radiologist's request for
information (the answer, who recorded it and when), and the referral goes back to triage with it.

Revision ID: w22a
Revises: p20a
"""

import sqlalchemy as sa
from alembic import op

revision = "w22a"
down_revision = "p20a"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("referrals", sa.Column("info_answer", sa.Text(), nullable=True))
    op.add_column("referrals", sa.Column("info_answered_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # The foreign key inline: a batch "move and copy" would re-create the table.
        op.execute(
            "ALTER TABLE referrals ADD COLUMN info_answered_by_id INTEGER"
            " CONSTRAINT fk_referrals_info_answered_by_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("referrals", sa.Column("info_answered_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_referrals_info_answered_by_id_users"), "referrals", "users", ["info_answered_by_id"], ["id"]
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("referrals", recreate="always") as batch:
            batch.drop_column("info_answered_by_id")
    else:
        op.drop_constraint(op.f("fk_referrals_info_answered_by_id_users"), "referrals", type_="foreignkey")
        op.drop_column("referrals", "info_answered_by_id")
    op.drop_column("referrals", "info_answered_at")
    op.drop_column("referrals", "info_answer")
