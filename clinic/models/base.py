"""Column types and helpers shared by all models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import CheckConstraint, DateTime
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ..core.clock import utcnow

UTC = dt.UTC

__all__ = ["UTC", "UTCDateTime", "created_at_column", "one_of", "utcnow"]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant, stored as UTC and always handed back timezone-aware.

    PostgreSQL keeps it as ``timestamptz``; SQLite has no time zones, so the UTC wall time is stored
    and the zone is put back on the way out. Naive datetimes are refused: they are the classic source
    of off-by-an-hour bugs around daylight-saving changes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an instant (with time zone) is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None or value.tzinfo is UTC:  # PostgreSQL's sessions run in UTC (clinic.database)
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def one_of(column: str, values: Iterable[str], name: str | None = None, nullable: bool = False) -> CheckConstraint:
    """A named CHECK constraint that keeps a string column inside a fixed vocabulary."""
    values = tuple(values)
    quoted = ", ".join(f"'{v}'" for v in values)
    expr = f"{column} IN ({quoted})"
    if nullable:
        expr = f"{column} IS NULL OR {expr}"
    # The column and its vocabulary, for readers that show a stored code by its label (the audit trail).
    info = {"column": column, "values": values}
    return CheckConstraint(expr, name=name or f"{column}_valid", info=info)


def created_at_column() -> Mapped[dt.datetime]:
    return mapped_column(UTCDateTime, default=utcnow)


class Revocable:
    """A row that can be revoked once: an API token, a calendar feed. The model has the ``revoked_at`` column
    (not declared here, so that no mapping is inherited)."""

    def revoke(self, at: dt.datetime) -> bool:
        """Revoked at ``at`` unless it was already; whether this revoked it."""
        if self.revoked_at is not None:
            return False
        self.revoked_at = at
        return True
