"""The patient's link (the portal): one secret address per referral, and the answers given through it.

The patient never has an account (DESIGN.md §1). A link belongs to one referral; only the SHA-256 of its
token is kept, as for API tokens. What the patient fills in lands as a ``PortalAnswer`` that the front
desk confirms: never straight into the pre-registration checklist.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.messages import N_
from ..extensions import db
from .base import UTCDateTime, created_at_column, one_of
from .vocab import Labelled


class PortalItem(Labelled):
    """The pre-registration items a patient answers through the link."""

    CONTACT = "contact"
    MEDICATION = "medication"
    ALLERGIES = "allergies"
    CONDITIONS = "conditions"
    ESCORT = "escort"
    LANGUAGE = "language"


class AnswerStatus(Labelled):
    PROPOSED = "proposed"  # waiting for the front desk
    CONFIRMED = "confirmed"  # taken into the checklist by the front desk (one click)
    CLOSED = "closed"  # dealt with by hand, or not taken over, with a note
    SUPERSEDED = "superseded"  # the patient answered the same item again before anyone confirmed it


class PortalLink(db.Model):
    """The patient's link for one referral. ``nonce`` and the server's secret key give the token (so a
    letter printed again carries the same address); the database holds only the token's SHA-256.

    A referral has at most one link that is not revoked (``uq_portal_links_one_live_per_referral``)."""

    __tablename__ = "portal_links"
    __table_args__ = (
        Index(
            "uq_portal_links_one_live_per_referral",
            "referral_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    referral: Mapped[Referral] = relationship()  # noqa: F821
    patient: Mapped[Patient] = relationship()  # noqa: F821

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class PortalAnswer(db.Model):
    """One pre-registration item as the patient answered it, waiting for the front desk's confirmation.

    ``payload`` is the answer as JSON (the same fields the desk's form has); confirming applies it through
    the desk's own services, with the confirming user as the one who settled the item."""

    __tablename__ = "portal_answers"
    __table_args__ = (
        one_of("item", PortalItem.values()),
        one_of("status", AnswerStatus.values()),
        CheckConstraint(
            "status NOT IN ('confirmed', 'closed') OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="decision_has_who_and_when",
        ),
        Index("ix_portal_answers_referral_status", "referral_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("portal_links.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=AnswerStatus.PROPOSED)
    submitted_at: Mapped[dt.datetime] = created_at_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    decided_by: Mapped[User | None] = relationship()  # noqa: F821


# The labels derived from the values, marked for the catalogue (see vocab.SCREEN_LABELS).
SCREEN_LABELS = (
    # PortalItem
    N_("Contact"),
    N_("Medication"),
    N_("Allergies"),
    N_("Conditions"),
    N_("Escort"),
    N_("Language"),
    # AnswerStatus
    N_("Proposed"),
    N_("Confirmed"),
    N_("Closed"),
    N_("Superseded"),
)
