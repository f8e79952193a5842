"""Invariant 10: every change and every opening of a patient's record leaves an audit event."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

from sqlalchemy import select

from clinic.config import PROJECT_ROOT
from clinic.core import audit
from clinic.core.timefmt import fmt_datetime
from clinic.extensions import db
from clinic.models import AuditEvent, User
from clinic.models.portal import AnswerStatus
from clinic.services import audit_query
from clinic.services.outbox import RESEND_ACTION
from tests.conftest import ZONE, Browser, logged_in
from tests.factories import build_clinic, make_patient, make_user


def _rows(html: str) -> str:
    """The table of events (the filters above it hold the codes as their values)."""
    return html.split("<tbody>")[1].split("</tbody>")[0]


def test_opening_a_patient_record_is_audited_with_the_actor(session, browser):
    build_clinic(session)
    patient = make_patient(session, family_name="Weiß", given_name="Zoë")
    session.commit()
    browser.login("nurse")
    assert browser.get(f"/patients/{patient.id}").status_code == 200
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.view"))
    assert (event.actor_name, event.patient_id, event.object_id) == ("nurse", patient.id, str(patient.id))
    assert event.actor_id == session.scalar(select(User.id).where(User.username == "nurse"))


def test_changes_are_audited_with_what_changed_but_not_secrets(session):
    clinic = build_clinic(session)
    patient = make_patient(session, family_name="Groß", given_name="Jürgen")
    session.commit()
    audit.set_actor(session, clinic.staff["frontdesk"])
    patient.phone = "+49 40 999"
    clinic.staff["nurse"].password_hash = "changed"
    session.commit()
    update = session.scalar(select(AuditEvent).where(AuditEvent.action == "patients.update"))
    assert update.actor_name == "frontdesk" and update.patient_id == patient.id
    assert json.loads(update.summary)["phone"] == ["+49 40 555 0101", "+49 40 999"]
    user_update = session.scalar(select(AuditEvent).where(AuditEvent.action == "users.update"))
    assert json.loads(user_update.summary) == {"password_hash": "(changed)"}
    created = session.scalars(select(AuditEvent.object_type).where(AuditEvent.action.like("%.create"))).all()
    assert {"patients", "users", "rooms", "procedure_types"} <= set(created)


def test_admin_can_filter_the_audit_trail(app, session):
    build_clinic(session)
    patient = make_patient(session)
    session.commit()
    nurse, admin = Browser(app.test_client()), Browser(app.test_client())
    nurse.login("nurse")
    nurse.get(f"/patients/{patient.id}")
    admin.login("admin")
    page = admin.get(f"/admin/audit?actor=nurse&action=patient.view&patient_id={patient.id}")
    assert page.status_code == 200
    rows = _rows(page.get_data(as_text=True))
    assert "Record opened" in rows and "nurse" in rows
    assert "User created" not in rows
    everything = _rows(admin.get("/admin/audit").get_data(as_text=True))
    assert "User created" in everything
    bad = admin.get("/admin/audit?since=not-a-date")
    assert bad.status_code == 400 and "Not a valid date" in bad.get_data(as_text=True)


def test_the_audit_screen_shows_clinic_times_and_patient_names(app, session):
    """Issue 21, item 18: the audit screen showed UTC instants inside the JSON and patients as IDs."""
    clinic = build_clinic(session)
    patient = make_patient(session, family_name="Weiß", given_name="Zoë", clinic_number="P-424242")
    audit.record(
        session,
        "referral.hold_override",
        "referrals",
        1,
        summary={"signed_at": dt.datetime(2026, 11, 23, 6, 5, tzinfo=dt.UTC).isoformat(), "note": "x"},
        patient_id=patient.id,
        actor=clinic.radiologists[0],
    )
    session.commit()
    admin = Browser(app.test_client())
    admin.login("admin")
    html = admin.get("/admin/audit?action=referral.hold_override").get_data(as_text=True)
    assert "2026-11-23T06:05:00+00:00" not in html and "23.11.2026 07:05" in html  # Berlin, not UTC
    assert "Weiß, Zoë" in html and "P-424242" in html and f">#{patient.id}<" not in html


def _words(node: ast.expr) -> set[str]:
    """The strings an argument can be: a literal, or either literal of ``a if ... else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _words(node.body) | _words(node.orelse)
    return set()


