"""Staff accounts for the admin screens, on top of ``clinic.services.accounts``.

Accounts are never deleted: the audit trail names people, and appointments name their radiologist.
Deactivating ends every open session and revokes the account's API tokens. The last active admin
cannot lock everyone out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, InvalidInput, NotFound, invalid
from ..core.messages import N_
from ..models import ApiToken, ProcedureType, User, UserRole
from ..models.vocab import Role
from . import accounts, contact


@dataclass(frozen=True)
class AccountFields:
    full_name: str
    email: str | None
    roles: set[str]
    qualification_ids: set[int]


def _check_roles(roles: set[str]) -> None:
    if not roles:
        raise invalid(N_("Give the account at least one role."), "roles")
    unknown = set(roles) - set(Role.values())
    if unknown:
        raise invalid(N_("Unknown role(s): {items}."), "roles", items=", ".join(sorted(unknown)))


def _qualifications(roles: set[str], ids: set[int], held: set[int] = frozenset()) -> set[int]:
    """The qualifications an account keeps. A qualification says which procedures a radiologist may be
    booked for; on any other account it means nothing (and would count the day the account became a
    radiologist's): ticked for one, it is refused; held by a radiologist whose role is taken away, it goes
    with the role."""
    if Role.RADIOLOGIST in roles:
        return ids
    if ids - held:
        raise invalid(
            N_("Only a radiologist is qualified for procedures: give the account the radiologist role, or tick none."),
            "qualifications",
        )
    return set()


def _procedures(session: Session, ids: set[int]) -> list[ProcedureType]:
    if not ids:
        return []
    found = list(session.scalars(select(ProcedureType).where(ProcedureType.id.in_(ids))))
    if len(found) != len(ids):
        raise invalid(N_("Unknown procedure among the qualifications."), "qualifications")
    return found


def _other_active_admins(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(User.id)
            .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.ADMIN))
            .where(User.active, User.id != user.id)
        ).all()
    )


def create_account(session: Session, actor, username: str, password: str, fields: AccountFields) -> User:
    _check_roles(fields.roles)
    qualification_ids = _qualifications(fields.roles, fields.qualification_ids)
    try:
        user = accounts.create_user(
            session, username, fields.full_name, password, set(fields.roles), email=contact.email_address(fields.email)
        )
    except InvalidInput as error:
        field = "password" if "password" in error.message.lower() else "username"
        raise invalid(error.template, field, **error.params) from None
    user.qualifications = _procedures(session, qualification_ids)
    session.flush()
    return user


def update_account(session: Session, actor, user: User, fields: AccountFields) -> User:
    _check_roles(fields.roles)
    qualification_ids = _qualifications(fields.roles, fields.qualification_ids, {p.id for p in user.qualifications})
    if Role.ADMIN in user.roles and Role.ADMIN not in fields.roles:
        if actor is not None and getattr(actor, "id", None) == user.id:
            raise invalid(N_("You cannot take away your own admin role; ask another admin."), "roles")
        if user.active and _other_active_admins(session, user) == 0:
            raise invalid(N_("This is the last active admin; give another account the admin role first."), "roles")
    if not fields.full_name.strip():
        raise invalid(N_("Give the person's full name."), "full_name")
    user.full_name = fields.full_name.strip()
    user.email = contact.email_address(fields.email)
    user.set_roles(set(fields.roles))
    user.qualifications = _procedures(session, qualification_ids)
    session.flush()
    return user


def reset_password(session: Session, actor, user: User, password: str) -> int:
    """A new password; every session of the account ends (the session version moves on) and its API
    tokens are revoked. Returns how many tokens were revoked."""
    try:
        revoked = accounts.set_password(session, user, password)
    except InvalidInput as error:
        raise invalid(error.template, "password", **error.params) from None
    audit.record(
        session, "users.password_reset", "users", user.id, summary={"tokens_revoked": len(revoked)}, actor=actor
    )
    return len(revoked)


def deactivate_account(session: Session, actor, user: User) -> None:
    if not user.active:
        return
    if actor is not None and getattr(actor, "id", None) == user.id:
        raise DomainError(N_("You cannot deactivate your own account."))
    if Role.ADMIN in user.roles and _other_active_admins(session, user) == 0:
        raise DomainError(N_("This is the last active admin; it cannot be deactivated."))
    accounts.deactivate(session, user)
    audit.record(session, "users.deactivated", "users", user.id, actor=actor)


def reactivate_account(session: Session, actor, user: User) -> None:
    if user.active:
        return
    user.active = True
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    audit.record(session, "users.reactivated", "users", user.id, actor=actor)


def issue_api_token(session: Session, actor, user: User, name: str) -> str:
    """A new API token; returned once, only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise invalid(N_("Say what the token is for, e.g. the system that uses it."), "name")
    if not user.active:
        raise DomainError(N_("A deactivated account cannot get API tokens."))
    token = accounts.issue_token(session, user, name)
    audit.record(session, "api_tokens.issued", "users", user.id, summary={"name": name}, actor=actor)
    return token


def revoke_api_token(session: Session, actor, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(N_("This account has no such token."))
    accounts.revoke_token(session, token_id)
    audit.record(session, "api_tokens.revoked", "api_tokens", token.id, actor=actor)
    return token
