"""Finding and opening patient records."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from ..core.errors import InvalidInput, found
from ..core.messages import N_
from ..core.text import name_key, name_parts, search_key
from ..models import Patient
from .contact import PHONE_CHARACTERS

_DATE_PATTERNS = (
    re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"),  # 21.11.1960
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),  # 1960-11-21
)
_CLINIC_NUMBER = re.compile(r"^[A-Za-z]{0,3}-?\d{3,}$")
# A search of telephone characters with this many digits is (also) a telephone number: fewer find too many.
PHONE_SEARCH_DIGITS = 4
# The signs a stored telephone number may have besides its digits (``contact.PHONE_CHARACTERS``).
_PHONE_SIGNS = (" ", "+", "(", ")", "/", ".", "-")


@dataclass(frozen=True)
class PatientQuery:
    names: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    clinic_number: str | None = None
    # The digits of a telephone number, its country code and trunk zero left off ("040 1234" → "401234"): a
    # patient whose number holds them is found as well.
    phone: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.names or self.birth_date or self.clinic_number or self.phone)


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    for number, pattern in enumerate(_DATE_PATTERNS):
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()]
            day, month, year = parts if number == 0 else (parts[2], parts[1], parts[0])
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                raise InvalidInput(N_("{text} is not a real date."), text=text) from exc
    return None


def parse_query(text: str) -> PatientQuery:
    """One search box: name prefixes (any order), a date of birth, or a clinic number."""
    names: list[str] = []
    birth_date = None
    clinic_number = None
    for token in text.replace(",", " ").split():
        day = parse_date(token)
        if day:
            birth_date = day
        elif _CLINIC_NUMBER.match(token) and any(c.isdigit() for c in token):
            clinic_number = token.upper()
        else:
            # A token without letters or digits ("%") still has to match, so it matches nothing.
            names.extend(name_parts(token) or [search_key(token)])
    return PatientQuery(tuple(names), birth_date, clinic_number, None if birth_date else phone_digits(text))


def phone_digits(text: str, region: str = "DE") -> str | None:
    """The digits a typed telephone number (or its end) is found by, or None when the text is none: "+49 40
    1234", "040 1234" and "40/1234" are all "401234" (libphonenumber's national number, the clinic's country
    for numbers without +), so that each finds the number however it was stored."""
    text = text.strip()
    digits = "".join(c for c in text if c.isdigit())
    if not PHONE_CHARACTERS.match(text) or len(digits) < PHONE_SEARCH_DIGITS:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return digits
    national = str(number.national_number)
    return "0" * (number.number_of_leading_zeros or 1) + national if number.italian_leading_zero else national


def _stored_phone_digits() -> ColumnElement:
    column = func.coalesce(Patient.phone, "")
    for sign in _PHONE_SIGNS:
        column = func.replace(column, sign, "")
    return column


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_statement(query: PatientQuery) -> Select:
    # Each typed part is the start of some part of a name ("lüd" finds "Meyer-Lüdenscheidt").
    terms = [Patient.name_words.like("% " + _like_prefix(name), escape="\\") for name in query.names]
    if query.birth_date:
        terms.append(Patient.birth_date == query.birth_date)
    if query.clinic_number:
        terms.append(Patient.clinic_number.like(_like_prefix(query.clinic_number), escape="\\"))
    stmt = select(Patient)
    if query.phone:  # digits only: no sign of LIKE in them; "4829" may be a clinic number as well
        stmt = stmt.where(or_(and_(*terms) if terms else false(), _stored_phone_digits().contains(query.phone)))
    elif terms:
        stmt = stmt.where(*terms)
    return stmt.order_by(Patient.family_key, Patient.given_key, Patient.birth_date, Patient.id)


def search(session: Session, text: str, limit: int = 50) -> list[Patient]:
    return list(session.scalars(search_statement(parse_query(text)).limit(limit)))


def likely_duplicates(session: Session, family_name: str, given_name: str, birth_date: dt.date) -> list[Patient]:
    """Same name (ignoring case, accents and German spelling: "Mueller, Zoe" is "Müller, Zoë") and the same
    date of birth."""
    stmt = select(Patient).where(
        and_(
            Patient.family_key == name_key(family_name.strip())[:100],
            Patient.given_key == name_key(given_name.strip())[:100],
            Patient.birth_date == birth_date,
        )
    )
    return list(session.scalars(stmt))


def open_record(session: Session, actor, patient_id: int) -> Patient:
    """Load a patient for display. The opening is audited by ``clinic.services.reads`` for the request."""
    patient = found(session, Patient, patient_id, N_("There is no such patient."))
    return patient


def new_clinic_number(session: Session) -> str:
    """A clinic number such as P-482913: random, so that it leaks neither count nor order."""
    while True:
        number = f"P-{secrets.randbelow(900000) + 100000}"
        if session.scalar(select(Patient.id).where(Patient.clinic_number == number)) is None:
            return number
