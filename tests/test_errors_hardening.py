"""Issue 15, findings 2 and 7: a failing request leaves no patient data in any log line, and control
characters in forms, searches and addresses get a clear answer instead of a server error."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, text

from clinic.extensions import db
from clinic.models import Patient
from tests.factories import build_clinic, make_patient

SECRET_NAME = "Geheimnisvoll"
SECRET_NUMBER = "X987654321"

SQLITE_TRIGGER = """
CREATE TRIGGER refuse_patient_update BEFORE UPDATE ON patients
BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
"""
PG_FUNCTION = """
CREATE FUNCTION refuse_patient_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'refused by the test' USING DETAIL = 'Key (family_name)=(' || NEW.family_name || ') refused';
END $$ LANGUAGE plpgsql
"""
PG_TRIGGER = (
    "CREATE TRIGGER refuse_patient_update BEFORE UPDATE ON patients"
    " FOR EACH ROW EXECUTE FUNCTION refuse_patient_update()"
)


def _database_refuses_patient_updates(backend: str) -> None:
    """A fault the code does not expect: the database refuses the row, and its error carries the values
    (PostgreSQL's DETAIL line quotes them, as a unique violation's does)."""
    with db.engine.begin() as conn:
        if backend == "sqlite":
            conn.execute(text(SQLITE_TRIGGER))
        else:
            conn.execute(text(PG_FUNCTION))
            conn.execute(text(PG_TRIGGER))


@pytest.fixture
def drop_trigger(app, backend):
    yield
    db.session.rollback()  # the test's own transaction would hold the table (and SQLite's write lock)
    with db.engine.begin() as conn:
        conn.execute(
            text("DROP TRIGGER IF EXISTS refuse_patient_update" + ("" if backend == "sqlite" else " ON patients"))
        )
        if backend == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS refuse_patient_update()"))


def test_a_database_error_logs_no_patient_data(session, browser, backend, caplog, capfd, drop_trigger):
    build_clinic(session, radiologists=1)
    patient = make_patient(session)
    session.commit()
    _database_refuses_patient_updates(backend)
    browser.login("frontdesk")
    form = {
        "family_name": SECRET_NAME,
        "given_name": "Jürgen",
        "birth_date": "1957-03-14",
        "sex": "male",
        "insurance_number": SECRET_NUMBER,
        "preferred_language": "de",
    }
    with caplog.at_level(logging.DEBUG):
        response = browser.post(f"/desk/patients/{patient.id}/edit", form)
    assert response.status_code == 500
    logged = caplog.text + "".join(capfd.readouterr())
    assert "unhandled error on POST /desk/patients/<int:patient_id>/edit" in logged  # the fault is logged...
    assert "UPDATE patients" in logged
    for secret in (SECRET_NAME, SECRET_NAME.lower(), SECRET_NUMBER, "1957-03-14", "1957, 3, 14"):
        assert secret not in logged  # ...without the values
    assert session.scalar(select(Patient.id).where(Patient.family_name == SECRET_NAME)) is None


def test_statement_values_are_hidden_from_error_texts(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    assert db.engine.hide_parameters is True


@pytest.mark.parametrize("bad", ["Mül\x00ler", "Mül\x1bler", "Müller\x7f", "Mül\x0bler"])
def test_a_form_with_control_characters_is_refused_with_a_message(session, browser, bad):
    build_clinic(session, radiologists=1)
    patient = make_patient(session)
    session.commit()
    browser.login("frontdesk")
    form = {"family_name": bad, "given_name": "Jürgen", "birth_date": "1957-03-14", "preferred_language": "de"}
    response = browser.post(f"/desk/patients/{patient.id}/edit", form)
    assert response.status_code == 422
    assert "invisible control characters" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Patient, patient.id).family_name != bad


def test_a_search_with_a_nul_is_refused_and_the_list_keeps_working(session, browser):
    build_clinic(session, radiologists=1)
    make_patient(session, family_name="Zander")
    session.commit()
    browser.login("frontdesk")
    refused = browser.post("/patients/", {"q": "Zan\x00der"})
    assert refused.status_code == 422 and "invisible control characters" in refused.get_data(as_text=True)
    assert browser.get("/patients/").status_code == 200
    with browser.client.session_transaction() as stored:  # a search remembered before the rule existed
        stored["patient_search"] = "Zan\x00der"
    assert browser.get("/patients/").status_code == 200
    assert browser.get("/patients/").status_code == 200
    referrals = browser.post("/desk/referrals", {"q": "Zan\x00der"}, form_page="/desk/referrals")
    assert referrals.status_code == 302
    assert browser.get("/desk/referrals").status_code == 200


def test_an_address_with_control_characters_gets_400(session, browser):
    build_clinic(session, radiologists=1)
    session.commit()
    browser.login("admin")
    assert browser.get("/admin/users?q=a%00b").status_code == 400
    assert browser.get("/admin/users?q=ab").status_code == 200


def test_every_form_refuses_control_characters():
    """Every form of the app comes from clinic.forms, which adds the rule to each field."""
    import flask_wtf

    import clinic.forms
    from clinic import create_app

    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    forms = [f for f in subclasses(flask_wtf.FlaskForm) if f.__module__.startswith("clinic.")]
    assert len(forms) > 30
    outside = [f"{f.__module__}.{f.__qualname__}" for f in forms if not issubclass(f, clinic.forms.FlaskForm)]
    assert outside == []


def test_a_form_sent_with_an_expired_token_keeps_what_was_typed_and_sends_it_again(session, browser):
    """Staff walk: a form left open past the token's lifetime ended on a bare error page and what was typed
    was gone. From this site, the values come back under a fresh token, to send again; from elsewhere (or
    with a password, or with files) the plain refusal stays, so a forged post never gets a button of ours."""
    import re

    from clinic.models import User
    from tests.conftest import csrf_from

    build_clinic(session)
    session.commit()
    browser.login("frontdesk")
    here = {"Origin": "http://clinic.test", "Referer": "http://clinic.test/profile"}  # the test SERVER_NAME
    expired = browser.client.post("/profile", data={"language": "de", "csrf_token": "expired"}, headers=here)
    page = expired.get_data(as_text=True)
    assert expired.status_code == 400 and "What you typed is kept" in page
    assert (
        '<form method="post" action="/profile"' in page and '<input type="hidden" name="language" value="de">' in page
    )
    assert 'href="http://clinic.test/profile"' in page  # back to the form
    sent = browser.client.post("/profile", data={"language": "de", "csrf_token": csrf_from(page)}, headers=here)
    assert sent.status_code == 302
    assert session.scalar(select(User.language).where(User.username == "frontdesk")) == "de"

    forged = browser.client.post(
        "/profile", data={"language": "en", "csrf_token": "x"}, headers={"Origin": "https://elsewhere.example"}
    )
    assert forged.status_code == 400 and not re.search(r'name="language"', forged.get_data(as_text=True))
    assert "nicht von dieser Seite gesendet" in forged.get_data(as_text=True)  # the screens are German now
    no_origin = browser.client.post("/profile", data={"language": "en", "csrf_token": "x"})
    assert no_origin.status_code == 400 and 'name="language"' not in no_origin.get_data(as_text=True)
    password = browser.client.post(
        "/login", data={"username": "frontdesk", "password": "secret", "csrf_token": "x"}, headers=here
    )
    assert password.status_code == 400 and "secret" not in password.get_data(as_text=True)
