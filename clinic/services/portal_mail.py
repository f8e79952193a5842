"""The email that brings the patient their link, in the patient's language, through the outbox.

The outbox keeps the message as it will be sent, except the token: the body holds a placeholder naming
the link, and the sender writes the address in at the moment of sending (``prepare``), from the link's
nonce and the server's secret. So no token is ever stored, and a link revoked before the email left is
not sent at all (the message is withdrawn with the reason).
"""

from __future__ import annotations

import dataclasses
import re

from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError
from ..core.messages import N_
from ..models import PortalLink
from ..models.base import utcnow
from ..models.vocab import Language, MessageKind
from . import outbox, portal_links
from . import settings as clinic_settings
from .outbox import Claim

KIND = MessageKind.PORTAL_LINK.value
PLACEHOLDER = "[[portal-link:{id}]]"
_PLACEHOLDER_RE = re.compile(r"\[\[portal-link:(\d+)\]\]")

WORDS = {
    "en": {
        "subject": "Your personal link to {clinic}",
        "body": (
            "Dear {name},\n\n"
            "with this personal link you can answer our questions before your procedure, send us earlier "
            "X-ray, CT or MRI images, and choose, move or cancel your appointment, as far as this is "
            "possible online:\n\n"
            "{base}{path}\n\n"
            "To open it you need your date of birth. Please do not pass the link on.\n\n"
            "If you have questions, or if you did not expect this email, please call us on {phone}.\n\n"
            "Kind regards\n{clinic}\n"
        ),
    },
    "de": {
        "subject": "Ihr persönlicher Link zum {clinic}",
        "body": (
            "Guten Tag {name},\n\n"
            "über diesen persönlichen Link können Sie vor Ihrem Eingriff unsere Fragen beantworten, uns "
            "frühere Röntgen-, CT- oder MRT-Aufnahmen schicken und Ihren Termin auswählen, verschieben oder "
            "absagen, soweit das online möglich ist:\n\n"
            "{base}{path}\n\n"
            "Zum Öffnen brauchen Sie Ihr Geburtsdatum. Bitte geben Sie den Link nicht weiter.\n\n"
            "Wenn Sie Fragen haben oder diese E-Mail nicht erwartet haben, rufen Sie uns bitte unter {phone} "
            "an.\n\n"
            "Mit freundlichen Grüßen\n{clinic}\n"
        ),
    },
}


def queue(session: Session, actor, link: PortalLink, base_url: str) -> None:
    """Queue the link's email (sending again queues another). The patient needs an email address."""
    patient = link.patient
    if not patient.email:
        raise DomainError(
            N_("The patient has no email address: print the letter (it carries the link) or add an address."),
            code="no_email",
        )
    language = patient.preferred_language if patient.preferred_language in WORDS else Language.DE
    words = WORDS[language]
    contact = clinic_settings.contact(session)
    body = words["body"].format(
        name=patient.full_name,
        base=base_url.rstrip("/"),
        path=portal_links.PATH + PLACEHOLDER.format(id=link.id),
        phone=contact["clinic_phone"],
        clinic=contact["clinic_name"],
    )
    now = utcnow()
    outbox.queue(
        session,
        kind=KIND,
        recipient=patient.email,
        subject=words["subject"].format(clinic=contact["clinic_name"]),
        body=body,
        now=now,
    )
    link.last_sent_at = now
    audit.record(
        session,
        "portal.sent",
        portal_links.OBJECT_TYPE,
        link.id,
        summary={"to": patient.email},
        patient_id=link.patient_id,
        actor=actor,
    )
    session.flush()


def prepare(session: Session, claim: Claim, secret: str) -> tuple[Claim, str | None]:
    """The claim with the link's address written in, or a reason to withdraw it (link revoked or gone)."""
    body = claim.body
    for match in _PLACEHOLDER_RE.finditer(claim.body):
        link = session.get(PortalLink, int(match.group(1)))
        if link is None or link.revoked_at is not None:
            return claim, "the patient link was revoked before the email was sent"
        if portal_links.token_hash(portal_links.token_of(link, secret)) != link.token_hash:
            return claim, "the server's secret key changed: the link no longer opens; send a new one"
        body = body.replace(match.group(0), portal_links.token_of(link, secret))
    return dataclasses.replace(claim, body=body), None
