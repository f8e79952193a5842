"""Forms of the front desk. Messages say what to do, in the words staff use."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..core.numbers import whole
from ..forms import (
    FlaskForm,
    MultiCheckboxField,
    birth_day,
    email_address,
    postcode,
    required_text,
    shown_day,
    telephone,
)
from ..models.vocab import ALLERGENS, TREATMENTS, Language, PartOfDay, Priority, RedFlag, Region, Sex, Side
from ..services.waitlist import date_problem
from ..web import local_today


def _choices(enum, blank: str | None = None):
    """Choices as a {value: label} dict (WTForms 3.3 deprecates tuples), read when the form is shown, so
    that the labels are those of the screen's language."""

    def choices() -> dict[str, str]:
        items = {m.value: _(m.label) for m in enum}
        return {"": blank, **items} if blank is not None else items

    return choices


def _labels(pairs):
    """A vocabulary's {code: label} as choices, read when the form is shown (see _choices)."""
    return lambda: {code: _(text) for code, text in dict(pairs).items()}


def yes_no() -> dict[str, str]:
    """Choices in the screen's language, made when the form is shown (WTForms wants str labels)."""
    return {"no": _("No"), "yes": _("Yes")}


def condition_choices() -> dict[str, str]:
    return {
        "diabetes": _("Diabetes"),
        "pregnancy_possible": _("Possible pregnancy"),
        "implant": _("Pacemaker or other implant"),
        "kidney_disease": _("Kidney disease"),
        "current_infection": _("Current infection"),
    }


def not_in_future(form, field):
    if field.data and field.data > local_today() + dt.timedelta(days=1):
        raise ValidationError(_("This date lies in the future."))


class PatientForm(FlaskForm):
    family_name = StringField(
        _l("Family name"), validators=[DataRequired(), Length(max=100)], render_kw={"autocomplete": "off"}
    )
    given_name = StringField(
        _l("Given name"), validators=[DataRequired(), Length(max=100)], render_kw={"autocomplete": "off"}
    )
    birth_date = DateField(
        _l("Date of birth"),
        validators=[InputRequired(message=_l("Enter the date of birth.")), birth_day, not_in_future],
    )
    sex = SelectField(_l("Sex"), choices=_choices(Sex), default=Sex.UNKNOWN)
    phone = StringField(_l("Phone"), validators=[Optional(), telephone, Length(max=40)])
    email = StringField(_l("Email"), validators=[Optional(), email_address, Length(max=254)])
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=120)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), postcode, Length(max=12)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=80)])
    insurance_name = StringField(_l("Insurance"), validators=[Optional(), Length(max=120)])
    insurance_number = StringField(_l("Insurance number"), validators=[Optional(), Length(max=40)])
    preferred_language = SelectField(
        _l("Language for letters and sheets"), choices=_choices(Language), default=Language.DE
    )


class ReferralForm(PatientForm):
    patient_id = HiddenField()
    confirm_new_patient = BooleanField(_l("This is a different person: register a new patient"))
    physician_id = SelectField(_l("Referring physician"), coerce=whole, validate_choice=False)
    physician_name = StringField(_l("New physician: name"), validators=[Optional(), Length(max=120)])
    physician_practice = StringField(_l("Practice"), validators=[Optional(), Length(max=160)])
    physician_city = StringField(_l("City"), validators=[Optional(), Length(max=80)])
    physician_phone = StringField(_l("Phone"), validators=[Optional(), telephone, Length(max=40)])
    received_on = DateField(
        _l("Received on"), validators=[InputRequired(), shown_day, not_in_future], default=local_today
    )
    clinical_question = TextAreaField(
        _l("Clinical question"), validators=[DataRequired(), Length(max=4000)], render_kw={"rows": 3}
    )
    region = SelectField(_l("Region"), choices=_choices(Region, "—"), validators=[Optional()])
    side = SelectField(_l("Side"), choices=_choices(Side, "—"), validators=[Optional()])
    symptom_duration_weeks = IntegerField(_l("Symptoms for (weeks)"), validators=[Optional(), NumberRange(0, 2600)])
    priority = SelectField(
        _l("Priority"),
        choices=_choices(Priority),
        default=Priority.ROUTINE,
    )
    treatments = MultiCheckboxField(_l("Treatments tried"), choices=_labels(TREATMENTS))
    treatments_note = TextAreaField(
        _l("Other treatments, details"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    letter = FileField(_l("Referral letter (PDF or image)"))

    def red_flag_fields(self):
        return [getattr(self, f"flag_{flag.value}") for flag in RedFlag]

    def validate_physician_id(self, field):
        if field.data == 0 and not (self.physician_name.data or "").strip():
            raise ValidationError(_("Pick the referring physician, or enter a new one below."))


for _flag in RedFlag:
    setattr(
        ReferralForm,
        f"flag_{_flag.value}",
        RadioField(
            _l(_flag.label),
            choices=yes_no,
            validators=[InputRequired(message=_l("Answer this question."))],
        ),
    )


class MedicationForm(FlaskForm):
    """One select of the drugs and dose classes the hold rules know ("code|dose class"): nothing else can
    be chosen, so no dose the rules cannot use is offered."""

    drug_code = SelectField(
        _l("Drug that changes bleeding (and its dose, where the rules depend on it)"),
        validate_choice=True,
        validators=[DataRequired(_l("Choose the drug."))],
    )
    last_dose_on = DateField(_l("Last dose (planned or taken)"), validators=[Optional(), shown_day])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class MedicationSettleForm(FlaskForm):
    raised_bleeding_risk = BooleanField(
        _l(
            "Raised bleeding risk (old age, bleeding tendency, several blood thinners, liver or advanced kidney "
            "disease, earlier surgery or radiation at the site): handle one tier higher"
        )
    )


class AllergiesForm(FlaskForm):
    found = MultiCheckboxField(_l("Allergies"), choices=_labels(ALLERGENS))
    other = StringField(_l("Other allergies"), validators=[Optional(), Length(max=200)])


class ConditionsForm(FlaskForm):
    found = MultiCheckboxField(
        _l("Conditions"),
        choices=condition_choices,
    )
    # Needed when "Pacemaker or other implant" is ticked (it may rule out MRI or ablation): the page marks it
    # as the required fields are marked, and refuses the tick without it at this field (no Optional(): it
    # would end the checks of an empty field before validate_implant_note).
    implant_note = StringField(_l("Which pacemaker or implant"), validators=[Length(max=200)])
    note = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})

    def validate_implant_note(self, field):
        if "implant" in (self.found.data or []) and not (field.data or "").strip():
            raise ValidationError(
                _l("“Pacemaker or other implant” is ticked: say which one (it matters for MRI and ablation).")
            )


