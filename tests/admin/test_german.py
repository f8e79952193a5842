"""Issue 17: the admin screens in German for a German user, in English for an English one."""

from __future__ import annotations

import html

from sqlalchemy import select

from clinic.models import User
from tests.conftest import Browser
from tests.factories import make_user


def _german_admin(session, app) -> Browser:
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    browser = Browser(app.test_client())
    assert browser.login("admin_de").status_code == 302
    return browser


def test_the_admin_screens_speak_german_to_a_german_user(session, clinic, app, admin):
    german = _german_admin(session, app)
    page = german.get("/admin/").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Eingriffskatalog" in page and "Raumzeiten" in page and "Dienstpläne" in page
    rosters = german.get("/admin/rosters").get_data(as_text=True)
    assert "Neuer Wochendienst" in rosters and "Montag" in rosters

    english = admin.get("/admin/").get_data(as_text=True)
    assert "Procedure catalogue" in english and "Eingriffskatalog" not in english


def test_a_refusal_of_the_services_reads_in_german_where_the_catalogue_has_it(session, clinic, app):
    german = _german_admin(session, app)
    # An empty room name: the form refuses it ("Give the room a name."), in German.
    response = german.post("/admin/rooms/new", {"name": "", "modality": "CT", "unit": "Radiologie"})
    assert response.status_code == 422
    assert "Geben Sie dem Raum einen Namen." in response.get_data(as_text=True)
    # The feed service refuses an owner that does not exist; the form's own choice check answers first.
    refused = german.post("/admin/calendar-feeds", {"owner": ""}, form_page="/admin/calendar-feeds")
    assert "Wählen Sie eine Radiologin, einen Radiologen oder einen Raum." in refused.get_data(as_text=True)


def test_a_refusal_of_the_account_service_is_shown_in_german(session, clinic, app):
    german = _german_admin(session, app)
    user_id = session.scalar(select(User.id).where(User.username == "admin_de"))
    response = german.post(f"/admin/users/{user_id}/deactivate", form_page=f"/admin/users/{user_id}")
    page = german.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sie können Ihr eigenes Konto nicht deaktivieren." in page


def test_form_labels_follow_the_user_not_the_first_request(session, clinic, app, admin):
    """Labels are looked up per request (lazy), never once when the module is imported."""
    german = _german_admin(session, app)
    assert "Schritte, die der Link der Patientin / des Patienten anbietet" in german.get("/admin/portal").get_data(
        as_text=True
    )
    assert "Steps offered through the patient&#39;s link" in admin.get("/admin/portal").get_data(as_text=True) or (
        "Steps offered through the patient's link" in admin.get("/admin/portal").get_data(as_text=True)
    )


def test_a_service_refusal_with_a_value_reads_in_german(session, clinic, app):
    """The texts service refuses an unchanged text with the version's number: translated, then filled in."""
    from clinic.defaults import seed_texts
    from clinic.models import DocumentText

    seed_texts(session, clinic.procedures)
    session.commit()
    german = _german_admin(session, app)
    prt = clinic.pt("PRT")
    current = session.scalars(
        select(DocumentText)
        .where(DocumentText.procedure_type_id == prt.id, DocumentText.kind == "consent", DocumentText.language == "de")
        .order_by(DocumentText.version.desc())
    ).first()
    url = f"/admin/texts/{prt.id}/consent/de"
    response = german.post(url, {"title": current.title, "body": current.body, "change_note": "Nichts"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Seit Version {current.version} hat sich nichts geändert; es wurde keine neue Version gespeichert." in page


def test_the_stranding_reasons_read_in_german(session, clinic, app):
    """The stranding service hands its reasons over as marked phrases with values; the German admin reads them
    translated, with the room's name filled in."""
    from .helpers import book_on_day, next_monday
    from .test_resources import ROOM

    german = _german_admin(session, app)
    ct1 = clinic.rooms["CT 1"]
    book_on_day(session, clinic, next_monday(), room=ct1)
    warned = german.post(f"/admin/rooms/{ct1.id}", {**ROOM, "name": "CT 1", "modality": "MRI"})
    assert warned.status_code == 409
    assert "CT 1 ist ein MRT-Raum; der Eingriff ist CT-gesteuert" in warned.get_data(as_text=True)


def test_the_hold_table_names_dose_classes_and_evidence_in_german(session, clinic, app):
    german = _german_admin(session, app)
    table = german.get("/admin/hold-rules").get_data(as_text=True)
    assert "jede Dosis" in table and "any dose" not in table
    new = german.get("/admin/hold-rules/new").get_data(as_text=True)
    assert "V: in einer Primärquelle geprüft" in new


def test_an_overlapping_session_is_named_in_german(session, clinic, app):
    """Walk finding: the overlap refusal named the clashing session "Monday 08:00–16:00, valid from …" on a
    German screen; the weekday and "gültig ab" are said in German now."""
    german = _german_admin(session, app)
    data = {
        "room_id": str(clinic.rooms["CT 1"].id),
        "weekday": "0",  # the clinic's Monday 08:00-16:00
        "start_time": "09:00",
        "end_time": "10:00",
        "valid_from": "2026-12-07",
        "valid_to": "",
    }
    response = german.post("/admin/sessions/new", data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "hat bereits eine Raumzeit, die sich überschneidet: Montag 08:00–16:00, gültig ab " in page
    assert "Monday" not in page and "valid from" not in page
