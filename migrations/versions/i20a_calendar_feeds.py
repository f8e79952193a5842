"""Private calendar feeds per radiologist and per room (token stored as its SHA-256).

Revision ID: i20a
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "i20a"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("radiologist_id", sa.Integer(), nullable=True),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(radiologist_id IS NULL) <> (room_id IS NULL)", name=op.f("ck_calendar_feeds_radiologist_or_room")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_calendar_feeds_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["radiologist_id"], ["users.id"], name=op.f("fk_calendar_feeds_radiologist_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_calendar_feeds_room_id_rooms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_feeds_radiologist_id"), ["radiologist_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calendar_feeds_room_id"), ["room_id"], unique=False)


def downgrade():
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feeds_room_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_feeds_radiologist_id"))
    op.drop_table("calendar_feeds")
