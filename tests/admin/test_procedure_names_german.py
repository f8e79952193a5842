"""Staff walk 3b, finding 6: the procedure catalogue in German showed English names, and a procedure's stage
rule read "Neurolytisch: needs a documented positive diagnostic sympathetic block…"."""

from __future__ import annotations

import re

from sqlalchemy import select

from clinic.models import ProcedureType
from tests.conftest import Browser
from tests.factories import make_user


def _german_admin(session, app) -> Browser:
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    browser = Browser(app.test_client())
    assert browser.login("admin_de").status_code == 302
    return browser


def test_the_catalogue_and_a_stage_rule_read_in_german(session, clinic, app):
    german = _german_admin(session, app)
    symp = session.scalar(select(ProcedureType).where(ProcedureType.code == "SYMP"))
    listing = german.get("/admin/procedures").get_data(as_text=True)
    row = re.search(r"<strong>SYMP</strong>.*?</tr>", listing, re.S).group(0)
    # The German name first; the English one below it, small and marked as English (the admin keeps both).
    assert re.search(r"<td>Sympathikolyse \(Sympathikusblockade\)<br><span [^>]*lang=\"en\"", row), row
    page = german.get(f"/admin/procedures/{symp.id}").get_data(as_text=True)
    rules = page[page.index('id="stage-rules"') :]
    assert "needs a documented" not in rules and "sympathetic block" not in rules
    assert (
        "Stufe Neurolytisch: braucht zuvor einen dokumentiert positiven Eingriff: Sympathikolyse, Stufe Diagnostisch"
        in rules
    )
