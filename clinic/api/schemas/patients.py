"""Patients: search, registration, the record."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ..fields import Day, LanguageCode, PersonName, SexCode, text
from .common import Body, Out

SearchText = text(200)
Phone = text(40)
Email = text(254)
Street = text(120)
PostalCode = text(12)
City = text(80)
Insurance = text(120)
InsuranceNumber = text(40)


class PatientSearch(Body):
    """Search terms travel in the body, never in the URL, where proxies and logs would keep them."""

    q: SearchText = Field(
        description="Name prefixes in any order, a date of birth (21.11.1960 or 1960-11-21) or a clinic number."
    )
    limit: int = Field(default=50, ge=1, le=200)


class PatientIn(Body):
    family_name: PersonName
    given_name: PersonName
    birth_date: Day
    sex: SexCode = "unknown"
    phone: Phone | None = None
    email: Email | None = None
    street: Street | None = None
    postal_code: PostalCode | None = None
    city: City | None = None
    insurance_name: Insurance | None = None
    insurance_number: InsuranceNumber | None = None
    preferred_language: LanguageCode = "de"
    allow_duplicate: bool = Field(
        default=False,
        description="Register even though a patient with this name and date of birth exists (answered with 409).",
    )


class PatientSummary(Out):
    id: int
    clinic_number: str
    family_name: str
    given_name: str
    birth_date: dt.date
    sex: str


class PatientList(Out):
    items: list[PatientSummary]


class Patient(PatientSummary):
    phone: str | None
    email: str | None
    street: str | None
    postal_code: str | None
    city: str | None
    insurance_name: str | None
    insurance_number: str | None
    preferred_language: str
    referral_ids: list[int] = Field(description="Newest first.")
    appointment_ids: list[int] = Field(description="Newest first.")
