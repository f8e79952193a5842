"""Issue 21, item 6: German spellings and every part of a name in patient search and the duplicate check.

- ``patients.name_words``: every part of both names, folded, each after a space (" meyer ludenscheidt anna").
- ``family_key`` and ``given_key`` are folded again, now with German digraphs: "Mueller" and "Müller" → "muller".

The fold is copied here (not imported) so that this migration keeps doing what it did when the code moves on.

Revision ID: i21c1
Revises: i18a
"""

import re

import sqlalchemy as sa
from alembic import op
from anyascii import anyascii

revision = "i21c1"
down_revision = "i18a"
branch_labels = None
depends_on = None

_DIGRAPHS = re.compile(r"ae|oe|ue")
_NOT_NAME = re.compile(r"[^a-z0-9]+")


def _key(text: str) -> str:
    return _DIGRAPHS.sub(lambda m: m.group(0)[0], " ".join(anyascii(text).casefold().split()))


def _words(*names: str) -> str:
    words = ""
    for name in names:
        for part in (p for p in _NOT_NAME.split(_key(name)) if p):
            if len(words) + 1 + len(part) > 400:
                return words
            words += " " + part
    return words


def _old_key(text: str) -> str:
    return " ".join(anyascii(text).casefold().split())


def _refill(key, words: bool) -> None:
    patients = sa.table(
        "patients",
        sa.column("id", sa.Integer),
        sa.column("family_name", sa.String),
        sa.column("given_name", sa.String),
        sa.column("family_key", sa.String),
        sa.column("given_key", sa.String),
        sa.column("name_words", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(patients.c.id, patients.c.family_name, patients.c.given_name)).all()
    for row in rows:
        values = {"family_key": key(row.family_name)[:100], "given_key": key(row.given_name)[:100]}
        if words:
            values["name_words"] = _words(row.family_name, row.given_name)
        conn.execute(sa.update(patients).where(patients.c.id == row.id).values(**values))


def upgrade():
    # Plain ALTER TABLE on both databases: a batch "move and copy" of patients would drop a table that
    # many others point at.
    op.add_column("patients", sa.Column("name_words", sa.String(length=400), server_default="", nullable=False))
    _refill(_key, words=True)


def downgrade():
    _refill(_old_key, words=False)
    op.drop_column("patients", "name_words")
