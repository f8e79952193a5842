"""A medication hold rule's note in German beside the English one (``note_de``), like the drug's names: each
screen shows the note in its language, and the admin's form edits both. Rows whose English note is still the
seeded one get the seeded German note; a note an admin wrote stays English only until someone writes the German.
The German printed texts' first versions get their change note in German too (it was seeded in English).

Revision ID: n27a
Revises: r27a
"""

import sqlalchemy as sa
from alembic import op

revision = "n27a"
down_revision = "r27a"
branch_labels = None
depends_on = None

# The seeded notes (clinic/content/hold_rules.toml when this revision was written): (English, German).
SEEDED = [
    (
        "Primary prevention. Intermediate risk: shared assessment with the prescriber.",
        "Primärprävention. Mittleres Risiko: gemeinsame Abwägung mit der verordnenden Ärztin oder dem "
        "verordnenden Arzt.",
    ),
    (
        "Secondary prevention: often continued; decide with the prescriber.",
        "Sekundärprävention: wird oft weiter eingenommen; mit der verordnenden Ärztin oder dem "
        "verordnenden Arzt entscheiden.",
    ),
    (
        "Five half-lives. Consider holding in patients with a raised bleeding risk.",
        "Fünf Halbwertszeiten. Bei erhöhtem Blutungsrisiko eine Pausierung erwägen.",
    ),
    (
        "Five half-lives.",
        "Fünf Halbwertszeiten.",
    ),
    (
        "Restart time not stated.",
        "Zeitpunkt des Wiederbeginns nicht angegeben.",
    ),
    (
        "Restart 12-24 h (uncertain). Coronary stent under 12 months: cardiology first.",
        "Wiederbeginn nach 12-24 h (unsicher). Koronarstent jünger als 12 Monate: zuerst die Kardiologie fragen.",
    ),
    (
        "7-10 days in the source; the longer hold is seeded. Restart 12-24 h (uncertain).",
        "Die Quelle nennt 7-10 Tage; voreingestellt ist die längere Pausierung. Wiederbeginn nach 12-24 h (unsicher).",
    ),
    (
        "Restart 12-24 h (uncertain).",
        "Wiederbeginn nach 12-24 h (unsicher).",
    ),
    (
        "Normal INR before the procedure.",
        "Normaler INR-Wert vor dem Eingriff.",
    ),
    (
        "Intravenous.",
        "Intravenös.",
    ),
    (
        "Subcutaneous, two or three times a day.",
        "Subkutan, zwei- oder dreimal täglich.",
    ),
    (
        "Restart 12-24 h after intermediate and high-risk procedures.",
        "Wiederbeginn 12-24 h nach Eingriffen mit mittlerem und hohem Blutungsrisiko.",
    ),
    (
        "Low risk: shared assessment, about 2 days (uncertain).",
        "Niedriges Risiko: gemeinsame Abwägung, etwa 2 Tage (unsicher).",
    ),
    (
        "4-5 days in the source; the longer hold is seeded.",
        "Die Quelle nennt 4-5 Tage; voreingestellt ist die längere Pausierung.",
    ),
    (
        "Impaired kidney function.",
        "Eingeschränkte Nierenfunktion.",
    ),
    (
        "Some summaries give 3-5 days.",
        "Manche Zusammenfassungen nennen 3-5 Tage.",
    ),
]


FIRST_VERSION_NOTE = (
    "Initial text, written from the clinical facts file.",
    "Erste Fassung, aus der Datei der klinischen Fakten geschrieben.",
)


def _first_version_note(old: str, new: str) -> None:
    texts = sa.table("document_texts", sa.column("language", sa.String()), sa.column("change_note", sa.String()))
    op.execute(texts.update().where(texts.c.language == "de", texts.c.change_note == old).values(change_note=new))


def upgrade():
    with op.batch_alter_table("anticoagulant_rules") as batch:
        batch.add_column(sa.Column("note_de", sa.Text(), nullable=True))
    rules = sa.table("anticoagulant_rules", sa.column("note", sa.Text()), sa.column("note_de", sa.Text()))
    for english, german in SEEDED:
        op.execute(rules.update().where(rules.c.note == english, rules.c.note_de.is_(None)).values(note_de=german))
    _first_version_note(*FIRST_VERSION_NOTE)


def downgrade():
    _first_version_note(*reversed(FIRST_VERSION_NOTE))
    with op.batch_alter_table("anticoagulant_rules") as batch:
        batch.drop_column("note_de")
