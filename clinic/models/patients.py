"""Patients and the physicians who refer them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.text import NAME_WORDS_LENGTH, name_key, name_words
from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of, utcnow
from .vocab import Language, Sex


class Patient(db.Model):
    __tablename__ = "patients"
    __table_args__ = (
        one_of("sex", Sex.values()),
        one_of("preferred_language", Language.values()),
        Index("ix_patients_family_key", "family_key", postgresql_ops={"family_key": "text_pattern_ops"}),
        Index("ix_patients_given_key", "given_key", postgresql_ops={"given_key": "text_pattern_ops"}),
        Index("ix_patients_name_birth", "family_key", "given_key", "birth_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_number: Mapped[str] = mapped_column(String(20), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    # Case- and accent-folded copies of the names, so that "muller" finds "Müller" on every database.
    family_key: Mapped[str] = mapped_column(String(100))
    given_key: Mapped[str] = mapped_column(String(100))
    # Every part of both names, folded the same way, each after a space: " meyer ludenscheidt anna", so that
    # the second part of a double name is found too.
    name_words: Mapped[str] = mapped_column(String(NAME_WORDS_LENGTH), default="", server_default="")
    birth_date: Mapped[dt.date] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(10), default=Sex.UNKNOWN)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    street: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(12))
    city: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2), default="DE")
    insurance_name: Mapped[str | None] = mapped_column(String(120))
    insurance_number: Mapped[str | None] = mapped_column(String(40))
    preferred_language: Mapped[str] = mapped_column(String(2), default=Language.DE)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def set_names(self, family_name: str, given_name: str) -> None:
        self.family_name = family_name.strip()
        self.given_name = given_name.strip()
        # Transliteration can lengthen a name (ß → ss, CJK → syllables); the key only serves prefix search.
        self.family_key = name_key(self.family_name)[:100]
        self.given_key = name_key(self.given_name)[:100]
        self.name_words = name_words(self.family_name, self.given_name)

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    @property
    def short_name(self) -> str:
        """For narrow calendar cells: the family name and the given name's initial ("Yılmaz, A."), so that two
        patients of one family name on one day can be told apart."""
        initial = self.given_name.strip()[:1]
        return f"{self.family_name}, {initial}." if initial else self.family_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def has_contact_data(self) -> bool:
        return bool(self.phone or self.email) and bool(self.street and self.postal_code and self.city)

    @property
    def has_insurance(self) -> bool:
        return bool(self.insurance_name and self.insurance_number)

    def __repr__(self) -> str:
        return f"<Patient {self.clinic_number}>"


class ReferringPhysician(db.Model):
    __tablename__ = "referring_physicians"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    practice: Mapped[str | None] = mapped_column(String(160))
    street: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(12))
    city: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(40))
    fax: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = created_at_column()

    def __str__(self) -> str:
        return f"{self.name} ({self.practice})" if self.practice else self.name
