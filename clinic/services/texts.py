"""Versions of the printed texts (information sheets and consent forms) per procedure and language.

A ``DocumentText`` row is never changed: saving makes version N + 1, and the highest version is the one
printed from then on. Old versions stay readable because signed consents point at the version they were
printed from. Flush only; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, defer

from ..core import audit
from ..core.errors import invalid
from ..core.messages import N_
from ..models import DocumentText, ProcedureType
from ..models.vocab import DocumentKind, Language

MAX_TITLE = 200
MAX_NOTE = 300


@dataclass(frozen=True)
class TextSlot:
    """One text of the catalogue (procedure × kind × language) and its current version, if any."""

    procedure_type: ProcedureType
    kind: str
    language: str
    current: DocumentText | None
    version_count: int


def check_slot(kind: str, language: str) -> None:
    if kind not in DocumentKind.values():
        raise invalid(N_("Unknown kind of text: information or consent."))
    if language not in Language.values():
        raise invalid(N_("Unknown language."))


def _newest_first(procedure_type_id: int, kind: str, language: str):
    return (
        select(DocumentText)
        .where(
            DocumentText.procedure_type_id == procedure_type_id,
            DocumentText.kind == kind,
            DocumentText.language == language,
        )
        .order_by(DocumentText.version.desc())
    )


def versions(session: Session, procedure_type_id: int, kind: str, language: str) -> list[DocumentText]:
    """Every version, newest first."""
    return list(session.scalars(_newest_first(procedure_type_id, kind, language)))


def current(session: Session, procedure_type_id: int, kind: str, language: str) -> DocumentText | None:
    """The highest version: the one that is printed from now on (None: not written yet)."""
    return session.scalars(_newest_first(procedure_type_id, kind, language).limit(1)).first()


def overview(session: Session) -> list[TextSlot]:
    """Every procedure × kind × language, with its current version (None: not written yet)."""
    latest = (
        select(
            DocumentText.procedure_type_id,
            DocumentText.kind,
            DocumentText.language,
            func.max(DocumentText.version).label("version"),
            func.count(DocumentText.id).label("count"),
        )
        .group_by(DocumentText.procedure_type_id, DocumentText.kind, DocumentText.language)
        .subquery()
    )
    found = session.execute(
        select(DocumentText, latest.c.count)
        .join(
            latest,
            and_(
                DocumentText.procedure_type_id == latest.c.procedure_type_id,
                DocumentText.kind == latest.c.kind,
                DocumentText.language == latest.c.language,
                DocumentText.version == latest.c.version,
            ),
        )
        .options(defer(DocumentText.body))
    )
    rows = {(t.procedure_type_id, t.kind, t.language): (t, count) for t, count in found}
    slots = []
    procedures = session.scalars(select(ProcedureType).order_by(ProcedureType.sort_order, ProcedureType.code))
    for pt in procedures:
        for kind in DocumentKind:
            for language in Language:
                key = (pt.id, kind.value, language.value)
                text, count = rows.get(key, (None, 0))
                slots.append(TextSlot(pt, kind.value, language.value, text, count))
    return slots


def draft(procedure_type: ProcedureType, kind: str, language: str, title: str, body: str, version: int) -> DocumentText:
    """A text that is not saved (never added to the session), for a preview."""
    text = DocumentText(
        procedure_type_id=procedure_type.id,
        kind=kind,
        language=language,
        version=version,
        title=(title or "").strip(),
        body=body or "",
    )
    text.procedure_type = procedure_type
    return text


def save_version(
    session: Session,
    actor,
    procedure_type: ProcedureType,
    kind: str,
    language: str,
    *,
    title: str,
    body: str,
    change_note: str,
) -> DocumentText:
    """Save the text as the next version. Refused when nothing changed."""
    check_slot(kind, language)
    title = (title or "").strip()
    body = (body or "").replace("\r\n", "\n").strip() + "\n"
    note = (change_note or "").strip()
    if not title:
        raise invalid(N_("Give the text a title."), "title")
    if len(title) > MAX_TITLE:
        raise invalid(N_("The title is at most {max_title} characters."), "title", max_title=MAX_TITLE)
    if not body.strip():
        raise invalid(N_("The text is empty."), "body")
    if not note:
        raise invalid(N_("Say what changed; the note is kept with the version."), "change_note")
    if len(note) > MAX_NOTE:
        raise invalid(N_("The note is at most {max_note} characters."), "change_note", max_note=MAX_NOTE)
    latest = current(session, procedure_type.id, kind, language)
    if latest is not None and latest.title == title and latest.body.strip() == body.strip():
        raise invalid(
            N_("Nothing has changed since version {version}; no new version was saved."), "body", version=latest.version
        )
    text = DocumentText(
        procedure_type_id=procedure_type.id,
        kind=kind,
        language=language,
        version=(latest.version + 1) if latest else 1,
        title=title,
        body=body,
        change_note=note,
        created_by_id=audit.actor_of(actor).id,
    )
    session.add(text)
    session.flush()
    return text
