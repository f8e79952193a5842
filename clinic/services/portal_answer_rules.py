"""Checking what the patient answers through the link, item by item, before it is kept for the desk.

The same rules as the desk's forms and services (an answer the desk's services would refuse is refused
here first); errors carry stable codes so the portal can say them in the patient's language.
"""

from __future__ import annotations

import datetime as dt

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from ..core.errors import InvalidInput
from ..core.messages import N_
from ..models.portal import PortalItem
from ..models.vocab import ALLERGENS, Language
from . import contact, medication, prereg_items

CONDITIONS = prereg_items.CONDITIONS
CONTACT_FIELDS = {
    "phone": 40,
    "email": 254,
    "street": 120,
    "postal_code": 12,
    "city": 80,
    "insurance_name": 120,
    "insurance_number": 40,
}


def _text(value, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise InvalidInput(N_("At most {limit} characters."), code="too_long", limit=limit)
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise InvalidInput(N_("Control characters are not allowed."), code="bad_text")
    return text


def _contact(data: dict) -> dict:
    clean = {key: _text(data.get(key), limit) for key, limit in CONTACT_FIELDS.items()}
    if clean["email"]:
        try:
            clean["email"] = validate_email(clean["email"], check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise InvalidInput(N_("That email address is not valid."), code="bad_email") from error
    clean["phone"] = _phone(clean["phone"]) or ""
    if not (clean["phone"] or clean["email"]):
        raise InvalidInput(N_("Give a phone number or an email address."), code="contact_needed")
    if not (clean["street"] and clean["postal_code"] and clean["city"]):
        raise InvalidInput(N_("Give the full postal address."), code="address_needed")
    if not (clean["insurance_name"] and clean["insurance_number"]):
        raise InvalidInput(N_("Give the health insurer and the insurance number."), code="insurance_needed")
    return clean


def _medication(session: Session, data: dict) -> dict:
    known = medication.dose_classes(session)
    drugs = []
    for entry in data.get("drugs") or []:
        code = str(entry.get("drug_code") or "")
        if code not in known:
            raise InvalidInput(N_("Choose the medicine from the list."), code="unknown_drug")
        if any(d["drug_code"] == code for d in drugs):  # the desk keeps one entry per drug
            raise InvalidInput(N_("Name each medicine once, with its last dose."), code="same_drug_twice")
        dose = str(entry.get("dose_class") or "")
        if dose and dose not in known[code]:
            if "" not in known[code]:
                raise InvalidInput(N_("Choose the dose from the list."), code="unknown_dose")
            dose = ""  # the rules hold for every dose of this medicine: the dose changes nothing

        last = entry.get("last_dose_on")
        if last:
            dt.date.fromisoformat(str(last))  # ValueError: caught by the caller as bad input
        drugs.append({"drug_code": code, "dose_class": dose, "last_dose_on": str(last) if last else None})
    other = _text(data.get("other"), 200)
    none = bool(data.get("none"))
    if none and (drugs or other):
        raise InvalidInput(N_("Either no blood thinners, or the ones you take."), code="none_and_some")
    if not (none or drugs or other):
        raise InvalidInput(
            N_("Tell us which blood thinners you take, or that you take none."), code="medication_needed"
        )
    return {"none": none, "drugs": drugs, "other": other}


def _allergies(data: dict) -> dict:
    found = sorted(set(data.get("found") or []))
    if set(found) - set(ALLERGENS):
        raise InvalidInput(N_("Unknown allergy."), code="unknown_choice")
    return {"found": found, "other": _text(data.get("other"), 200)}


def _conditions(data: dict) -> dict:
    found = sorted(set(data.get("found") or []))
    if set(found) - set(CONDITIONS):
        raise InvalidInput(N_("Unknown condition."), code="unknown_choice")
    implant_note = _text(data.get("implant_note"), 200)
    if "implant" in found and not implant_note:
        raise InvalidInput(
            N_("Say which pacemaker or implant."), code="implant_note_needed", details={"field": "implant_note"}
        )
    return {"found": found, "implant_note": implant_note, "note": _text(data.get("note"), 1000)}


def _escort(data: dict) -> dict:
    name = _text(data.get("name"), 120)
    if not name:
        raise InvalidInput(N_("Name the person who takes you home."), code="escort_needed")
    return {"name": name, "phone": _phone(_text(data.get("phone"), 40)) or ""}


def _phone(value: str) -> str | None:
    try:
        return contact.phone_number(value)
    except InvalidInput as error:
        raise InvalidInput(error.template, code="bad_phone", **error.params) from None


def _language(data: dict) -> dict:
    language = str(data.get("language") or "")
    if language not in Language.values():
        raise InvalidInput(N_("Choose German or English."), code="unknown_choice")
    return {"language": language}


def clean(session: Session, item: str, data: dict) -> dict:
    """The answer checked and normalised, or InvalidInput with a code."""
    try:
        match item:
            case PortalItem.CONTACT:
                return _contact(data)
            case PortalItem.MEDICATION:
                return _medication(session, data)
            case PortalItem.ALLERGIES:
                return _allergies(data)
            case PortalItem.CONDITIONS:
                return _conditions(data)
            case PortalItem.ESCORT:
                return _escort(data)
            case PortalItem.LANGUAGE:
                return _language(data)
    except (TypeError, ValueError, AttributeError) as error:
        raise InvalidInput(N_("The answer could not be read."), code="bad_answer") from error
    raise InvalidInput(N_("Unknown question."), code="unknown_item")
