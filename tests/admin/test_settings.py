"""Clinic settings: validation and saving."""

from __future__ import annotations

import re

from clinic.services import settings as clinic_settings

from .helpers import form_refusals, text

VALID = {
    "clinic_name": "Schmerzzentrum Nord",
    "clinic_department": "Radiologie",
    "clinic_department_en": "Radiology",
    "letter_signature": "Ihr Team der Radiologie Nord",
    "letter_signature_en": "Your radiology team north",
    "out_of_hours_number": "116 117",
    "clinic_address": "Nordweg 1, 20000 Hamburg",
    "clinic_phone": "+49 40 123 4567",
    "clinic_email": "info@nord.example",
    "clinic_place": "Hamburg",
    "emergency_number": "112",
    "arrival_minutes_before": "45",
    "booking_notice_minutes": "60",
    "positive_relief_percent": "50",
    "reminder_days_before": "3",
    "triage_ageing_days": "5",
    "imaging_old_after_years": "5",
    "follow_up_days": "14, 90",
}


def test_settings_are_saved_and_shown(session, clinic, admin):
    assert "Schmerzzentrum am Stadtpark" in text(admin.get("/admin/settings"))
    assert admin.post("/admin/settings", VALID).status_code == 302
    session.expire_all()
    assert clinic_settings.get(session, "clinic_name") == "Schmerzzentrum Nord"
    assert clinic_settings.get_int(session, "arrival_minutes_before") == 45
    assert clinic_settings.get(session, "follow_up_days") == "14,90"


def test_printed_clinic_texts_have_a_value_per_language(session, clinic, admin):
    """Issue 21, item 10: an English document never prints the German department line."""
    admin.post("/admin/settings", VALID)
    session.expire_all()
    english, german = clinic_settings.contact(session, "en"), clinic_settings.contact(session, "de")
    assert (english["clinic_department"], german["clinic_department"]) == ("Radiology", "Radiologie")
    assert (english["letter_signature"], german["letter_signature"]) == (
        "Your radiology team north",
        "Ihr Team der Radiologie Nord",
    )
    response = admin.post("/admin/settings", {**VALID, "letter_signature_en": ""})
    assert response.status_code == 422 and "Name the person or team." in text(response)


@form_refusals(
    [
        ({"clinic_name": ""}, "Give the clinic&#39;s name."),
        ({"clinic_email": "nope"}, "This is not a valid email address"),
        ({"arrival_minutes_before": "200"}, "Between 0 and 180 minutes."),
        ({"positive_relief_percent": "0"}, "Between 1 and 100 percent."),
        ({"reminder_days_before": "x"}, "Not a valid integer value."),
        ({"follow_up_days": "90,14"}, "in increasing order"),
        ({"follow_up_days": "two weeks"}, "Whole days from 1 to 730"),
        # Walk 25: letters said "call us on bitte anrufen" and "call the Notruf".
        ({"clinic_phone": "bitte anrufen"}, "This is not a telephone number"),
        ({"emergency_number": "Notruf"}, "This is not a number to call: a service number such as 112"),
        ({"out_of_hours_number": "Bereitschaftsdienst"}, "This is not a number to call"),
        ({"emergency_number": "11"}, "too short or too long"),
    ],
)
def test_settings_form_errors_save_nothing(session, clinic, admin, change, message):
    response = admin.post("/admin/settings", {**VALID, **change})
    assert response.status_code == 422 and message in text(response)
    session.expire_all()
    assert clinic_settings.get(session, "clinic_name") == clinic_settings.DEFAULTS["clinic_name"]


def _autofocused(page: str) -> list[str]:
    """The ids of the fields the page puts the keyboard in."""
    return re.findall(r'<(?:input|select|textarea)\b(?=[^>]*\bautofocus\b)[^>]*\bid="([^"]+)"', page)


def test_a_refused_save_puts_the_keyboard_in_the_first_field_in_error(session, clinic, admin):
    """Walk finding (5 December): after a refused telephone number the cursor stood in the clinic's name (the
    form's autofocus), not in the field to correct. Every form of the app (``clinic.forms.FlaskForm``) moves it
    to its first field in error; before a save it stays where the form puts it."""
    assert _autofocused(text(admin.get("/admin/settings"))) == ["clinic_name"]
    refused = admin.post("/admin/settings", {**VALID, "clinic_phone": "bitte anrufen"})
    assert refused.status_code == 422 and _autofocused(text(refused)) == ["clinic_phone"]
    both = admin.post("/admin/settings", {**VALID, "clinic_phone": "bitte anrufen", "reminder_days_before": "x"})
    assert _autofocused(text(both)) == ["clinic_phone"]
    later = admin.post("/admin/settings", {**VALID, "follow_up_days": "90,14"})
    assert _autofocused(text(later)) == ["follow_up_days"]
