"""Idempotency keys for API requests that create or move appointments: a client that sends the same
``Idempotency-Key`` again (a retry after a timeout) gets the stored answer, not a second booking.

Keys are scoped to whoever sends them (one API token, or one logged-in user), so two clients cannot
read or spoil each other's answers. The key's row is written in the request's own transaction, before
the work: a concurrent request with the same key waits for it on the unique constraint (PostgreSQL) or
for the write lock (SQLite), then finds the stored answer. A refused request (4xx) is rolled back with
its key, so retrying it runs it again; only successes are kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.errors import DomainError, InvalidInput
from ..core.messages import N_
from ..models import IdempotentRequest
from ..models.base import utcnow

MAX_KEY_LENGTH = 255


class KeyReused(DomainError):
    code = "idempotency_key_reused"
    http_status = 422


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: str
    location: str | None


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise InvalidInput(
            N_("An Idempotency-Key is 1 to {max_key_length} printable ASCII characters."), max_key_length=MAX_KEY_LENGTH
        )
    return key


def claim(session: Session, scope: str, key: str, request_hash: str) -> IdempotentRequest | Stored:
    """Take the key for this request (a new row to complete later), or the answer stored for it."""
    check_key(key)
    row = IdempotentRequest(scope=scope, key=key, request_hash=request_hash, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        pass
    else:
        return row
    existing = session.scalar(
        select(IdempotentRequest).where(IdempotentRequest.scope == scope, IdempotentRequest.key == key)
    )
    if existing is None or existing.status_code is None:  # pragma: no cover - the holder commits it complete
        raise DomainError(N_("A request with this Idempotency-Key is still running; try again shortly."), code="busy")
    if existing.request_hash != request_hash:
        raise KeyReused(N_("This Idempotency-Key was used for a different request. Use a new key for a new request."))
    return Stored(existing.status_code, existing.body or "", existing.location)


def complete(session: Session, row: IdempotentRequest, status_code: int, body: str, location: str | None) -> None:
    row.status_code = status_code
    row.body = body
    row.location = location
    row.completed_at = utcnow()
    session.flush()
