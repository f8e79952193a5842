"""The clinic settings form (keys of ``clinic.services.settings.DEFAULTS``)."""

from __future__ import annotations

from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from ..forms import FlaskForm, email_address

TEXT_SETTINGS = (
    "clinic_name",
    "clinic_department",
    "clinic_department_en",
    "letter_signature",
    "letter_signature_en",
    "clinic_address",
    "clinic_phone",
    "clinic_email",
    "clinic_place",
    "emergency_number",
    "out_of_hours_number",
)
NUMBER_SETTINGS = (
    "arrival_minutes_before",
    "positive_relief_percent",
    "reminder_days_before",
    "triage_ageing_days",
    "imaging_old_after_years",
)


class SettingsForm(FlaskForm):
    clinic_name = StringField(
        "Clinic name",
        validators=[DataRequired("Give the clinic's name."), Length(max=120)],
        render_kw={"autofocus": True},
    )
    clinic_department = StringField("Department (German documents)", validators=[Length(max=160)])
    clinic_department_en = StringField("Department (English documents)", validators=[Length(max=160)])
    letter_signature = StringField(
        "Letters signed by (German)", validators=[DataRequired("Name the person or team."), Length(max=120)]
    )
    letter_signature_en = StringField(
        "Letters signed by (English)", validators=[DataRequired("Name the person or team."), Length(max=120)]
    )
    clinic_address = StringField("Address", validators=[DataRequired("Give the address."), Length(max=200)])
    clinic_phone = StringField("Telephone", validators=[DataRequired("Give the telephone number."), Length(max=40)])
    clinic_email = StringField("Email", validators=[DataRequired("Give the email address."), email_address])
    clinic_place = StringField("Town (for 'place, date' on letters)", validators=[Length(max=60)])
    emergency_number = StringField("Emergency number", validators=[DataRequired("Give the emergency number.")])
    out_of_hours_number = StringField(
        "Out-of-hours medical service", validators=[DataRequired("Give the number."), Length(max=40)]
    )
    arrival_minutes_before = IntegerField(
        "Arrival before the appointment (minutes)",
        validators=[InputRequired("Give the minutes."), NumberRange(0, 180, "Between 0 and 180 minutes.")],
    )
    positive_relief_percent = IntegerField(
        "Pain relief that counts as a positive diagnostic block (%)",
        validators=[InputRequired("Give a percentage."), NumberRange(1, 100, "Between 1 and 100 percent.")],
    )
    reminder_days_before = IntegerField(
        "Reminder sent this many days before",
        validators=[InputRequired("Give the days."), NumberRange(0, 14, "Between 0 and 14 days.")],
    )
    triage_ageing_days = IntegerField(
        "Referrals waiting for triage are flagged after (days)",
        validators=[InputRequired("Give the days."), NumberRange(1, 60, "Between 1 and 60 days.")],
    )
    imaging_old_after_years = IntegerField(
        "Prior imaging is noted as old after (years)",
        validators=[InputRequired("Give the years."), NumberRange(1, 30, "Between 1 and 30 years.")],
    )
    follow_up_days = StringField(
        "Follow-up after (days, comma-separated)", validators=[DataRequired("Give at least one follow-up day.")]
    )

    def validate_follow_up_days(self, field):
        parts = [p.strip() for p in (field.data or "").split(",") if p.strip()]
        if not parts or not all(p.isdigit() and 1 <= int(p) <= 730 for p in parts):
            raise ValidationError("Whole days from 1 to 730, separated by commas, e.g. 14,90.")
        days = [int(p) for p in parts]
        if days != sorted(set(days)):
            raise ValidationError("List each day once, in increasing order, e.g. 14,90.")

    def values(self) -> dict[str, str]:
        found = {key: (getattr(self, key).data or "").strip() for key in TEXT_SETTINGS}
        found.update({key: str(getattr(self, key).data) for key in NUMBER_SETTINGS})
        found["follow_up_days"] = ",".join(p.strip() for p in self.follow_up_days.data.split(",") if p.strip())
        return found
