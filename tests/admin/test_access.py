"""Every admin screen answers the admin, and refuses everyone else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.models import AnticoagulantRule, Closure, DocumentText, RoomSession, RosterEntry
from clinic.models.vocab import Role
from tests.conftest import NOW
from tests.factories import make_user

from .helpers import text

LIST_PAGES = [
    "/admin/",
    "/admin/procedures",
    "/admin/procedures/new",
    "/admin/rooms",
    "/admin/rooms/new",
    "/admin/beds/new",
    "/admin/sessions",
    "/admin/sessions/new",
    "/admin/rosters",
    "/admin/rosters/new",
    "/admin/rosters/exceptions/new",
    "/admin/closures",
    "/admin/closures/new",
    "/admin/stranded",
    "/admin/users",
    "/admin/users/new",
    "/admin/texts",
    "/admin/hold-rules",
    "/admin/hold-rules/new",
    "/admin/settings",
]


def _detail_pages(session, clinic) -> list[str]:
    closure = Closure(scope="clinic", starts_at=NOW, ends_at=NOW.replace(year=2099), reason="Test")
    session.add(closure)
    session.flush()
    text_row = session.scalar(select(DocumentText))
    pages = [
        f"/admin/procedures/{clinic.pt('PRT').id}",
        f"/admin/rooms/{clinic.rooms['CT 1'].id}",
        f"/admin/beds/{clinic.beds[0].id}",
        f"/admin/sessions/{session.scalar(select(RoomSession.id))}",
        f"/admin/rosters/{session.scalar(select(RosterEntry.id))}",
        f"/admin/closures/{closure.id}",
        f"/admin/users/{clinic.radiologists[0].id}",
        f"/admin/texts/{clinic.pt('PRT').id}/consent/de",
        f"/admin/texts/versions/{text_row.id}",
        f"/admin/hold-rules/{session.scalar(select(AnticoagulantRule.id))}",
    ]
    return pages


@pytest.fixture
def seeded(session, clinic):
    from clinic.defaults import seed_texts

    seed_texts(session, clinic.procedures)
    session.commit()
    return clinic


def test_every_admin_page_renders_for_the_admin(session, seeded, browser):
    pages = LIST_PAGES + _detail_pages(session, seeded)
    session.commit()
    browser.login("admin")
    for path in pages:
        response = browser.get(path)
        assert response.status_code == 200, path
        assert "<script>" not in text(response) and 'style="' not in text(response), path


def test_the_index_lists_every_setup_section(admin):
    html = text(admin.get("/admin/"))
    for title in (
        "Procedure catalogue",
        "Rooms and beds",
        "Session templates",
        "Rosters",
        "Closures",
        "Users",
        "Document texts",
        "Medication hold rules",
        "Appointments to reschedule",
        "Clinic settings",
    ):
        assert title in html


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE])
def test_other_roles_are_refused(session, seeded, browser, role):
    make_user(session, "someone", {role})
    pages = LIST_PAGES + _detail_pages(session, seeded)
    session.commit()
    browser.login("someone")
    for path in pages:
        # The front desk reschedules what a setup change strands: it opens that list too.
        expected = 200 if role == Role.FRONT_DESK and path == "/admin/stranded" else 403
        assert browser.get(path).status_code == expected, path
    refused = browser.post(f"/admin/rooms/{seeded.rooms['CT 1'].id}/deactivate", {}, form_page="/")
    assert refused.status_code == 403
    session.expire_all()
    assert seeded.rooms["CT 1"].active


def test_anonymous_visitors_are_sent_to_the_login(session, seeded, browser):
    for path in LIST_PAGES:
        response = browser.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
