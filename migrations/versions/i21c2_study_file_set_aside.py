"""Issue 21, item 7: a prior-imaging file can be set aside as "wrong patient" (kept, no longer counted).

Revision ID: i21c2
Revises: i21c1
"""

import sqlalchemy as sa
from alembic import op

revision = "i21c2"
down_revision = "i21c1"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("study_files", sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("study_files", sa.Column("set_aside_reason", sa.String(length=300), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # The foreign key inline: a batch "move and copy" would re-create the table.
        op.execute(
            "ALTER TABLE study_files ADD COLUMN set_aside_by_id INTEGER"
            " CONSTRAINT fk_study_files_set_aside_by_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("study_files", sa.Column("set_aside_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_study_files_set_aside_by_id_users"), "study_files", "users", ["set_aside_by_id"], ["id"]
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("study_files", recreate="always") as batch:
            batch.drop_column("set_aside_by_id")
    else:
        op.drop_constraint(op.f("fk_study_files_set_aside_by_id_users"), "study_files", type_="foreignkey")
        op.drop_column("study_files", "set_aside_by_id")
    op.drop_column("study_files", "set_aside_reason")
    op.drop_column("study_files", "set_aside_at")
