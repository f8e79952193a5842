"""Access rules for views. Deny by default: a view that does not declare who may use it is refused.

    @bp.get("/patients")
    @roles(Role.FRONT_DESK, Role.RADIOLOGIST)
    def patient_list(): ...

The check itself runs for every request in ``enforce_access`` (registered by ``create_app``), so a
new route cannot escape it by forgetting a decorator: it will answer 403 to everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
ANY_STAFF = "any_staff"


def roles(*allowed: str) -> Callable[[F], F]:
    if not allowed:
        raise ValueError("roles() needs at least one role")

    def mark(view: F) -> F:
        view.access = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def any_staff(view: F) -> F:
    view.access = ANY_STAFF  # type: ignore[attr-defined]
    return view


def access_rule(view: Callable | None):
    return getattr(view, "access", None)


def allows(rule, user) -> bool:
    if rule == PUBLIC:
        return True
    if rule is None or user is None or not user.is_authenticated:
        return False
    if rule == ANY_STAFF:
        return True
    return user.has_role(*rule)
