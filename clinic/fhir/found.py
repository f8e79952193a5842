"""What every resource type's read and search hand back, and the helpers they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from . import queries
from .search import Page

Found = tuple[dict, int | None]  # a resource and the patient it belongs to (None: no patient's record)


@dataclass
class Result:
    entries: list[Found]
    total: int | None = None
    has_more: bool = False
    private: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    roles: tuple[str, ...]
    read: Callable[[str], Found | None]
    search: Callable[[MultiDict, Page, bool], Result]
    params: dict[str, str] = field(default_factory=dict)  # search parameter → its FHIR type
    create: bool = False


def numeric_id(ident: str) -> int | None:
    return int(ident) if ident.isdigit() and len(ident) < 10 else None


def prefixed_id(ident: str, prefix: str) -> int | None:
    return numeric_id(ident[len(prefix) :]) if ident.startswith(prefix) else None


def run(search: queries.Search, page: Page, present: Callable) -> Result:
    total = db.session.scalar(select(func.count()).select_from(search.statement.order_by(None).subquery()))
    rows = db.session.execute(search.statement.limit(page.count).offset(page.offset)).unique().all()
    return Result([present(*row) for row in rows], total=total, private=search.private)
