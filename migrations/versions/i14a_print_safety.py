"""What the clinic prints and tells patients is safe (issue 14).

- anticoagulant_rules.injected: injected drugs are named as injections on letters;
- referrals.planned_target, appointments.target, booking_holds.target: the structured target chosen at
  triage (sympathetic target, facet intra-articular or medial branch, epidural approach);
- referrals.hold_plan_confirmed_*: a radiologist confirmed this patient's medication plan;
- consents.explained_by_id / explained_at: the oral explanation (§630e BGB), recorded apart from signing;
- procedure_types.fasting_hours: hours without food before the procedure (0: a light meal is fine);
- rooms.location_hint_en: where to find the room, for English letters;
- booking_holds.guidance: a held MRI plan stays MRI when the hold is confirmed (it became CT).

Revision ID: i14a
Revises: i19a
"""

import sqlalchemy as sa
from alembic import op

revision = "i14a"
down_revision = "i19a"
branch_labels = None
depends_on = None

TARGETS = (
    "stellate",
    "thoracic_chain",
    "celiac",
    "lumbar_chain",
    "hypogastric",
    "impar",
    "intra_articular",
    "medial_branch",
    "interlaminar",
    "caudal",
)
INJECTED_DRUGS = ("heparin", "lmwh", "fondaparinux")
FASTING = "fasting_hours BETWEEN 0 AND 12"


def _one_of(column: str) -> str:
    return f"{column} IS NULL OR {column} IN ({', '.join(repr(t) for t in TARGETS)})"


# table, column, type, FK target, CHECK (name, expression), server default
COLUMNS = [
    ("anticoagulant_rules", "injected", sa.Boolean(), None, None, sa.false()),
    ("referrals", "planned_target", sa.String(20), None, ("planned_target_valid", _one_of("planned_target")), None),
    ("referrals", "hold_plan_confirmed_by_id", sa.Integer(), "users", None, None),
    ("referrals", "hold_plan_confirmed_at", sa.DateTime(timezone=True), None, None, None),
    ("referrals", "hold_plan_confirmed_key", sa.String(1000), None, None, None),
    ("appointments", "target", sa.String(20), None, ("target_valid", _one_of("target")), None),
    ("booking_holds", "target", sa.String(20), None, None, None),
    ("booking_holds", "guidance", sa.String(10), None, None, None),
    ("consents", "explained_by_id", sa.Integer(), "users", None, None),
    ("consents", "explained_at", sa.DateTime(timezone=True), None, None, None),
    ("procedure_types", "fasting_hours", sa.Integer(), None, ("fasting_hours_valid", FASTING), "0"),
    ("rooms", "location_hint_en", sa.String(160), None, None, None),
]
# Constraints over several columns, added once the columns are there.
TABLE_CHECKS = [
    (
        "referrals",
        "hold_plan_confirmation_complete",
        "(hold_plan_confirmed_by_id IS NULL) = (hold_plan_confirmed_at IS NULL)"
        " AND (hold_plan_confirmed_at IS NULL) = (hold_plan_confirmed_key IS NULL)",
    ),
    ("consents", "explanation_complete", "(explained_by_id IS NULL) = (explained_at IS NULL)"),
    ("consents", "explained_before_signed", "explained_at IS NULL OR signed_at IS NULL OR explained_at <= signed_at"),
]


def _sqlite_add(table: str, column: str, type_, fk, check, default, extra_checks) -> None:
    """SQLite adds a column with ALTER TABLE, its foreign key and CHECKs inline (SQLite lets a column's
    CHECK name other columns). A batch "move and copy" would drop and re-create tables that others
    point at, with foreign keys on: rows would be lost."""
    ddl = type_.compile(dialect=op.get_bind().dialect)
    parts = [f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"]
    if default is not None:
        parts.append("NOT NULL DEFAULT 0")
    if fk:
        parts.append(f"CONSTRAINT fk_{table}_{column}_{fk} REFERENCES {fk} (id)")
    for name, expression in ([check] if check else []) + extra_checks:
        parts.append(f"CONSTRAINT ck_{table}_{name} CHECK ({expression})")
    op.execute(" ".join(parts))


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    last = {table: column for table, column, *_rest in COLUMNS}
    for table, column, type_, fk, check, default in COLUMNS:
        if sqlite:
            extra = [(n, e) for t, n, e in TABLE_CHECKS if t == table and last[table] == column]
            _sqlite_add(table, column, type_, fk, check, default, extra)
            continue
        op.add_column(table, sa.Column(column, type_, nullable=default is None, server_default=default))
        if fk:
            op.create_foreign_key(op.f(f"fk_{table}_{column}_{fk}"), table, fk, [column], ["id"])
        if check:
            op.create_check_constraint(op.f(f"ck_{table}_{check[0]}"), table, check[1])
    if not sqlite:
        for table, name, expression in TABLE_CHECKS:
            op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, expression)
    rules = sa.table("anticoagulant_rules", sa.column("drug_code", sa.String), sa.column("injected", sa.Boolean))
    op.execute(rules.update().where(rules.c.drug_code.in_(INJECTED_DRUGS)).values(injected=True))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        for table, name, _expression in TABLE_CHECKS:
            op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
    last = {table: column for table, column, *_rest in COLUMNS}
    for table, column, _type, fk, check, _default in reversed(COLUMNS):
        if sqlite:
            # The inline constraints name the column: SQLite's DROP COLUMN refuses, so re-create the table.
            names = [check[0]] if check else []
            if last[table] == column:
                names += [n for t, n, _e in TABLE_CHECKS if t == table]
            with op.batch_alter_table(table, recreate="always") as batch:
                for name in names:
                    batch.drop_constraint(name, type_="check")  # the naming convention adds ck_<table>_
                batch.drop_column(column)
            continue
        if check:
            op.drop_constraint(op.f(f"ck_{table}_{check[0]}"), table, type_="check")
        if fk:
            op.drop_constraint(op.f(f"fk_{table}_{column}_{fk}"), table, type_="foreignkey")
        op.drop_column(table, column)
