"""Signed procedure records are immutable: database triggers as the last guard.

The service refuses to edit a signed record (clinic.services.procedure_records); these triggers refuse
it in the database too, on SQLite and PostgreSQL, for the record and for its drug rows.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "signed procedure record is immutable; add an addendum"

SQLITE = [
    f"""CREATE TRIGGER tr_procedure_records_signed_update BEFORE UPDATE ON procedure_records
        WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER tr_procedure_records_signed_delete BEFORE DELETE ON procedure_records
        WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER tr_procedure_drugs_signed_insert BEFORE INSERT ON procedure_drugs
        WHEN (SELECT signed_at FROM procedure_records WHERE id = NEW.record_id) IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER tr_procedure_drugs_signed_update BEFORE UPDATE ON procedure_drugs
        WHEN (SELECT signed_at FROM procedure_records WHERE id = OLD.record_id) IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER tr_procedure_drugs_signed_delete BEFORE DELETE ON procedure_drugs
        WHEN (SELECT signed_at FROM procedure_records WHERE id = OLD.record_id) IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]

POSTGRES = [
    f"""CREATE FUNCTION procedure_record_signed_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'procedure_records' THEN
            IF OLD.signed_at IS NOT NULL THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
        ELSIF EXISTS (SELECT 1 FROM procedure_records r
                      WHERE r.id = COALESCE(NEW.record_id, OLD.record_id) AND r.signed_at IS NOT NULL) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN COALESCE(NEW, OLD);
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER tr_procedure_records_signed BEFORE UPDATE OR DELETE ON procedure_records
        FOR EACH ROW EXECUTE FUNCTION procedure_record_signed_guard()""",
    """CREATE TRIGGER tr_procedure_drugs_signed BEFORE INSERT OR UPDATE OR DELETE ON procedure_drugs
        FOR EACH ROW EXECUTE FUNCTION procedure_record_signed_guard()""",
]


def upgrade():
    for statement in POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tr_procedure_drugs_signed ON procedure_drugs")
        op.execute("DROP TRIGGER IF EXISTS tr_procedure_records_signed ON procedure_records")
        op.execute("DROP FUNCTION IF EXISTS procedure_record_signed_guard()")
    else:
        for name in ("procedure_records_signed_update", "procedure_records_signed_delete",
                     "procedure_drugs_signed_insert", "procedure_drugs_signed_update",
                     "procedure_drugs_signed_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS tr_{name}")
