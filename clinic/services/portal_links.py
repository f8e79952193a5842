"""The patient's link: making, finding, checking (date of birth, lock), revoking.

The token is HMAC-SHA256(server secret, the link's nonce), 256 bits, written base64url into the path.
The database keeps the nonce and the token's SHA-256 only: a copy of the database alone opens no link
(as with API tokens), and the server can write the same address again on a letter printed later, or
into an email at the moment it is sent (the outbox stores a placeholder, never the token). Changing the
server's SECRET_KEY ends every link; the front desk sends new ones.

A link opens for its own referral only; it ends when the referral is closed or declined, or when staff
revoke it. A wrong date of birth counts against the link; after ``max_failures`` it is locked until the
front desk unlocks it (or sends a new one). Throttling per token and per client address is the web
layer's (Flask-Limiter); the lock here is what holds across processes and restarts.

Everything the patient does is audited with the patient as the actor (``patient_actor``) and the link
as the object, so staff screens can show what was done through the link and when (``activity``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError
from ..core.messages import N_
from ..models import AuditEvent, Patient, PortalLink, Referral
from ..models.base import utcnow
from ..models.vocab import ReferralStatus

OBJECT_TYPE = "portal_links"
PATH = "/p/"
DEFAULT_MAX_FAILURES = 5
ENDED_STATUSES = (ReferralStatus.DECLINED, ReferralStatus.CLOSED)


class LinkState(StrEnum):
    OPEN = "open"
    REVOKED = "revoked"
    LOCKED = "locked"
    ENDED = "ended"  # the referral was closed or declined: the episode is over


def _token(secret: str, nonce: str) -> str:
    mac = hmac.new(secret.encode(), f"portal-link:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_of(link: PortalLink, secret: str) -> str:
    return _token(secret, link.nonce)


def url_of(link: PortalLink, secret: str, base_url: str) -> str:
    return base_url.rstrip("/") + PATH + token_of(link, secret)


def patient_actor(patient: Patient) -> audit.Actor:
    """The patient as the audit trail's actor: no staff account, the clinic number as the name."""
    return audit.Actor(None, f"patient {patient.clinic_number}")


def live_link(session: Session, referral_id: int) -> PortalLink | None:
    return session.scalar(
        select(PortalLink).where(PortalLink.referral_id == referral_id, PortalLink.revoked_at.is_(None))
    )


def episode_ended(referral: Referral) -> bool:
    return referral.status in ENDED_STATUSES


def ensure(session: Session, actor, referral: Referral, secret: str) -> PortalLink:
    """The referral's live link, made now if it has none. A referral whose episode has ended gets none."""
    link = live_link(session, referral.id)
    if link is not None:
        if token_hash(token_of(link, secret)) != link.token_hash:
            # The server's secret key changed since the link was made: the old address no longer opens
            # it, so it is replaced by one that does.
            revoke(session, actor, link)
        else:
            return link
    if episode_ended(referral):
        raise DomainError(N_("This referral is closed: its patient link has ended."), code="episode_ended")
    nonce = secrets.token_hex(16)
    link = PortalLink(
        referral_id=referral.id,
        patient_id=referral.patient_id,
        nonce=nonce,
        token_hash=token_hash(_token(secret, nonce)),
        created_by_id=audit.actor_of(actor).id,
        created_at=utcnow(),
        failed_attempts=0,
    )
    session.add(link)
    session.flush()
    return link


def find(session: Session, token: str) -> PortalLink | None:
    """The link a token opens (revoked and locked ones too, so that the page can say so)."""
    if not token or len(token) > 64:
        return None
    return session.scalar(select(PortalLink).where(PortalLink.token_hash == token_hash(token)))


def state(link: PortalLink) -> LinkState:
    if link.revoked_at is not None:
        return LinkState.REVOKED
    if episode_ended(link.referral):
        return LinkState.ENDED
    if link.locked_at is not None:
        return LinkState.LOCKED
    return LinkState.OPEN