def _recorded_actions() -> set[str]:
    """The actions the code records by name: ``audit.record(session, "<action>", ...)``, the patient link's
    ``record(session, link, "<action>")`` (recorded as ``portal.<action>``) and the file openings."""
    found = set()
    for path in (PROJECT_ROOT / "clinic").rglob("*.py"):
        for node in ast.walk(ast.parse(Path(path).read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            args = node.args
            if name == "record" and len(args) > 2 and isinstance(args[1], ast.Name) and args[1].id == "link":
                found |= {f"portal.{action}" for action in _words(args[2])}
            elif name == "record" and len(args) > 1:
                found |= _words(args[1])
            elif name == "_download" and len(args) > 3:
                found |= _words(args[3])
    return found | {f"portal.answer_{s.value}" for s in AnswerStatus} | {RESEND_ACTION}


def test_every_action_and_object_the_trail_records_has_words():
    """Walk finding: the audit screen showed codes (``appointments.update``, ``referrals``). Every action and
    kind of object the code records has words for the screen; a new one without them fails here."""
    from clinic.fhir.kinds import KINDS

    actions = _recorded_actions()
    assert "referral.hold_override" in actions and "portal.verified" in actions and "imaging.download" in actions
    unnamed = sorted(a for a in actions if audit_query.action_label(a) == a)
    assert not unnamed, f"audit actions without words (clinic/services/audit_query.py ACTIONS): {unnamed}"
    tables = set(db.metadata.tables) - audit.NOT_AUDITED
    assert not tables - set(audit_query.OBJECTS), f"tables without words: {tables - set(audit_query.OBJECTS)}"
    for table in tables:
        for verb in audit_query.VERBS:
            assert audit_query.action_label(f"{table}.{verb}") != f"{table}.{verb}"
    assert not set(KINDS) - set(audit_query.FHIR_RESOURCES), f"FHIR without words: {set(KINDS)}"


def test_the_audit_screen_shows_actions_objects_and_processes_in_words_and_keeps_codes_as_filter_values(app, session):
    """Walk finding: the trail showed its codes (``referral.hold_override``, ``referrals``, ``rooms.create``)
    to German and English readers alike. Now words in the reader's language; the filters keep working on
    the codes, which stay only as their values."""
    clinic = build_clinic(session)
    patient = make_patient(session)
    audit.record(session, "referral.hold_override", "referrals", 7, patient_id=patient.id, actor=clinic.radiologists[0])
    audit.record(
        session, "fhir.read", "Patient", patient.id, patient_id=patient.id, actor=audit.Actor(None, "scheduler")
    )
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    german, english = logged_in(app, "admin_de", "admin")

    html = german.get("/admin/audit").get_data(as_text=True)
    rows = _rows(html)
    assert "Medikamentenpausierung aufgehoben" in rows and "Überweisung 7" in rows
    assert "Patient (FHIR)" in rows and "Geplante Aufgaben" in rows
    assert "Raum angelegt" in _rows(german.get("/admin/audit?object_type=rooms").get_data(as_text=True))
    for code in ("referral.hold_override", "rooms.create", "fhir.read", "referrals", "scheduler", "<code>"):
        assert code not in rows, code
    assert '<option value="referral.hold_override">Medikamentenpausierung aufgehoben</option>' in html
    assert '<option value="rooms">Raum</option>' in html
    assert '<option value="scheduler">Geplante Aufgaben</option>' in html

    filtered = german.get("/admin/audit?action=referral.hold_override&object_type=referrals").get_data(as_text=True)
    assert re.search(
        r'<option selected value="referral.hold_override">|<option value="referral.hold_override" selected', filtered
    )
    rows = _rows(filtered)
    assert "Medikamentenpausierung aufgehoben" in rows and "angelegt" not in rows

    rows = _rows(english.get("/admin/audit").get_data(as_text=True))
    assert "Medication hold overridden" in rows and "Referral 7" in rows
    assert "Scheduled jobs" in rows and "Patient (FHIR)" in rows
    # A group of actions by the start of their code, as an address kept from before asked for it.
    grouped = english.get("/admin/audit?action=rooms").get_data(as_text=True)
    assert "Room created" in _rows(grouped) and "User created" not in _rows(grouped)
    assert re.search(r'<option selected value="rooms">|<option value="rooms" selected', grouped)


def test_what_changed_names_fields_and_codes_in_words_in_the_readers_language(app, session):
    """Staff walk: "What changed" showed stored column names and codes (``status: booked → checked_in``).
    Now the field's label and the code's label, in the reader's language; a before/after pair keeps its
    arrow, an instant is in the clinic's zone, a secret is only "changed"."""
    clinic = build_clinic(session)
    patient = make_patient(session, family_name="Weiß", given_name="Zoë")
    session.commit()
    audit.set_actor(session, clinic.staff["frontdesk"])
    patient.sex = "male"
    patient.preferred_language = "en"
    clinic.staff["nurse"].password_hash = "changed"
    audit.record(
        session,
        "appointments.update",
        "appointments",
        1,
        summary={"status": ["booked", "checked_in"], "table_start": [None, "2026-11-23T06:05:00+00:00"]},
        patient_id=patient.id,
    )
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    german, english = Browser(app.test_client()), Browser(app.test_client())
    german.login("admin_de")
    english.login("admin")

    rows = _rows(german.get("/admin/audit").get_data(as_text=True))
    assert "Status: Gebucht → Angemeldet" in rows
    assert "Beginn der Tischzeit: – → 23.11.2026 07:05" in rows
    assert "Geschlecht: Weiblich → Männlich" in rows
    assert "Passwort: geändert" in rows
    for code in ("checked_in", "table_start", "preferred_language", "password_hash", "(changed)"):
        assert code not in rows, code

    rows = _rows(english.get("/admin/audit").get_data(as_text=True))
    assert "Status: Booked → Checked in" in rows and "Sex: Female → Male" in rows
    assert "Password: changed" in rows and "checked_in" not in rows


def _moved_appointment(session, settings, clinic):
    """An appointment booked, then moved by the front desk to another room, radiologist, bed and hour and
    checked in: what the trail records of such a change (ids, UTC instants, status codes)."""
    from clinic.models.vocab import AppointmentStatus
    from tests.conftest import TODAY
    from tests.factories import book, make_ready_referral

    appointment = book(session, settings, make_ready_referral(session, clinic), first_day=TODAY + dt.timedelta(days=1))
    session.commit()
    room = next(r for r in clinic.rooms.values() if r.modality == "CT" and r.id != appointment.room_id)
    radiologist = next(r for r in clinic.radiologists if r.id != appointment.radiologist_id)
    bed = next(b for b in clinic.beds if b.id != appointment.bed_id)
    before = {
        "room": next(r.name for r in clinic.rooms.values() if r.id == appointment.room_id),
        "radiologist": next(r.full_name for r in clinic.radiologists if r.id == appointment.radiologist_id),
        "bed": next((b.label for b in clinic.beds if b.id == appointment.bed_id), "–"),
    }
    audit.set_actor(session, clinic.staff["frontdesk"])
    appointment.room_id, appointment.radiologist_id, appointment.bed_id = room.id, radiologist.id, bed.id
    hour = dt.timedelta(hours=1)
    appointment.table_start, appointment.table_end = appointment.table_start + hour, appointment.table_end + hour
    appointment.obs_end += hour
    appointment.status = AppointmentStatus.CHECKED_IN
    session.commit()
    return appointment, before, {"room": room.name, "radiologist": radiologist.full_name, "bed": bed.label}


def test_what_changed_shows_rooms_beds_radiologists_and_times_by_name_not_by_id(app, session, settings):
    """Staff walk: "What changed" showed ids and codes (``room_id: 3 → 5``, ``checked_in``) and UTC instants.
    Now German labels, the room, radiologist and bed by their names, the status by its label and the times
    in the clinic's zone and format. The trail itself keeps what it stored."""
    clinic = build_clinic(session)
    appointment, before, after = _moved_appointment(session, settings, clinic)
    start = appointment.table_start
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    (german,) = logged_in(app, "admin_de")

    rows = _rows(german.get(f"/admin/audit?object_type=appointments&object_id={appointment.id}").get_data(as_text=True))
    assert f"Raum: {before['room']} → {after['room']}" in rows
    assert f"Radiologe/-in: {before['radiologist']} → {after['radiologist']}" in rows
    assert f"Liegeplatz: {before['bed']} → {after['bed']}" in rows
    assert "Status: Gebucht → Angemeldet" in rows
    earlier = fmt_datetime(start - dt.timedelta(hours=1), ZONE)
    assert f"Beginn der Tischzeit: {earlier} → {fmt_datetime(start, ZONE)}" in rows
    for raw in ("room_id", "radiologist_id", "bed_id", "table_start", "checked_in", "+00:00"):
        assert raw not in rows, raw

    # The referral's own changes: who did it by name, the planned procedure by its German name.
    rows = _rows(german.get("/admin/audit?object_type=referrals").get_data(as_text=True))
    assert f"Auf Bildgebung verzichtet von: – → {clinic.radiologists[0].full_name}" in rows
    assert f"Geplanter Eingriff: – → {appointment.procedure_type.name_de}" in rows

    # Stored as it was written: the audit record is not rewritten for the screen.
    stored = session.scalars(
        select(AuditEvent.summary).where(
            AuditEvent.action == "appointments.update", AuditEvent.object_id == str(appointment.id)
        )
    ).all()
    assert any('"room_id": [' in s and '"checked_in"' in s for s in stored)


def test_the_names_in_what_changed_cost_one_query_for_the_page_not_one_per_row(app, session, settings):
    """The rooms, beds, radiologists and procedures of a page's changes are looked up together: a page with
    five moved appointments asks the database as often as a page with one."""
    from sqlalchemy import event

    clinic = build_clinic(session)
    _moved_appointment(session, settings, clinic)
    session.commit()
    (admin,) = logged_in(app, "admin")

    def statements(url: str) -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert admin.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    url = "/admin/audit?action=appointments.update"
    one = statements(url)
    for _ in range(4):
        _moved_appointment(session, settings, clinic)
    assert len(_rows(admin.get(url).get_data(as_text=True)).split("<tr>")) > 5
    assert statements(url) == one


def test_what_changed_reads_days_weekdays_times_and_unknown_keys_without_failing():
    """A session template's weekday, times and days as the screens write them; a key the trail does not know,
    a value that cannot be read and an id of a room no longer there show as stored instead of failing."""
    from flask_babel import force_locale

    from clinic import create_app

    event = AuditEvent(
        action="room_sessions.update",
        object_type="room_sessions",
        summary=json.dumps(
            {
                "weekday": [0, 2],
                "start_time": ["08:00:00", "09:30:00"],
                "valid_from": ["2020-01-01", "2026-12-01"],
                "room_id": [999, None],
                "some_new_key": ["a", "b"],
                "valid_to": ["not a day", 7],
            }
        ),
    )
    found = {c.field: c for c in audit_query.changes(event, "Europe/Berlin", "de_DE", {})}
    with create_app({"TESTING": True}).test_request_context(), force_locale("de"):
        from clinic.i18n import say

        said = {say(field): (say(c.before), say(c.after)) for field, c in found.items()}
    assert said["Wochentag"] == ("Montag", "Mittwoch")
    assert said["Start"] == ("08:00", "09:30")
    assert said["Gültig ab"] == ("01.01.2020", "01.12.2026")
    assert said["Raum"] == (999, "–")
    assert said["some new key"] == ("a", "b")
    assert said["Gültig bis"] == ("not a day", 7)


def test_every_audited_column_has_words():
    """Staff walk: columns without words showed as English names with spaces (``imaging waived at``). Every
    column the trail records has its label, and the label its German translation."""
    from babel.messages.pofile import read_po

    with (PROJECT_ROOT / "clinic/translations/de/LC_MESSAGES/messages.po").open("rb") as po:
        catalogue = read_po(po)
    unnamed, untranslated = [], []
    for table in db.metadata.tables.values():
        if table.name in audit.NOT_AUDITED:
            continue
        for column in table.columns:
            if column.name in {"id", "updated_at", "version"}:
                continue
            label = audit_query.FIELDS.get(column.name)
            if label is None:
                unnamed.append(f"{table.name}.{column.name}")
            elif not (catalogue.get(label) and catalogue.get(label).string):
                untranslated.append(label)
    assert not unnamed, f"audited columns without words (audit_query.FIELDS): {unnamed}"
    assert not untranslated, f"labels without German: {untranslated}"


def test_a_filter_error_lists_nothing_and_keeps_what_was_typed(app, session):
    """Staff walk: an invalid day in the filter showed its error above the whole, unfiltered trail. Now the
    request answers 400, the field says what is wrong and keeps what was typed, and no event is listed."""
    build_clinic(session)
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    german, english = logged_in(app, "admin_de", "admin")
    assert "<tbody>" in german.get("/admin/audit").get_data(as_text=True)  # the trail has events

    for url in ("/admin/audit?since=31.02.2026&object_id=7", "/admin/audit?until=kein-datum&object_id=7"):
        page = german.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 400, url
        assert "<tbody>" not in html
        assert "Benutzer angelegt" not in html.rsplit("</form>", 1)[1]  # in the filter's choices only
        assert "Bitte korrigieren Sie den Filter oben, um das Protokoll zu sehen." in html
        assert "Keine Protokolleinträge passen" not in html
        assert 'value="7"' in html and "is-invalid" in html
        assert 'value="31.02.2026"' in html or 'value="kein-datum"' in html

    page = english.get("/admin/audit?patient_id=abc")
    assert page.status_code == 400 and "<tbody>" not in page.get_data(as_text=True)
    assert "Correct the filter above to see the audit trail." in page.get_data(as_text=True)


def test_to_before_from_is_refused_at_the_field(app, session):
    """Staff walk: "Bis" before "Von" listed nothing, without a word why. Now the "Bis" field says so, in the
    screen's words, the request answers 400 and both days stay as typed."""
    build_clinic(session)
    make_user(session, "admin_de", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    german, english = logged_in(app, "admin_de", "admin")

    page = german.get("/admin/audit?since=2026-11-25&until=2026-11-20")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    until = html.split('id="until"')[1].split("</div>")[0]
    assert "„Bis“ darf nicht vor „Von“ liegen." in until
    assert 'value="2026-11-25"' in html and 'value="2026-11-20"' in html
    assert "<tbody>" not in html

    html = english.get("/admin/audit?since=2026-11-25&until=2026-11-20").get_data(as_text=True)
    assert "“To” cannot be before “From”." in html
    # The same day in both is one day, not an error.
    assert german.get("/admin/audit?since=2026-11-23&until=2026-11-23").status_code == 200
