"""Walk finding (German staff walk, the audit trail): rows read "Klinikeinstellungen reminder_days_before |
Wert: geändert" (no old or new value) and "reminder days before: 2", "Benutzerrolle 9:front_desk",
"appointment: 291"; every settings change was there twice (the row's own event and the settings screen's),
and the action filter listed "Klinikeinstellungen geändert" twice. Now a settings change is one event with
each setting's label and its value before and after, a user role names its user and its role, an
appointment shows by its reference, and the filter lists each action once."""

from __future__ import annotations

import html as markup
import re

from flask_babel import force_locale
from sqlalchemy import select

from clinic.admin.settings_forms import SettingsForm
from clinic.core import audit
from clinic.models import AuditEvent
from clinic.services import audit_query
from clinic.services import settings as clinic_settings
from tests.conftest import logged_in
from tests.factories import book, build_clinic, make_ready_referral, make_user


def _rows(html: str) -> str:
    return markup.unescape(html.split("<tbody>")[1].split("</tbody>")[0])


def test_a_settings_change_is_one_event_with_the_settings_label_and_both_values(app, session):
    build_clinic(session)
    admin = make_user(session, "verwaltung", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0

    changed = clinic_settings.update(session, admin, {"reminder_days_before": "3", "clinic_name": "Stadtpark"})
    session.commit()
    assert changed == {"reminder_days_before": ["2", "3"], "clinic_name": ["Schmerzzentrum am Stadtpark", "Stadtpark"]}
    events = session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(e.action, e.object_type) for e in events] == [("clinic_settings.changed", "clinic_settings")]
    assert clinic_settings.update(session, admin, {"reminder_days_before": "3"}) == {}  # unchanged: no event
    session.commit()
    assert session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all() == events

    (german,) = logged_in(app, "verwaltung")
    rows = _rows(german.get("/admin/audit").get_data(as_text=True))
    assert "Erinnerung so viele Tage vorher senden: 2 → 3" in rows, rows
    assert "Name der Klinik: Schmerzzentrum am Stadtpark → Stadtpark" in rows
    for code in ("reminder_days_before", "reminder days before", "clinic_name", "Wert: geändert"):
        assert code not in rows, code


def test_the_settings_screen_writes_one_event_per_save(app, session):
    build_clinic(session)
    make_user(session, "verwaltung", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    (german,) = logged_in(app, "verwaltung")
    form = german.get("/admin/settings").get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form))
    fields = {k: markup.unescape(v) for k, v in fields.items() if k != "csrf_token"}
    fields["reminder_days_before"] = "4"
    assert german.post("/admin/settings", fields, form_page="/admin/settings").status_code == 302
    events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "clinic_settings")).all()
    assert [e.action for e in events] == ["clinic_settings.changed"]
    rows = _rows(german.get("/admin/audit").get_data(as_text=True))
    assert rows.count("Klinikeinstellungen geändert") == 1
    assert "Erinnerung so viele Tage vorher senden: 2 → 4" in rows


def test_the_action_filter_lists_each_action_once_and_finds_both_codes(app, session):
    """An older trail holds both events of one change: the filter offers "Klinikeinstellungen geändert"
    once, and that choice finds both."""
    build_clinic(session)
    make_user(session, "verwaltung", {"admin"}, "Greta Verwaltung", language="de")
    audit.record(session, "clinic_settings.update", "clinic_settings", "reminder_days_before", summary={"value": "x"})
    audit.record(session, "clinic_settings.changed", "clinic_settings", summary={"reminder_days_before": 2})
    session.commit()
    (german,) = logged_in(app, "verwaltung")
    page = german.get("/admin/audit").get_data(as_text=True)
    action_select = page.split('name="action"')[1].split("</select>")[0]
    assert action_select.count(">Klinikeinstellungen geändert<") == 1, action_select
    value = re.search(r'<option value="([^"]*)">Klinikeinstellungen geändert<', action_select).group(1)
    assert set(value.split(",")) == {"clinic_settings.changed", "clinic_settings.update"}
    rows = _rows(german.get(f"/admin/audit?action={value}").get_data(as_text=True))
    assert rows.count("Klinikeinstellungen geändert") == 2
    # The older row names its setting by label, not by key.
    assert "Klinikeinstellungen Erinnerung so viele Tage vorher senden" in rows
    assert "Erinnerung so viele Tage vorher senden: 2" in rows and "reminder_days_before" not in rows


def test_user_roles_and_appointments_are_named_not_numbered(app, session, settings):
    clinic = build_clinic(session)
    make_user(session, "verwaltung", {"admin"}, "Greta Verwaltung", language="de")
    desk = make_user(session, "erika", {"front_desk"}, "Erika Empfang", language="de")
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral)
    audit.record(session, "consent.reprinted", "consents", 5, summary={"appointment": appointment.id})
    session.commit()
    (german,) = logged_in(app, "verwaltung")

    roles = _rows(german.get("/admin/audit?object_type=user_roles").get_data(as_text=True))
    assert "Benutzerrolle Erika Empfang: Anmeldung" in roles, roles
    assert f"{desk.id}:front_desk" not in roles

    booked = _rows(german.get("/admin/audit?object_type=appointments").get_data(as_text=True))
    assert f"Termin {appointment.reference}" in booked, booked
    assert f"Termin {appointment.id}<" not in booked

    reprinted = _rows(german.get("/admin/audit?action=consent.reprinted").get_data(as_text=True))
    assert f"Termin: {appointment.reference}" in reprinted, reprinted
    assert f"appointment: {appointment.id}" not in reprinted


def test_every_setting_has_the_label_its_form_field_has(app):
    with app.test_request_context(), force_locale("en"):
        form = SettingsForm(meta={"csrf": False})
        for key in clinic_settings.DEFAULTS:
            field = getattr(form, key, None)
            if field is not None:
                assert str(field.label.text) == audit_query.SETTINGS[key], key
    assert set(clinic_settings.DEFAULTS) <= set(audit_query.SETTINGS)
