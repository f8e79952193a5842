"""Follow-up calls that did not reach the patient are counted, with the date of the next try; a
diagnostic stage's result on the day of the block is a follow-up of its own kind ("0d", same day).

Revision ID: i21b2
Revises: i21b1
"""

import sqlalchemy as sa
from alembic import op

revision = "i21b2"
down_revision = "i21b1"
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('2w', '3m')"
KINDS_AFTER = "kind IN ('0d', '2w', '3m')"


def _kinds(expression: str, sqlite: bool, batch=None) -> None:
    if sqlite:
        batch.drop_constraint("kind_valid", type_="check")  # the naming convention adds ck_<table>_
        batch.create_check_constraint("kind_valid", expression)
    else:
        op.drop_constraint(op.f("ck_follow_ups_kind_valid"), "follow_ups", type_="check")
        op.create_check_constraint(op.f("ck_follow_ups_kind_valid"), "follow_ups", expression)


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.batch_alter_table("follow_ups", recreate="always") as batch:
            batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
            batch.add_column(sa.Column("next_try_on", sa.Date(), nullable=True))
            _kinds(KINDS_AFTER, True, batch)
        return
    op.add_column("follow_ups", sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("follow_ups", sa.Column("next_try_on", sa.Date(), nullable=True))
    _kinds(KINDS_AFTER, False)


def downgrade():
    op.execute("DELETE FROM follow_ups WHERE kind = '0d'")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.batch_alter_table("follow_ups", recreate="always") as batch:
            _kinds(KINDS_BEFORE, True, batch)
            batch.drop_column("next_try_on")
            batch.drop_column("attempts")
        return
    _kinds(KINDS_BEFORE, False)
    op.drop_column("follow_ups", "next_try_on")
    op.drop_column("follow_ups", "attempts")