def record(session: Session, link: PortalLink, action: str, summary: dict | None = None) -> None:
    """One thing the patient did through the link, in the audit trail as the patient."""
    audit.record(
        session,
        f"portal.{action}",
        OBJECT_TYPE,
        link.id,
        summary=summary,
        patient_id=link.patient_id,
        actor=patient_actor(link.patient),
    )


@dataclass(frozen=True)
class Verification:
    ok: bool
    locked: bool = False
    tries_left: int = 0


def verify(
    session: Session, link: PortalLink, birth_date: dt.date | None, *, max_failures: int = DEFAULT_MAX_FAILURES
) -> Verification:
    """Check the date of birth. Wrong answers count; the ``max_failures``-th locks the link. A locked,
    revoked or ended link never verifies, whatever the answer."""
    now = utcnow()
    if state(link) != LinkState.OPEN:
        record(session, link, "refused", {"state": state(link).value})
        return Verification(False, locked=link.is_locked)
    if birth_date is not None and hmac.compare_digest(birth_date.isoformat(), link.patient.birth_date.isoformat()):
        link.failed_attempts = 0
        link.last_verified_at = link.last_opened_at = now
        record(session, link, "verified")
        session.flush()
        return Verification(True)
    link.failed_attempts += 1
    if link.failed_attempts >= max_failures:
        link.locked_at = now
        record(session, link, "locked", {"failed_attempts": link.failed_attempts})
    else:
        record(session, link, "birth_date_wrong", {"failed_attempts": link.failed_attempts})
    session.flush()
    return Verification(False, locked=link.is_locked, tries_left=max(max_failures - link.failed_attempts, 0))


def opened(session: Session, link: PortalLink, page: str) -> None:
    """A page of the link was opened (after the date of birth): audited as the patient's reading."""
    link.last_opened_at = utcnow()
    record(session, link, "view", {"page": page})


def revoke(session: Session, actor, link: PortalLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        link.revoked_by_id = audit.actor_of(actor).id
        audit.record(session, "portal.revoked", OBJECT_TYPE, link.id, patient_id=link.patient_id, actor=actor)
    session.flush()


def unlock(session: Session, actor, link: PortalLink) -> None:
    """After the patient called and was identified: the same link opens again."""
    if link.revoked_at is not None:
        raise DomainError(N_("This link has been revoked; send a new one."), code="revoked")
    link.locked_at = None
    link.failed_attempts = 0
    audit.record(session, "portal.unlocked", OBJECT_TYPE, link.id, patient_id=link.patient_id, actor=actor)
    session.flush()


# --- what staff see -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    at: dt.datetime
    action: str  # without the "portal." prefix
    actor: str
    summary: str | None
    by_patient: bool


def activity(session: Session, referral_id: int, *, appointment_id: int | None = None, limit: int = 50):
    """What happened through the referral's links (newest first): the patient's doings and staff's
    sending, revoking and unlocking. With ``appointment_id``: only what concerned that appointment."""
    link_ids = list(session.scalars(select(PortalLink.id).where(PortalLink.referral_id == referral_id)))
    if not link_ids:
        return []
    stmt = select(AuditEvent).where(
        AuditEvent.object_type == OBJECT_TYPE,
        AuditEvent.object_id.in_([str(i) for i in link_ids]),
        AuditEvent.action.like("portal.%"),
        AuditEvent.action != "portal.view",  # pages read: the link's "last opened" says it
    )
    if appointment_id is not None:
        key = f'"appointment": {int(appointment_id)}'
        stmt = stmt.where(or_(AuditEvent.summary.like(f"%{key},%"), AuditEvent.summary.like(f"%{key}}}%")))
    rows = session.scalars(stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return [Activity(e.at, e.action.removeprefix("portal."), e.actor_name, e.summary, e.actor_id is None) for e in rows]
