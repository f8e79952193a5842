"""Migration audit27: existing clinics' RFA information texts (whose after-care section the discharge sheet
reprints) get the walk-27 bullet on what to expect after RFA, as a new version; an admin's own version is
left alone. The bullet's words are the text file's."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select, update

from clinic.extensions import db
from clinic.models import DocumentText, ProcedureType
from tests.factories import build_clinic, make_user

ROOT = Path(__file__).resolve().parents[1]


def _migration():
    spec = importlib.util.spec_from_file_location("audit27", ROOT / "migrations/versions/audit27_rfa_aftercare_text.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_bullets_are_the_text_files():
    for language, (bullet, before) in _migration().BULLETS.items():
        text = (ROOT / f"clinic/content/texts/RFA.information.{language}.md").read_text(encoding="utf-8")
        assert bullet + before in text, language


def test_a_seeded_rfa_text_gets_the_bullet_and_an_admins_own_text_is_left_alone(app, backend):
    from flask_migrate import downgrade, upgrade

    bullets = _migration().BULLETS
    downgrade(revision="n27a")
    session = db.session
    build_clinic(session, texts=True)
    rfa = session.scalar(select(ProcedureType.id).where(ProcedureType.code == "RFA"))
    information = select(DocumentText).where(DocumentText.procedure_type_id == rfa, DocumentText.kind == "information")
    texts = {t.language: t for t in session.scalars(information)}
    seeded = {language: text.body.replace(bullets[language][0], "") for language, text in texts.items()}
    english_version, english_title = texts["en"].version, texts["en"].title
    for language, text in texts.items():  # as printed before the walk: without the bullet
        session.execute(
            update(DocumentText)
            .where(DocumentText.id == text.id)
            .values(body=text.body.replace(bullets[language][0], ""))
        )
    admin = make_user(session, "verwaltung", {"admin"}, "Greta Verwaltung")
    session.add(
        DocumentText(
            procedure_type_id=rfa,
            kind="information",
            language="en",
            version=english_version + 1,
            title=english_title,
            body="## Our own text\n",
            created_by_id=admin.id,
        )
    )
    session.commit()
    session.remove()

    upgrade()
    session = db.session
    newest = {}
    for text in session.scalars(
        select(DocumentText)
        .where(DocumentText.procedure_type_id == rfa, DocumentText.kind == "information")
        .order_by(DocumentText.version)
    ):
        newest[text.language] = text
    german = newest["de"]
    assert german.version == 2 and german.created_by_id is None
    assert bullets["de"][0] + bullets["de"][1] in german.body
    assert german.body.replace(bullets["de"][0], "") == seeded["de"]
    assert newest["en"].body == "## Our own text\n"


def test_a_signature_written_without_its_patient_gets_the_records_patient(app, backend, settings):
    from flask_migrate import downgrade, upgrade

    from clinic.core import audit
    from clinic.models import AuditEvent
    from tests.radiology.day_helpers import day_appointment, to_procedure

    downgrade(revision="n27a")
    session = db.session
    clinic, appointment = day_appointment(session, settings)
    record = to_procedure(session, clinic, appointment)
    # as the sign of a procedure record wrote it before walk 27
    audit.record(session, "procedure_record.signed", "procedure_records", record.id, actor=clinic.radiologists[0])
    audit.record(session, "procedure_record.signed", "procedure_records", 999_999)  # a record that is gone
    session.commit()
    patient_id, record_id = appointment.patient_id, record.id
    session.remove()

    upgrade()
    found = dict(
        db.session.execute(
            select(AuditEvent.object_id, AuditEvent.patient_id).where(AuditEvent.action == "procedure_record.signed")
        ).all()
    )
    assert found == {str(record_id): patient_id, "999999": None}
