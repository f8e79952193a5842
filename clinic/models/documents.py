"""Texts printed for patients (information sheets, consent forms), kept as versioned clinic data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import created_at_column, one_of
from .vocab import DocumentKind, Language


class DocumentText(db.Model):
    """One version of one text. Saving makes a new row; old rows stay, because signed consents
    point at the version they were printed from."""

    __tablename__ = "document_texts"
    __table_args__ = (
        one_of("kind", DocumentKind.values()),
        one_of("language", Language.values()),
        UniqueConstraint("procedure_type_id", "kind", "language", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_type_id: Mapped[int] = mapped_column(ForeignKey("procedure_types.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    procedure_type: Mapped[ProcedureType] = relationship()  # noqa: F821
    created_by: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def version_label(self) -> str:
        return f"{self.procedure_type.code}-{self.kind[:4].upper()}-{self.language.upper()}-v{self.version}"
