"""The procedure catalogue: what the clinic does, how long it takes, what must come first."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.messages import N_, Named, Phrase
from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of, utcnow
from .vocab import BleedingClass, Modality, Region, Stage

TABLE_MINUTE_CHOICES = (15, 20, 25, 30)
MAX_TABLE_MINUTES = 60
MAX_OBSERVATION_MINUTES = 60
# A name's explanation: "Periradikuläre Therapie (PRT)", "Epidural steroid injection (ESI), interlaminar or caudal".
_EXPLANATION = re.compile(r"\s*[(,].*$", re.S)


class ProcedureType(db.Model):
    __tablename__ = "procedure_types"
    __table_args__ = (
        one_of("modality", Modality.values()),
        one_of("bleeding_class", BleedingClass.values()),
        one_of("bleeding_class_cervical", BleedingClass.values(), nullable=True),
        CheckConstraint("table_minutes IN (15, 20, 25, 30)", name="table_minutes_valid"),
        CheckConstraint("observation_minutes BETWEEN 0 AND 60", name="observation_minutes_valid"),
        CheckConstraint("extra_minutes_per_level >= 0 AND extra_minutes_per_side >= 0", name="extra_minutes_valid"),
        CheckConstraint("fasting_hours BETWEEN 0 AND 12", name="fasting_hours_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_de: Mapped[str] = mapped_column(String(120))
    modality: Mapped[str] = mapped_column(String(10), default=Modality.CT)
    table_minutes: Mapped[int] = mapped_column(Integer)
    observation_minutes: Mapped[int] = mapped_column(Integer)
    extra_minutes_per_level: Mapped[int] = mapped_column(Integer, default=0)
    extra_minutes_per_side: Mapped[int] = mapped_column(Integer, default=0)
    bleeding_class: Mapped[str] = mapped_column(String(20))
    # Facet work and ablation are intermediate risk in the neck but low risk lower down (ASRA 2018).
    bleeding_class_cervical: Mapped[str | None] = mapped_column(String(20))
    needs_side: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_levels: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_stage: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hours without food before the table start (sedation or contrast); 0: a light meal is fine.
    fasting_hours: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    stage_rules: Mapped[list[StageRule]] = relationship(
        foreign_keys="StageRule.procedure_type_id", cascade="all, delete-orphan", back_populates="procedure_type"
    )

    def name(self, language: str = "en") -> str:
        return self.name_de if language == "de" else self.name_en

    @property
    def named(self) -> Named:
        """The procedure in a sentence a screen shows ("Periradikuläre Therapie braucht eine Seite"): its
        name without the explanation in brackets or after a comma, in the screen's language."""
        return Named(short_name(self.name_en) or self.code, de=short_name(self.name_de))

    def bleeding_class_for(self, region: str | None) -> BleedingClass:
        if region == Region.CERVICAL and self.bleeding_class_cervical:
            return BleedingClass(self.bleeding_class_cervical)
        return BleedingClass(self.bleeding_class)

    def table_minutes_for(self, level_count: int = 1, side: str | None = None) -> int:
        """Table time grows for extra levels and a second side, never beyond an hour."""
        minutes = self.table_minutes + max(level_count - 1, 0) * self.extra_minutes_per_level
        if side == "bilateral":
            minutes += self.extra_minutes_per_side
        return min(minutes, MAX_TABLE_MINUTES)

    def rule_for_stage(self, stage: str | None) -> StageRule | None:
        for rule in self.stage_rules:
            if rule.stage is None or rule.stage == stage:
                return rule
        return None

    def __str__(self) -> str:
        return f"{self.code}: {self.name_en}"


class StageRule(db.Model):
    """Booking this procedure (at this stage) needs a positive earlier procedure of another kind or stage."""

    __tablename__ = "stage_rules"
    __table_args__ = (
        one_of("stage", Stage.values(), nullable=True),
        one_of("requires_stage", Stage.values(), nullable=True),
        UniqueConstraint("procedure_type_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_type_id: Mapped[int] = mapped_column(ForeignKey("procedure_types.id", ondelete="CASCADE"))
    stage: Mapped[str | None] = mapped_column(String(20))
    requires_procedure_type_id: Mapped[int] = mapped_column(ForeignKey("procedure_types.id"))
    requires_stage: Mapped[str | None] = mapped_column(String(20))

    procedure_type: Mapped[ProcedureType] = relationship(foreign_keys=[procedure_type_id], back_populates="stage_rules")
    requires_procedure_type: Mapped[ProcedureType] = relationship(foreign_keys=[requires_procedure_type_id])

    def describe(self) -> Phrase:
        """What the rule needs, a marked phrase (a screen shows it in its language): the earlier procedure by
        its name in the screen's language, and its stage."""
        required = self.requires_procedure_type
        need = Named(short_name(required.name_en).lower(), de=short_name(required.name_de))
        if self.requires_stage:
            return Phrase(
                N_("needs a documented positive earlier procedure: {need}, stage {stage}"),
                need=need,
                stage=Stage(self.requires_stage).word,
            )
        return Phrase(N_("needs a documented positive earlier procedure: {need}"), need=need)


class DrugOption(db.Model):
    """Drugs that a procedure record may list, with their usual unit (configurable by an admin)."""

    __tablename__ = "drug_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    unit: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


def short_name(name: str | None) -> str:
    """A procedure's name without its explanation; the whole name if nothing is left."""
    name = (name or "").strip()
    return _EXPLANATION.sub("", name) or name
