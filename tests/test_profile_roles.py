"""Staff walk (de-DE, screens 26): the profile page read "Dr. Anna Berg (radiologist)", the login name in brackets,
taken for the role's code. The page says what each value is: the name, the user name, and the roles by their
German labels."""

from __future__ import annotations

import html
import re

from tests.conftest import logged_in
from tests.factories import build_clinic, make_user


def _facts(page: str) -> dict[str, str]:
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    return {html.unescape(label).strip(): html.unescape(value).strip() for label, value in pairs}


def test_the_profile_names_the_role_by_its_label(app, session):
    build_clinic(session)
    make_user(session, "radiologist", {"radiologist"}, "Dr. Anna Berg", language="de")
    make_user(session, "leitung", {"admin", "front_desk"}, "Greta Leitung", language="de")
    session.commit()
    radiologist, lead = logged_in(app, "radiologist", "leitung")

    page = radiologist.get("/profile").get_data(as_text=True)
    assert "(radiologist)" not in page
    facts = _facts(page)
    assert facts["Name"] == "Dr. Anna Berg"
    assert facts["Benutzername"] == "radiologist"
    assert facts["Rolle"] == "Radiologe/-in"

    facts = _facts(lead.get("/profile").get_data(as_text=True))
    assert facts["Rollen"] == "Administration, Anmeldung"
