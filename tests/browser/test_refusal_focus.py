"""Browser, staff walk (5 December): after a refused save of the clinic settings (a telephone number that is
none) the keyboard was in the clinic's name, the form's first field, not in the field to correct. The answering
page now has the keyboard in the first field in error (``clinic.forms.FlaskForm``, every form)."""

from __future__ import annotations

from tests.browser_fixtures import hand_over, submit
from tests.factories import build_clinic


def _focused(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_a_refused_settings_save_leaves_the_keyboard_in_the_first_field_in_error(session, staff):
    build_clinic(session)
    hand_over(session)
    page = staff("admin").go("/admin/settings")
    assert _focused(page) == "clinic_name"
    page.fill("#clinic_phone", "bitte anrufen")
    page.fill("#reminder_days_before", "99")  # out of range: a second refusal, further down
    submit(page, "button[type=submit]:has-text('Speichern'), button[type=submit]:has-text('Save')")
    assert page.locator("#clinic_phone.is-invalid").count() == 1
    assert _focused(page) == "clinic_phone"
