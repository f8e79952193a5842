"""The clinic settings form (keys of ``clinic.services.settings.DEFAULTS``)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from ..forms import FlaskForm, email_address, required_text, service_number, telephone
from ..services.settings import CONTACT_KEYS, PER_LANGUAGE

# The clinic's printed texts, and the English values of those kept per language.
TEXT_SETTINGS = (*CONTACT_KEYS, *(f"{key}_en" for key in PER_LANGUAGE))
NUMBER_SETTINGS = (
    "arrival_minutes_before",
    "booking_notice_minutes",
    "positive_relief_percent",
    "reminder_days_before",
    "triage_ageing_days",
    "imaging_old_after_years",
)


class SettingsForm(FlaskForm):
    clinic_name = required_text(_l("Clinic name"), _l("Give the clinic's name."), 120, render_kw={"autofocus": True})
    clinic_department = StringField(_l("Department (German documents)"), validators=[Length(max=160)])
    clinic_department_en = StringField(_l("Department (English documents)"), validators=[Length(max=160)])
    letter_signature = required_text(_l("Letters signed by (German)"), _l("Name the person or team."), 120)
    letter_signature_en = required_text(_l("Letters signed by (English)"), _l("Name the person or team."), 120)
    clinic_address = required_text(_l("Address"), _l("Give the address."), 200)
    clinic_phone = StringField(
        _l("Telephone"), validators=[DataRequired(_l("Give the telephone number.")), Length(max=40), telephone]
    )
    clinic_email = StringField(_l("Email"), validators=[DataRequired(_l("Give the email address.")), email_address])
    clinic_place = StringField(_l("Town (for 'place, date' on letters)"), validators=[Length(max=60)])
    emergency_number = StringField(
        _l("Emergency number"),
        validators=[DataRequired(_l("Give the emergency number.")), Length(max=40), service_number],
    )
    out_of_hours_number = StringField(
        _l("Out-of-hours medical service"),
        validators=[DataRequired(_l("Give the number.")), Length(max=40), service_number],
    )
    arrival_minutes_before = IntegerField(
        _l("Arrival before the appointment (minutes)"),
        validators=[InputRequired(_l("Give the minutes.")), NumberRange(0, 180, _l("Between 0 and 180 minutes."))],
    )
    booking_notice_minutes = IntegerField(
        _l("Shortest notice for a booking (minutes before the arrival time)"),
        validators=[
            InputRequired(_l("Give the minutes.")),
            NumberRange(0, 2880, _l("Between 0 and 2880 minutes (two days).")),
        ],
    )
    positive_relief_percent = IntegerField(
        _l("Pain relief that counts as a positive diagnostic block (%)"),
        validators=[InputRequired(_l("Give a percentage.")), NumberRange(1, 100, _l("Between 1 and 100 percent."))],
    )
    reminder_days_before = IntegerField(
        _l("Reminder sent this many days before"),
        validators=[InputRequired(_l("Give the days.")), NumberRange(0, 14, _l("Between 0 and 14 days."))],
    )
    triage_ageing_days = IntegerField(
        _l("Referrals waiting for triage are flagged after (days)"),
        validators=[InputRequired(_l("Give the days.")), NumberRange(1, 60, _l("Between 1 and 60 days."))],
    )
    imaging_old_after_years = IntegerField(
        _l("Prior imaging is noted as old after (years)"),
        validators=[InputRequired(_l("Give the years.")), NumberRange(1, 30, _l("Between 1 and 30 years."))],
    )
    follow_up_days = StringField(
        _l("Follow-up after (days, comma-separated)"), validators=[DataRequired(_l("Give at least one follow-up day."))]
    )

    def validate_follow_up_days(self, field):
        parts = [p.strip() for p in (field.data or "").split(",") if p.strip()]
        if not parts or not all(p.isdigit() and 1 <= int(p) <= 730 for p in parts):
            raise ValidationError(_("Whole days from 1 to 730, separated by commas, e.g. 14,90."))
        days = [int(p) for p in parts]
        if days != sorted(set(days)):
            raise ValidationError(_("List each day once, in increasing order, e.g. 14,90."))

    def values(self) -> dict[str, str]:
        found = {key: (getattr(self, key).data or "").strip() for key in TEXT_SETTINGS}
        found.update({key: str(getattr(self, key).data) for key in NUMBER_SETTINGS})
        found["follow_up_days"] = ",".join(p.strip() for p in self.follow_up_days.data.split(",") if p.strip())
        return found
