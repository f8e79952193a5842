"""Issue 14, the clinic's data: what existing clinics print changes with the code.

- The texts (information sheets and consent forms) get a new version from clinic/content/texts, for
  every procedure, kind and language whose current version is still the one first seeded (an admin's
  own version is left alone): the new texts follow the appointment's guidance and target, name warning
  signs before the appointment, eating, the out-of-hours service, lawful declarations, and read at 11 pt.
- Procedure names as first seeded get the names the issue asks for; RFA's table time grows by 5 (not 10)
  minutes per extra level (30-45 minutes); the sympathetic block fasts 6 hours (its letter says so).

Reads the text files at upgrade time (they are data, not code). Downgrade removes nothing: text
versions are kept for the consents printed from them.

Revision ID: i14b
Revises: i14a
"""

import hashlib
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "i14b"
down_revision = "i14a"
branch_labels = None
depends_on = None

TEXTS = Path(__file__).resolve().parents[2] / "clinic" / "content" / "texts"
NOTE = "Issue 14: guidance and target, warning signs, eating, lawful consent, 11 pt (seeded text updated)."

# sha256 of each text body as first seeded: only those are replaced by a new version.
SEEDED = {
    ("PRT", "information", "en"): "2649a1bf0d93cda516153e852df7355703fbefd86e11655a6af561be5ff8d098",
    ("PRT", "information", "de"): "4e81632b3599953b41d2f8408a6dbcf8f536a965d5e1b9a6c2772ea75824bb5a",
    ("PRT", "consent", "en"): "7589454ab0b3dd5160980e2836e51a4535fb9f2c256c181861fbe8bc704e0219",
    ("PRT", "consent", "de"): "9dd484a562801c0d4970a7b3bcb120acfd366c5b66ee6d73ef6158a88891a1ab",
    ("FACET", "information", "en"): "38596636823ad2b6c2c3086974a53f1c2d138b6b8e772955df9bb206a2d26eef",
    ("FACET", "information", "de"): "0db160eac1551c721e9a55b3d5b795cf0b76e0770a6f7ee31e8d151c32412312",
    ("FACET", "consent", "en"): "ba7c08dca0c957edca5420bb792e7dc5c9f014a93e30ce2c89851f2a45fd76d6",
    ("FACET", "consent", "de"): "c1b4b0925eafda175b2548526e49f5d334d25771101fa92381d789ccfa1f6310",
    ("SYMP", "information", "en"): "3be277f41a1ebe820c99975a76f90b245a66bddaae47e844af35e1550035b217",
    ("SYMP", "information", "de"): "2dc774a308363d97d2b8e1b8e0dccc56f85c9613d020fd037fedea4da75944fd",
    ("SYMP", "consent", "en"): "ea9bf5463ebe1a4c80dab126f10e929c3c2942f8594fe83ad4ba5a1bc42bd691",
    ("SYMP", "consent", "de"): "cdbe07a5598ab38024d7d630899d3ecb6a242b36d16b8d92b57edc5ffb56779f",
    ("RFA", "information", "en"): "a1b6c0b3a8c23d4633436cb2add22d212ed65137a4107e9beefe77b3bcc6c8af",
    ("RFA", "information", "de"): "13887e5e45820f9c9265a6a0f0d0ad2f928e0de01ec7aee4e57473474512b392",
    ("RFA", "consent", "en"): "3d6f549492725d9effcf303fbee42094f6c020dd3b1e193166a7693cc2aed267",
    ("RFA", "consent", "de"): "0a734cfe34858247f26064ebef344c1dc8597084666f1d4f008cf36c926e1692",
    ("EPI", "information", "en"): "d551a68af9e3b21e53c27ffcc4558dc45a55742ff534d4ff965bf1954dd6c2f0",
    ("EPI", "information", "de"): "39c691a705c8bae04b7f7b0870d9c3ae7aefa0cb00b3885b6fe69886850af10a",
    ("EPI", "consent", "en"): "181f777170200aca4a8665722cf9089864e3f4663c741cc3e95e4d7c395f142a",
    ("EPI", "consent", "de"): "0a9139752ae240690bdb4caede1f66b01317973dca563815a47e4788356b4528",
}

NAMES = [
    # code, column, name as first seeded, new name
    ("FACET", "name_de", "Facetteninfiltration", "Facetteninfiltration (Gelenkinjektion oder Ramus-medialis-Blockade)"),
    (
        "SYMP",
        "name_en",
        "Sympathicolysis (diagnostic or neurolytic sympathetic block)",
        "Sympathetic block (diagnostic or neurolytic)",
    ),
    ("SYMP", "name_de", "Sympathikolyse", "Sympathikolyse (Sympathikusblockade)"),
    (
        "RFA",
        "name_en",
        "Radiofrequency ablation of the medial branches",
        "Radiofrequency denervation of the facet joints (medial branches)",
    ),
    (
        "RFA",
        "name_de",
        "Radiofrequenzablation (Facettendenervierung)",
        "Radiofrequenz-Denervation (Thermokoagulation) der Facettengelenke",
    ),
    (
        "EPI",
        "name_en",
        "Epidural injection (interlaminar or caudal)",
        "Epidural steroid injection (ESI), interlaminar or caudal",
    ),
    (
        "EPI",
        "name_de",
        "Epidurale Injektion (interlaminär oder kaudal)",
        "Epidurale Steroidinjektion (interlaminär oder kaudal)",
    ),
]

procedure_types = sa.table(
    "procedure_types",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name_en", sa.String),
    sa.column("name_de", sa.String),
    sa.column("extra_minutes_per_level", sa.Integer),
    sa.column("fasting_hours", sa.Integer),
)
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
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _read(code: str, kind: str, language: str) -> tuple[str, str] | None:
    path = TEXTS / f"{code}.{kind}.{language}.md"
    if not path.exists():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[0].removeprefix("# ").strip(), "\n".join(lines[1:]).strip() + "\n"


def upgrade():
    bind = op.get_bind()
    for code, column, old, new in NAMES:
        op.execute(
            procedure_types.update()
            .where(procedure_types.c.code == code, procedure_types.c[column] == old)
            .values({column: new})
        )
    op.execute(
        procedure_types.update()
        .where(procedure_types.c.code == "RFA", procedure_types.c.extra_minutes_per_level == 10)
        .values(extra_minutes_per_level=5)
    )
    op.execute(
        procedure_types.update()
        .where(procedure_types.c.code == "SYMP", procedure_types.c.fasting_hours == 0)
        .values(fasting_hours=6)
    )
    ids = dict(bind.execute(sa.select(procedure_types.c.code, procedure_types.c.id)).all())
    for (code, kind, language), seeded in SEEDED.items():
        if code not in ids:
            continue
        current = bind.execute(
            sa.select(document_texts.c.version, document_texts.c.body)
            .where(
                document_texts.c.procedure_type_id == ids[code],
                document_texts.c.kind == kind,
                document_texts.c.language == language,
            )
            .order_by(document_texts.c.version.desc())
            .limit(1)
        ).first()
        if current is None or hashlib.sha256(current.body.encode()).hexdigest() != seeded:
            continue
        text = _read(code, kind, language)
        if text is None:
            continue
        bind.execute(
            document_texts.insert().values(
                procedure_type_id=ids[code],
                kind=kind,
                language=language,
                version=current.version + 1,
                title=text[0],
                body=text[1],
                change_note=NOTE,
                created_at=sa.func.current_timestamp(),  # UTC on both databases
            )
        )


def downgrade():
    pass  # text versions stay (consents point at them); names and settings are clinic data
