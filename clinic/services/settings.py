"""Clinic settings kept in the database (editable by an admin), with defaults."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..models import ClinicSetting

DEFAULTS: dict[str, str] = {
    "clinic_name": "Schmerzzentrum am Stadtpark",
    "clinic_department": "Interventionelle Schmerztherapie · Radiologie",
    "clinic_department_en": "Interventional Pain Therapy · Radiology",
    "letter_signature": "Ihr Team der Interventionellen Schmerztherapie",
    "letter_signature_en": "Your interventional pain therapy team",
    "clinic_address": "Parkallee 12, 20144 Hamburg",
    "clinic_phone": "+49 40 1234 5670",
    "clinic_email": "termine@schmerzzentrum.example",
    "clinic_place": "Hamburg",
    "emergency_number": "112",
    "out_of_hours_number": "116 117",
    "arrival_minutes_before": "30",
    # The least time between booking and the patient's arrival: the finder offers no time sooner, and
    # booking refuses one, so that no letter names an arrival time that has passed or cannot be reached.
    "booking_notice_minutes": "60",
    "positive_relief_percent": "50",
    "reminder_days_before": "2",
    "triage_ageing_days": "5",
    "follow_up_days": "14,90",
    "follow_up_attempts": "3",  # calls that do not reach the patient before the follow-up is given up
    "follow_up_retry_days": "2",  # days until the next call after one that did not reach the patient
    "imaging_old_after_years": "5",
    "demo_data": "",
}


def get(session: Session, key: str) -> str:
    row = session.get(ClinicSetting, key)
    if row is not None:
        return row.value
    return DEFAULTS[key]


def get_int(session: Session, key: str) -> int:
    return int(get(session, key))


def values(session: Session, keys) -> dict[str, str]:
    """The settings of ``keys`` in one query (``get`` asks once a key, and a key left at its default has
    no row to keep in the session: it asked again each time)."""
    keys = tuple(keys)
    stored = dict(
        session.execute(select(ClinicSetting.key, ClinicSetting.value).where(ClinicSetting.key.in_(keys))).all()
    )
    return {key: stored[key] if key in stored else DEFAULTS[key] for key in keys}


NOTICE_KEYS = ("booking_notice_minutes", "arrival_minutes_before")


def booking_notice_default() -> dt.timedelta:
    """``booking_notice`` of a clinic that kept the defaults."""
    return dt.timedelta(minutes=sum(int(DEFAULTS[key]) for key in NOTICE_KEYS))


def booking_notice(session: Session) -> dt.timedelta:
    """How far from now a new table start must lie: the notice the clinic gives, then the arrival before
    the table time (scheduling's ``Settings.notice``)."""
    return dt.timedelta(minutes=sum(int(value) for value in values(session, NOTICE_KEYS).values()))


def put(session: Session, key: str, value: str) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    store(session, key, value)


def update(session: Session, actor, values: dict[str, str]) -> dict[str, list[str]]:
    """Save the settings that differ from what is stored, and record them in one audit event with each
    value before and after (``{"reminder_days_before": ["2", "3"]}``); returns that record (empty: nothing
    changed). The rows of ``clinic_settings`` are not audited row by row (``core.audit.NOT_AUDITED``): that
    wrote a second event per change, saying only "changed" of the text column (walk finding)."""
    changed: dict[str, list[str]] = {}
    for key, value in values.items():
        before = get(session, key)
        if before != value:
            put(session, key, value)
            changed[key] = [before, value]
    if changed:
        audit.record(session, "clinic_settings.changed", "clinic_settings", summary=changed, actor=actor)
    return changed


def store(session: Session, key: str, value: str) -> None:
    """Write one setting's row (added the first time): ``put`` for the keys above, and the settings of
    their own (``portal_settings``)."""
    row = session.get(ClinicSetting, key)
    if row is None:
        session.add(ClinicSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()


# What letters and sheets print about the clinic.
CONTACT_KEYS = (
    "clinic_name",
    "clinic_department",
    "clinic_address",
    "clinic_phone",
    "clinic_email",
    "clinic_place",
    "emergency_number",
    "out_of_hours_number",
    "letter_signature",
)
# Printed texts that have a value per language: the English value is kept under "<key>_en".
PER_LANGUAGE = ("clinic_department", "letter_signature")


def contact(session: Session, language: str = "de") -> dict[str, str]:
    """What letters and sheets print about the clinic, in the document's language (German unless
    "en"): an English document never prints a German line."""
    english = language == "en"
    found = values(session, CONTACT_KEYS + (tuple(f"{k}_en" for k in PER_LANGUAGE) if english else ()))
    if english:
        found.update({k: found.pop(f"{k}_en") for k in PER_LANGUAGE})
    return found
