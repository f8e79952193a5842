"""Private calendar feeds: one secret URL per radiologist or room, for Outlook, Thunderbird or a phone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Revocable, UTCDateTime, created_at_column


class CalendarFeed(db.Model, Revocable):
    """The feed of one radiologist or one room. Only the token's SHA-256 is kept (as for API tokens);
    the URL is shown once. A revoked feed answers 404."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (CheckConstraint("(radiologist_id IS NULL) <> (room_id IS NULL)", name="radiologist_or_room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    radiologist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    last_fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    radiologist: Mapped[User | None] = relationship(foreign_keys=[radiologist_id])  # noqa: F821
    room: Mapped[Room | None] = relationship()  # noqa: F821

    @property
    def owner_label(self) -> str:
        if self.room is not None:
            return f"Room {self.room.name}"
        return self.radiologist.full_name if self.radiologist else "?"
