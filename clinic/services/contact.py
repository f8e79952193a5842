"""Contact details checked the same way on every path (screens, API, admin, the outbox)."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from ..core.errors import InvalidInput
from ..core.messages import N_


def email_address(value: str | None) -> str | None:
    """One email address (normalised), or None for an empty field. Refused: no domain with a dot
    ("a@b"), lists ("a@x.de, b@y.de"), display names and markup ("<b>x</b>@y.de")."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        # Deliverability (a DNS look-up) is not checked: clinics often run without outside DNS.
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        # The library's reason ("An email address must have an @-sign.") is English: it stays in the English
        # sentence (the API's, the logs'); a catalogue's sentence may leave it out.
        raise InvalidInput(
            N_("This is not a valid email address: {error}"), details={"field": "email"}, error=str(error)
        ) from None


PHONE_CHARACTERS = re.compile(r"^[0-9+()/.\-\s]+$")


def phone_number(value: str | None, *, field: str = "phone", region: str = "DE") -> str | None:
    """A telephone number as typed (spaces tidied), or None for an empty field. Refused: letters and
    signs no number has, and digit strings no number can be (libphonenumber, the clinic's country for
    numbers without +): the nurse has to reach the escort with it."""
    value = " ".join((value or "").split())
    if not value:
        return None
    problem = N_("This is not a telephone number: use digits, spaces, + ( ) / - only, e.g. +49 40 1234 5670.")
    if not PHONE_CHARACTERS.match(value):
        raise InvalidInput(problem, details={"field": field})
    length = N_("This telephone number is too short or too long: please check it.")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        # Digits only but far too many (a hundred ones) is a length to check, not a character to remove.
        too_long = error.error_type == phonenumbers.NumberParseException.TOO_LONG
        raise InvalidInput(length if too_long else problem, details={"field": field}) from None
    if not phonenumbers.is_possible_number(number) or len(str(number.national_number)) < 4:
        raise InvalidInput(length, details={"field": field})
    return value


SHORT_NUMBER = re.compile(r"^\d{3,6}$")  # 112, 116117: the emergency and medical on-call services


def service_number(value: str | None, *, field: str = "phone") -> str | None:
    """A number a letter tells the patient to call in an emergency or out of hours: a short service number
    (112, 116117) or a telephone number (``phone_number``). Walk 25: "Notruf" was saved as the emergency
    number, and letters said "rufen Sie die Notruf"."""
    value = " ".join((value or "").split())
    if SHORT_NUMBER.match(value.replace(" ", "")):
        return value
    if not PHONE_CHARACTERS.match(value):  # the telephone number's example would mislead here (walk 26)
        raise InvalidInput(
            N_("This is not a number to call: a service number such as 112 or 116 117, or a telephone number."),
            details={"field": field},
        )
    return phone_number(value, field=field)


# A postcode of any country the clinic writes to: digits, letters, spaces and hyphens, with a digit in it
# (12345, 1010, CH-8001, SW1A 1AA, 1234 AB). "ABCDE" or "xyz" is no postcode: the letter would not arrive.
POSTCODE = re.compile(r"^(?=.*\d)[0-9A-Za-z][0-9A-Za-z \-]{2,10}$")


def postal_code(value: str | None, *, field: str = "postal_code") -> str | None:
    """A postcode as typed (spaces tidied), or None for an empty field; refused when it is none (``POSTCODE``)."""
    value = " ".join((value or "").split())
    if not value:
        return None
    if not POSTCODE.match(value):
        raise InvalidInput(N_("This is not a postcode: e.g. 20095, or CH-8001 abroad."), details={"field": field})
    return value
