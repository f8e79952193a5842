"""Contact details checked the same way on every path (screens, API, admin, the outbox)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from ..core.errors import InvalidInput


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
        raise InvalidInput(f"This is not one valid email address: {error}", details={"field": "email"}) from None
