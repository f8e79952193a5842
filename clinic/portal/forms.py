"""The patient's forms. Labels and messages in the patient's language (gettext), plain words."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from ..forms import FlaskForm, MultiCheckboxField, shown_day, whole_number
from ..models.vocab import Language, PartOfDay


# Choices are made per request with gettext: WTForms would take a lazy string for a group of options.
def allergy_choices() -> dict[str, str]:
    return {
        "contrast": _("Contrast medium (for X-ray or CT)"),
        "local_anaesthetic": _("Local anaesthetics (numbing injections)"),
        "steroid": _("Cortisone (steroids)"),
        "iodine": _("Iodine"),
        "latex": _("Latex"),
    }


def condition_choices() -> dict[str, str]:
    return {
        "diabetes": _("Diabetes"),
        "pregnancy_possible": _("I might be pregnant"),
        "implant": _("Pacemaker or another implant"),
        "kidney_disease": _("Kidney disease"),
        "current_infection": _("An infection or fever at the moment"),
    }


def part_of_day_choices() -> dict[str, str]:
    return {PartOfDay.ANY: _("Any time"), PartOfDay.MORNING: _("Mornings"), PartOfDay.AFTERNOON: _("Afternoons")}


def dose_labels() -> dict[str, str]:
    return {
        "": _("I do not know the dose"),
        "primary": _("to prevent a first heart attack or stroke (primary prevention)"),
        "secondary": _("after a heart attack, stroke or stent (secondary prevention)"),
        "prophylactic": _("low dose, to prevent clots (prophylactic)"),
        "therapeutic": _("full dose, to treat a clot (therapeutic)"),
        "iv": _("through a drip (intravenous)"),
        "sc": _("as an injection under the skin"),
        "renal_impaired": _("reduced dose because of weak kidneys"),
    }


def _date_part(label, missing, low: int, high: int, out_of_range, autocomplete: str, digits: int):
    """A part of the date of birth, typed as a number (three fields read better on a phone than a date picker)."""
    render_kw = {"inputmode": "numeric", "autocomplete": autocomplete, "maxlength": digits}
    return whole_number(label, missing, low, high, out_of_range, render_kw=render_kw)


YEAR_DIGITS = _l("Enter the year with four digits, for example 1958.")


class BirthDateForm(FlaskForm):
    day = _date_part(_l("Day"), _l("Enter the day."), 1, 31, _l("The day is a number from 1 to 31."), "bday-day", 2)
    month = _date_part(
        _l("Month"), _l("Enter the month."), 1, 12, _l("The month is a number from 1 to 12."), "bday-month", 2
    )
    year = _date_part(_l("Year"), _l("Enter the year."), 1900, 2100, YEAR_DIGITS, "bday-year", 4)


class ContactForm(FlaskForm):
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=40)], render_kw={"autocomplete": "tel"})
    email = StringField(
        _l("Email"), validators=[Optional(), Length(max=254)], render_kw={"autocomplete": "email", "type": "email"}
    )
    street = StringField(
        _l("Street and house number"),
        validators=[InputRequired(_l("Enter your street.")), Length(max=120)],
        render_kw={"autocomplete": "street-address"},
    )
    postal_code = StringField(
        _l("Postcode"),
        validators=[InputRequired(_l("Enter your postcode.")), Length(max=12)],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"},
    )
    city = StringField(
        _l("Town or city"),
        validators=[InputRequired(_l("Enter your town or city.")), Length(max=80)],
        render_kw={"autocomplete": "address-level2"},
    )
    insurance_name = StringField(
        _l("Health insurer"), validators=[InputRequired(_l("Enter your health insurer.")), Length(max=120)]
    )
    insurance_number = StringField(
        _l("Insurance number (on your insurance card)"),
        validators=[InputRequired(_l("Enter your insurance number.")), Length(max=40)],
    )


class DrugForm(FlaskForm):
    class Meta:
        csrf = False  # a row inside the medication form, which carries the token

    # "code|dose class": the medicine and, where the rules depend on it, its dose (see answers._drug_choices).
    drug_code = SelectField(_l("Medicine"), validators=[Optional()], validate_choice=False)
    last_dose_on = DateField(_l("Last dose taken on (if you know it)"), validators=[Optional(), shown_day])


class MedicationForm(FlaskForm):
    none = BooleanField(_l("I take no blood-thinning medicines"))
    drugs = FieldList(FormField(DrugForm), min_entries=3, max_entries=3)
    other = StringField(_l("Another blood thinner that is not in the list"), validators=[Optional(), Length(max=200)])


class AllergiesForm(FlaskForm):
    found = MultiCheckboxField(_l("I am allergic to"), validate_choice=False)
    other = StringField(_l("Other allergies"), validators=[Optional(), Length(max=200)])


class ConditionsForm(FlaskForm):
    found = MultiCheckboxField(_l("These apply to me"), validate_choice=False)
    implant_note = StringField(_l("Which pacemaker or implant?"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("Anything else we should know"), validators=[Optional(), Length(max=1000)])


class EscortForm(FlaskForm):
    name = StringField(
        _l("Name of the adult who takes you home"),
        validators=[InputRequired(_l("Enter a name.")), Length(max=120)],
    )
    phone = StringField(_l("Their telephone number"), validators=[Optional(), Length(max=40)])


class LanguageForm(FlaskForm):
    language = RadioField(
        _l("Language for letters and information sheets"),
        choices={language.value: language.own_name for language in Language},  # each by its own name
        validators=[InputRequired(_l("Choose a language."))],
    )


class TimesForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET): changes nothing

    part = SelectField(_l("When suits you?"), validators=[Optional()], validate_choice=False)


class ChoiceForm(FlaskForm):
    choice = HiddenField(validators=[InputRequired()])


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Why can you not come?"),
        validators=[InputRequired(_l("Please give a short reason.")), Length(max=500)],
    )


class WaitlistForm(FlaskForm):
    part = RadioField(_l("Which earlier times suit you?"), validators=[Optional()], validate_choice=False)


class EmptyForm(FlaskForm):
    """A button that changes something: the CSRF token only."""
