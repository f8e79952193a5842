"""Answers to API requests that carried an ``Idempotency-Key``, kept so that a client retrying after a
timeout gets the same answer instead of a second appointment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, created_at_column


class IdempotentRequest(db.Model):
    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_idempotent_requests_scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose key it is: "token:<id>" for a bearer token, "user:<id>" for a logged-in browser session.
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    # What was asked (method, path and a SHA-256 of the body): the same key for another request is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = created_at_column()
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
