"""Walk 27: the RFA information text's after-care section (reprinted on the discharge sheet) says what to
expect: a burning or sore feeling at the treated site for a few days to a few weeks, and relief often only
after two to four weeks (procedures.md §2.4). Existing clinics get a new version of the RFA information
texts with that bullet, inserted before the after-care bullet it belongs with, where the current version
is the clinic's seeded text (no user wrote it) and lacks the bullet; an admin's own version is left alone.
The bullet's words are those of clinic/content/texts/RFA.information.*.md. Downgrade removes nothing:
text versions are kept for the consents printed from them.

Also walk 27: "Procedure record signed" was written without its patient, so a filter of the audit trail by
patient missed the signature; the events written so far get the patient of the record's appointment (the
event itself, who, when, what, is unchanged).

Revision ID: audit27
Revises: n27a
"""

import sqlalchemy as sa
from alembic import op

revision = "audit27"
down_revision = "n27a"
branch_labels = None
depends_on = None

NOTE = "Walk 27: after RFA, what to expect (soreness for days to weeks, relief after two to four weeks)."
# language: (the new bullet, the bullet it goes before)
BULLETS = {
    "de": (
        "- Ein Brennen oder Wundgefühl an der behandelten Stelle ist für einige Tage bis wenige Wochen häufig. "
        "Die Linderung beginnt oft erst nach zwei bis vier Wochen.\n",
        "- Kühlen Sie den schmerzenden Bereich am ersten Tag",
    ),
    "en": (
        "- A burning or sore feeling where you were treated is common for a few days to a few weeks. "
        "Relief often begins only after two to four weeks.\n",
        "- Cool the sore area on the first day",
    ),
}

procedure_types = sa.table("procedure_types", sa.column("id", sa.Integer), sa.column("code", sa.String))
document_texts = sa.table(
    "document_texts",
    sa.column("id", sa.Integer),
    sa.column("procedure_type_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("language", sa.String),
    sa.column("version", sa.Integer),
    sa.column("title", sa.String),
    sa.column("body", sa.Text),
    sa.column("change_note", sa.String),
    sa.column("created_by_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


audit_events = sa.table(
    "audit_events",
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("patient_id", sa.Integer),
)
procedure_records = sa.table("procedure_records", sa.column("id", sa.Integer), sa.column("appointment_id", sa.Integer))
appointments = sa.table("appointments", sa.column("id", sa.Integer), sa.column("patient_id", sa.Integer))


def upgrade():
    bind = op.get_bind()
    patient = (
        sa.select(appointments.c.patient_id)
        .select_from(procedure_records.join(appointments, appointments.c.id == procedure_records.c.appointment_id))
        .where(sa.cast(procedure_records.c.id, sa.String) == audit_events.c.object_id)
        .scalar_subquery()
    )
    bind.execute(
        audit_events.update()
        .where(
            audit_events.c.action == "procedure_record.signed",
            audit_events.c.object_type == "procedure_records",
            audit_events.c.patient_id.is_(None),
        )
        .values(patient_id=patient)
    )
    rfa = bind.execute(sa.select(procedure_types.c.id).where(procedure_types.c.code == "RFA")).scalar()
    if rfa is None:
        return
    for language, (bullet, before) in BULLETS.items():
        current = bind.execute(
            sa.select(document_texts)
            .where(
                document_texts.c.procedure_type_id == rfa,
                document_texts.c.kind == "information",
                document_texts.c.language == language,
            )
            .order_by(document_texts.c.version.desc())
            .limit(1)
        ).first()
        if current is None or current.created_by_id is not None or bullet.strip() in current.body:
            continue
        at = current.body.find("\n" + before)
        if at < 0:
            continue
        body = current.body[: at + 1] + bullet + current.body[at + 1 :]
        bind.execute(
            document_texts.insert().values(
                procedure_type_id=rfa,
                kind="information",
                language=language,
                version=current.version + 1,
                title=current.title,
                body=body,
                change_note=NOTE,
                created_at=sa.func.current_timestamp(),  # UTC on both databases
            )
        )


def downgrade():
    pass  # text versions stay (consents point at them)
