"""Document texts: each save is a new version, old versions stay readable, and a printed consent keeps
pointing at the version it was printed from."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.defaults import seed_texts
from clinic.models import Consent, DocumentText
from clinic.services.consents import print_consent
from tests.conftest import ZONE

from .helpers import book_on_day, count, form_refusals, next_monday, text


@pytest.fixture
def texts(session, clinic):
    seed_texts(session, clinic.procedures)
    session.commit()
    return clinic


def _versions(session, procedure, kind="consent", language="de") -> list[DocumentText]:
    session.expire_all()
    return list(
        session.scalars(
            select(DocumentText)
            .where(
                DocumentText.procedure_type_id == procedure.id,
                DocumentText.kind == kind,
                DocumentText.language == language,
            )
            .order_by(DocumentText.version)
        )
    )


def _edit_url(procedure, kind="consent", language="de") -> str:
    return f"/admin/texts/{procedure.id}/{kind}/{language}"


def test_two_edits_make_three_versions_all_readable(session, texts, admin):
    prt = texts.pt("PRT")
    url = _edit_url(prt)
    original = _versions(session, prt)[0]
    for n, addition in enumerate(["\n\nErster Zusatz.", "\n\nZweiter Zusatz."], start=2):
        current = _versions(session, prt)[-1]
        response = admin.post(
            url, {"title": current.title, "body": current.body + addition, "change_note": f"Addition {n}"}
        )
        assert response.status_code == 302
    versions = _versions(session, prt)
    assert [v.version for v in versions] == [1, 2, 3]
    assert versions[0].body == original.body
    assert versions[2].body.rstrip().endswith("Zweiter Zusatz.") and versions[2].change_note == "Addition 3"
    assert versions[2].created_by_id == texts.staff["admin"].id

    page = text(admin.get(url))
    assert "Save as version 4" in page and "Version 1" in page and "Version 3" in page
    for version in versions:
        shown = admin.get(f"/admin/texts/versions/{version.id}")
        assert shown.status_code == 200 and version.version_label in text(shown)
        pdf = admin.get(f"/admin/texts/versions/{version.id}/pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        assert pdf.headers["Content-Disposition"].startswith("inline")
    assert "Printed now" in text(admin.get(f"/admin/texts/versions/{versions[2].id}"))
    assert "Earlier version" in text(admin.get(f"/admin/texts/versions/{versions[0].id}"))


def test_a_printed_consent_keeps_its_version(session, texts, admin):
    appointment = book_on_day(session, texts, next_monday())
    _pdf, consent = print_consent(session, None, appointment, ZONE)
    session.commit()
    printed_from = consent.document_text
    printed_id, printed_body, printed_version = printed_from.id, printed_from.body, printed_from.version

    prt = texts.pt("PRT")
    response = admin.post(
        _edit_url(prt, "consent", appointment.patient.preferred_language),
        {"title": printed_from.title, "body": "## Neu\n\nEin ganz neuer Text.", "change_note": "Rewritten"},
    )
    assert response.status_code == 302

    session.expire_all()
    consent = session.get(Consent, consent.id)
    assert consent.document_text_id == printed_id
    assert consent.document_text.body == printed_body and consent.document_text.version == printed_version
    newest = _versions(session, prt, "consent", appointment.patient.preferred_language)[-1]
    assert newest.version == printed_version + 1 and newest.id != printed_id
    assert "1 printed from this version" in text(admin.get(f"/admin/texts/versions/{printed_id}"))


@form_refusals(
    [
        ({"title": ""}, "Give the text a title."),
        ({"body": "   "}, "The text is empty."),
        ({"change_note": ""}, "Say what changed; the note is kept with the version."),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_text_form_errors_save_nothing(session, texts, admin, change, message):
    prt = texts.pt("PRT")
    current = _versions(session, prt)[-1]
    data = {"title": current.title, "body": current.body + "\nNeu.", "change_note": "Update", **change}
    before = count(session, DocumentText)
    response = admin.post(_edit_url(prt), data)
    assert response.status_code == 422 and message in text(response)
    assert count(session, DocumentText) == before


def test_saving_an_unchanged_text_makes_no_version(session, texts, admin):
    prt = texts.pt("PRT")
    current = _versions(session, prt)[-1]
    response = admin.post(_edit_url(prt), {"title": current.title, "body": current.body, "change_note": "Nothing"})
    assert response.status_code == 422 and "Nothing has changed since version 1" in text(response)
    assert len(_versions(session, prt)) == 1


def test_the_preview_renders_the_unsaved_text_and_saves_nothing(session, texts, admin):
    prt = texts.pt("PRT")
    before = count(session, DocumentText)
    preview = admin.post(
        f"{_edit_url(prt, 'information', 'en')}/preview",
        {"title": "Draft title", "body": "## Draft\n\nNot saved.", "change_note": ""},
        form_page=_edit_url(prt, "information", "en"),
    )
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert preview.data.startswith(b"%PDF")
    assert count(session, DocumentText) == before
    empty = admin.post(f"{_edit_url(prt)}/preview", {"title": "", "body": ""}, form_page=_edit_url(prt))
    assert empty.status_code == 422


def test_a_missing_text_is_written_as_version_one(session, clinic, admin):
    overview = text(admin.get("/admin/texts"))
    assert "Missing: write it" in overview
    epi = clinic.pt("EPI")
    response = admin.post(
        _edit_url(epi, "information", "en"),
        {"title": "Epidural injection", "body": "## What it is\n\nText.", "change_note": "First"},
    )
    assert response.status_code == 302
    assert [v.version for v in _versions(session, epi, "information", "en")] == [1]


def test_unknown_kinds_and_languages_are_not_found(session, clinic, admin):
    prt = clinic.pt("PRT")
    assert admin.get(f"/admin/texts/{prt.id}/letter/de").status_code == 404
    assert admin.get(f"/admin/texts/{prt.id}/consent/fr").status_code == 404


def test_the_languages_are_named_in_the_readers_language(session, texts, app, admin):
    """Walk finding: the document texts showed the heading "English" on a German screen. Each language is
    named in the language of the screen (Deutsch, Englisch; German, English), on the overview and the
    pages of a text."""
    from tests.conftest import Browser
    from tests.factories import make_user

    prt = texts.pt("PRT")
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    german = Browser(app.test_client())
    german.login("admin_de")
    overview = german.get("/admin/texts").get_data(as_text=True)
    headings = overview.split("<thead>")[1].split("</thead>")[0]
    assert '<th class="small">Deutsch</th>' in headings and '<th class="small">Englisch</th>' in headings
    assert "English" not in headings
    assert prt.name_de in overview and prt.name_en not in overview  # the procedures' names too
    edit = german.get(_edit_url(prt, "information", "en")).get_data(as_text=True)
    assert "(Englisch)" in edit.split("<title>")[1].split("</title>")[0]
    version = _versions(session, prt, "consent", "en")[-1]
    shown = german.get(f"/admin/texts/versions/{version.id}").get_data(as_text=True)
    assert ", Englisch</dd>" in shown

    headings = admin.get("/admin/texts").get_data(as_text=True).split("<thead>")[1].split("</thead>")[0]
    assert '<th class="small">German</th>' in headings and '<th class="small">English</th>' in headings
