"""Pre-registration: the checklist that must be complete before a patient can be booked."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of, utcnow
from .vocab import ALLERGENS, BleedingClass, HoldAction


class PreRegistration(db.Model):
    """One checklist per referral. Each item records who settled it and when; completeness is derived
    from the items (see ``clinic.services.preregistration``), never stored."""

    __tablename__ = "preregistrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), unique=True)

    contact_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contact_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    medication_settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    medication_settled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # ASRA 2018: a patient with a raised bleeding risk is handled one procedure tier higher.
    raised_bleeding_risk: Mapped[bool] = mapped_column(Boolean, default=False)

    allergy_contrast: Mapped[bool] = mapped_column(Boolean, default=False)
    allergy_local_anaesthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    allergy_steroid: Mapped[bool] = mapped_column(Boolean, default=False)
    allergy_iodine: Mapped[bool] = mapped_column(Boolean, default=False)
    allergy_latex: Mapped[bool] = mapped_column(Boolean, default=False)
    allergy_other: Mapped[str | None] = mapped_column(String(200))
    allergies_settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    allergies_settled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    diabetes: Mapped[bool] = mapped_column(Boolean, default=False)
    pregnancy_possible: Mapped[bool] = mapped_column(Boolean, default=False)
    implant: Mapped[bool] = mapped_column(Boolean, default=False)
    implant_note: Mapped[str | None] = mapped_column(String(200))
    kidney_disease: Mapped[bool] = mapped_column(Boolean, default=False)
    current_infection: Mapped[bool] = mapped_column(Boolean, default=False)
    conditions_note: Mapped[str | None] = mapped_column(Text)
    conditions_settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    conditions_settled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    escort_name: Mapped[str | None] = mapped_column(String(120))
    escort_phone: Mapped[str | None] = mapped_column(String(40))
    escort_settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escort_settled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    language_settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    language_settled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="preregistration")  # noqa: F821
    medications: Mapped[list[MedicationEntry]] = relationship(
        back_populates="preregistration",
        cascade="all, delete-orphan",
        order_by="MedicationEntry.id",
        lazy="selectin",
    )
    contact_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[contact_confirmed_by_id])  # noqa: F821
    medication_settled_by: Mapped[User | None] = relationship(foreign_keys=[medication_settled_by_id])  # noqa: F821
    allergies_settled_by: Mapped[User | None] = relationship(foreign_keys=[allergies_settled_by_id])  # noqa: F821
    conditions_settled_by: Mapped[User | None] = relationship(foreign_keys=[conditions_settled_by_id])  # noqa: F821
    escort_settled_by: Mapped[User | None] = relationship(foreign_keys=[escort_settled_by_id])  # noqa: F821
    language_settled_by: Mapped[User | None] = relationship(foreign_keys=[language_settled_by_id])  # noqa: F821

    @property
    def allergies(self) -> list[str]:
        found = [label for key, label in ALLERGENS.items() if getattr(self, f"allergy_{key}")]
        if self.allergy_other:
            found.append(self.allergy_other)
        return found


class MedicationEntry(db.Model):
    """An anticoagulant or antiplatelet drug the patient takes, with the planned last dose."""

    __tablename__ = "medication_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    preregistration_id: Mapped[int] = mapped_column(ForeignKey("preregistrations.id", ondelete="CASCADE"), index=True)
    drug_code: Mapped[str] = mapped_column(String(40))
    dose_class: Mapped[str] = mapped_column(String(30), default="")
    last_dose_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    preregistration: Mapped[PreRegistration] = relationship(back_populates="medications")


class AnticoagulantRule(db.Model):
    """Drug × dose class × bleeding class → how long to hold it and when to restart (ASRA 2018 seeds).

    ``dose_class`` is "" when the rule applies to every dose. Rows are clinic data: an admin edits
    them, and each row says whether a named clinician has verified it.
    """

    __tablename__ = "anticoagulant_rules"
    __table_args__ = (
        one_of("bleeding_class", BleedingClass.values()),
        one_of("action", HoldAction.values()),
        one_of("evidence", ["V", "S", "U"]),
        UniqueConstraint("drug_code", "dose_class", "bleeding_class"),
        CheckConstraint("action <> 'hold' OR hold_hours > 0", name="hold_has_hours"),
        CheckConstraint("(verified_by IS NULL) = (verified_at IS NULL)", name="verification_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drug_code: Mapped[str] = mapped_column(String(40), index=True)
    drug_name_en: Mapped[str] = mapped_column(String(80))
    drug_name_de: Mapped[str] = mapped_column(String(80))
    dose_class: Mapped[str] = mapped_column(String(30), default="")
    bleeding_class: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    hold_hours: Mapped[int | None] = mapped_column(Integer)
    restart_hours: Mapped[int | None] = mapped_column(Integer)
    requires_inr: Mapped[bool] = mapped_column(Boolean, default=False)
    # Injected (heparins, fondaparinux): letters speak of the last injection, not the last tablet.
    injected: Mapped[bool] = mapped_column(Boolean, default=False)
    # The note in English and in German, like the drug's names; each screen shows its own language.
    note: Mapped[str | None] = mapped_column(Text)
    note_de: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(String(1), default="U")
    verified_by: Mapped[str | None] = mapped_column(String(120))
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def verified(self) -> bool:
        return self.verified_by is not None

    def drug_name(self, language: str = "en") -> str:
        return self.drug_name_de if language == "de" else self.drug_name_en

    def note_in(self, language: str = "en") -> str | None:
        """The note in ``language``; the other language's when there is none in it (an admin wrote one only)."""
        mine, other = (self.note_de, self.note) if language == "de" else (self.note, self.note_de)
        return mine or other
