"""The patient list's "Clear" button sent q="" after the box's own q (a browser sends the form's fields in
their order, the pressed button among them), and the form read the first: the search was not cleared. The
button now posts clear=1, as the desk lists' search does."""

from __future__ import annotations

from tests.factories import build_clinic, make_patient


def test_clear_on_the_patient_list_forgets_the_search_as_a_browser_sends_it(session, browser):
    build_clinic(session)
    for name in ("Müller", "Anders"):
        make_patient(session, family_name=name)
    session.commit()
    browser.login("frontdesk")
    browser.post("/patients/", {"q": "mull"})
    page = browser.get("/patients/").get_data(as_text=True)
    assert "Müller" in page and "Anders" not in page
    assert 'name="clear" value="1"' in page
    assert browser.post("/patients/", {"q": "mull", "clear": "1"}).status_code == 302
    page = browser.get("/patients/").get_data(as_text=True)
    assert "Müller" in page and "Anders" in page and 'value="mull"' not in page
