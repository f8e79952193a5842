"""Safety walk: a radiologist's check that a recorded implant allows MRI guidance (who, when, which implant),
kept with the referral; and when contrast given to a patient with a recorded contrast allergy was confirmed
as given with the allergy taken into account, kept with the procedure record (who confirmed it: its audit event).

Revision ID: s24a
Revises: l23a
"""

import sqlalchemy as sa
from alembic import op

revision = "s24a"
down_revision = "l23a"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("referrals", sa.Column("implant_mr_checked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("referrals", sa.Column("implant_mr_checked_note", sa.String(length=200), nullable=True))
    # A plain column: SQLite's batch copy of procedure_records would drop its triggers of 0002.
    op.add_column(
        "procedure_records", sa.Column("contrast_allergy_confirmed_at", sa.DateTime(timezone=True), nullable=True)
    )
    if op.get_bind().dialect.name == "sqlite":
        # The foreign key inline: a batch "move and copy" would re-create the table.
        op.execute(
            "ALTER TABLE referrals ADD COLUMN implant_mr_checked_by_id INTEGER"
            " CONSTRAINT fk_referrals_implant_mr_checked_by_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("referrals", sa.Column("implant_mr_checked_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_referrals_implant_mr_checked_by_id_users"),
            "referrals",
            "users",
            ["implant_mr_checked_by_id"],
            ["id"],
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("referrals", recreate="always") as batch:
            batch.drop_column("implant_mr_checked_by_id")
    else:
        op.drop_constraint(op.f("fk_referrals_implant_mr_checked_by_id_users"), "referrals", type_="foreignkey")
        op.drop_column("referrals", "implant_mr_checked_by_id")
    op.drop_column("procedure_records", "contrast_allergy_confirmed_at")
    op.drop_column("referrals", "implant_mr_checked_note")
    op.drop_column("referrals", "implant_mr_checked_at")
