"""Staff accounts, their roles, qualifications and API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Revocable, UTCDateTime, created_at_column, one_of, utcnow
from .vocab import Role

radiologist_qualifications = Table(
    "radiologist_qualifications",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("procedure_type_id", Integer, ForeignKey("procedure_types.id", ondelete="CASCADE"), primary_key=True),
)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (one_of("role", Role.values()),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (one_of("language", ("de", "en"), nullable=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password reset or deactivation so that every open session of the account ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # The language of the screens for this user (de or en); None follows the clinic's (CLINIC_LOCALE).
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = created_at_column()

    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    # Loaded when asked for, not with every request's user.
    qualifications: Mapped[list[ProcedureType]] = relationship(  # noqa: F821
        secondary=radiologist_qualifications, order_by="ProcedureType.sort_order"
    )

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def set_roles(self, roles: set[str]) -> None:
        unknown = set(roles) - set(Role.values())
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        keep = [r for r in self.role_rows if r.role in roles]
        have = {r.role for r in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(set(roles) - have)]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    # What Flask-Login asks of a user (written out, so that the models do not import the web layer).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def is_qualified_for(self, procedure_type_id: int) -> bool:
        return any(p.id == procedure_type_id for p in self.qualifications)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class ApiToken(db.Model, Revocable):
    """A bearer token for the JSON API. Only its SHA-256 is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