class EscortForm(FlaskForm):
    name = required_text(_l("Escort home"), _l("Name the escort."), 120)
    phone = StringField(_l("Escort's phone"), validators=[Optional(), Length(max=40)])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language for printed sheets"), choices=_choices(Language))


class SearchPreferencesForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only search sent by GET; it holds no patient data

    radiologist_id = SelectField(_l("Radiologist"), coerce=whole, validate_choice=False, default=0)
    room_id = SelectField(_l("Room"), coerce=whole, validate_choice=False, default=0)
    part_of_day = SelectField(_l("Part of day"), choices=_choices(PartOfDay), default=PartOfDay.ANY)
    earliest_date = DateField(_l("Not before"), validators=[Optional(), shown_day])


class CalendarDayForm(FlaskForm):
    """The day and week calendars' day: in the address (``?day=2026-11-23``) or typed into "Go to date"."""

    class Meta:
        csrf = False  # a read-only page asked for by GET

    day = DateField(_l("Go to date"), validators=[Optional(), shown_day])


class ChainForm(FlaskForm):
    """A chosen candidate, posted back exactly as the finder offered it."""

    room_id = IntegerField(validators=[InputRequired()])
    radiologist_id = IntegerField(validators=[InputRequired()])
    bed_id = IntegerField(validators=[Optional()])
    table_start = StringField(validators=[InputRequired()])
    table_end = StringField(validators=[InputRequired()])
    obs_end = StringField(validators=[InputRequired()])
    action = HiddenField(default="book")
    # Moving: the time the page showed the appointment at, so that a move made meanwhile is not overwritten.
    moving_from = HiddenField()


class CancelForm(FlaskForm):
    reason = required_text(
        _l("Reason for the cancellation"), _l("Give a reason."), 1000, field=TextAreaField, render_kw={"rows": 2}
    )
    # The status the page showed: a status changed since (checked in from another tab) is refused.
    seen_status = HiddenField()


class CloseReferralForm(FlaskForm):
    reason = required_text(
        _l("Why the episode ends"),
        _l("Give the reason the episode ends."),
        500,
        render_kw={"placeholder": _l("e.g. patient declines further treatment")},
    )


class InformationAnswerForm(FlaskForm):
    """The referring physician's answer to a radiologist's request for information."""

    answer = required_text(
        _l("The referring physician's answer"),
        _l("Write down what the referring physician answered."),
        4000,
        field=TextAreaField,
        render_kw={"rows": 3},
    )
    letter = FileField(_l("Their letter or report (PDF or image, optional)"))


class WaitlistForm(FlaskForm):
    earliest_date = DateField(_l("Earliest date"), validators=[InputRequired(), shown_day])
    latest_date = DateField(_l("Latest date"), validators=[Optional(), shown_day])
    part_of_day = SelectField(_l("Part of day"), choices=_choices(PartOfDay), default=PartOfDay.ANY)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])

    def validate_earliest_date(self, field):
        problem = date_problem(field.data, None, local_today())
        if problem:
            raise ValidationError(_(problem))  # the service's sentence, in the catalogue

    def validate_latest_date(self, field):
        if field.data and self.earliest_date.data and field.data < self.earliest_date.data:
            raise ValidationError(_("The latest date is before the earliest."))
        problem = date_problem(local_today(), field.data, local_today()) if field.data else None
        if problem:
            raise ValidationError(_(problem))  # the service's sentence, in the catalogue


class CheckInForm(FlaskForm):
    reference = StringField(
        _l("Appointment reference (scan the code on the consent form)"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autofocus": True},
    )
