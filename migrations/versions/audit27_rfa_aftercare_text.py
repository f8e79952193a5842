"""Walk 27: the RFA information text's after-care section (reprinted on the discharge sheet) says what to
expect: a burning or sore feeling at the treated site for a few days to a few weeks, and relief often only
after two to four weeks (procedures.md §2.4). Existing clinics get a new version of the RFA information
texts with that bullet, inserted before the after-care bullet it belongs with, where the current version
is the clinic's seeded text (no user wrote it) and lacks the bullet; an admin's own version is left alone.
The bullet's words are those of clinic/content/texts/RFA.information.*.md. Downgrade removes nothing:
text versions are kept for the consents printed from them.

Revision ID: audit27
Revises: f26a
"""

import sqlalchemy as sa
from alembic import op

revision = "audit27"
down_revision = "f26a"
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


def upgrade():
    bind = op.get_bind()
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
