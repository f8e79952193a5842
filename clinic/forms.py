"""The app's FlaskForm: Flask-WTF's, with one rule added to every text field of every form: no control
characters (NUL and the other invisible C0/C1 codes; tabs and line breaks are fine). PostgreSQL refuses
NUL in text, and none of them belongs in a name, a note or a search. The API applies the same rule
(``clinic.api.fields``); both read it from ``clinic.text``.

Forms import ``FlaskForm`` from here, not from ``flask_wtf`` (a test keeps it so), and the fields every
area uses.
"""

from __future__ import annotations

import dataclasses

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm as _FlaskForm
from wtforms import Field, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .core.errors import InvalidInput
from .core.numbers import LARGEST, decimal
from .core.text import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from .core.timefmt import FIRST_BIRTH_DAY, LAST_SHOWN_DAY, is_shown_day
from .i18n import refusal
from .services import contact


def no_control_characters(_form, field: Field) -> None:
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    if any(isinstance(value, str) and has_control_characters(value) for value in values):
        raise StopValidation(CONTROL_CHARACTERS_MESSAGE)


def readable(_form, field: Field) -> None:
    """A value typed so that the field cannot read it (a date 31.02.2026 or "gestern", a number "zwölf") is
    said once, by the field's own message ("Not a valid date value."): the rules after it would add a second
    one for the empty value it left ("Give the earliest date.", "This field is required.", "Number must be
    at least 1."). An empty field goes on to them."""
    if field.process_errors and any(isinstance(value, str) and value.strip() for value in field.raw_data or ()):
        raise StopValidation()  # no message of its own: the field's is already among its errors


def fits_database(_form, field: Field) -> None:
    """A whole number (a count, a setting, the id of a choice) the database can hold: a longer one typed
    or sent is refused at its field, not handed to the database."""
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    if any(isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST for value in values):
        raise StopValidation(_("This number is too large."))


class FlaskForm(_FlaskForm):
    class Meta(_FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            # Checked before the field's own validators, so no other rule sees the text first.
            # Fields that read what was typed (dates, times, numbers) say an unreadable value once.
            field.validators = [readable, no_control_characters, fits_database, *field.validators]
            return field

        def render_field(self, field, render_kw):
            # No maxlength in the page: a browser cuts pasted text at it without a word (a 5,000-character
            # name became 100). The field's Length check refuses it with a message and keeps what was typed.
            kw = {"maxlength": False, **render_kw}
            # After a refusal the keyboard is at the first field in error, not at the form's usual first field
            # (walk: the settings refused a telephone number and the cursor stood in the clinic's name).
            refused = first_invalid(getattr(field, "_form", None))
            if refused is not None and "autofocus" not in render_kw:
                kw["autofocus"] = field is refused
            return super().render_field(field, kw)

    def values_for(self, fields_class, **given):
        """A service's fields dataclass filled from the form's fields of the same names; ``given`` stands in for
        the fields the form cleans or computes itself."""
        names = [f.name for f in dataclasses.fields(fields_class) if f.name not in given]
        return fields_class(**{name: self[name].data for name in names}, **given)


def first_invalid(form) -> Field | None:
    """The first field of ``form``, in its order, that shows an error (a hidden field's, such as an expired CSRF
    token, shows none); None for a form without one."""
    if form is None:
        return None
    return next((f for f in form if f.errors and f.type not in ("HiddenField", "CSRFTokenField")), None)


def email_address(_form, field: Field) -> None:
    """The same rule as the services and the API (``clinic.services.contact``), shown on the field."""
    try:
        field.data = contact.email_address(field.data) or ""
    except InvalidInput as error:
        raise StopValidation(refusal(error)) from None  # in the screen's language


def service_number(_form, field: Field) -> None:
    """An emergency or on-call number: a short one (112, 116117) or a telephone number."""
    try:
        field.data = contact.service_number(field.data) or ""
    except InvalidInput as error:
        raise StopValidation(refusal(error)) from None


def telephone(_form, field: Field) -> None:
    """A telephone number by the rule of the services and the API (``clinic.services.contact``), on the field."""
    try:
        field.data = contact.phone_number(field.data) or ""
    except InvalidInput as error:
        raise StopValidation(refusal(error)) from None


def postcode(_form, field: Field) -> None:
    """A postcode by the rule of the services (``clinic.services.contact``), on the field."""
    try:
        field.data = contact.postal_code(field.data) or ""
    except InvalidInput as error:
        raise StopValidation(refusal(error)) from None


def shown_day(_form, field: Field) -> None:
    """A date or a date and time within the years the screens show (``core.timefmt.is_shown_day``), the same
    rule as a day in the address: a year typed wrongly (0001, 9999) is refused at its field, before any
    arithmetic around it or the database sees it."""
    if field.data and not is_shown_day(field.data):
        raise ValidationError(_("Choose a day between the years 2000 and 2099."))


def not_before(start: str):
    """A validator for the last day of a range ("To"): refused at its field when it lies before the day of
    the form's field ``start`` ("From"); the days the wrong way round matched nothing, without a word why.
    The filters' fields are labelled "From" and "To" as the message names them."""

    def check(form, field: Field) -> None:
        first = form[start].data
        if field.data is not None and first is not None and field.data < first:
            raise ValidationError(_("“To” cannot be before “From”."))

    return check


def birth_day(_form, field: Field) -> None:
    """A date of birth from 1900 to the last of the years the screens show (the form may add: not in the
    future); a year typed wrongly (0001, 9999) is refused at its field."""
    if field.data and not FIRST_BIRTH_DAY <= field.data <= LAST_SHOWN_DAY:
        raise ValidationError(_("Enter a real date of birth, from the year 1900 on."))


def required_text(label, message, max_length: int, field=StringField, **kwargs):
    """A text field that must be filled in (``message`` says so when it is not), of ``max_length`` characters at
    the most; ``field`` is another text field class (``TextAreaField``)."""
    return field(label, validators=[DataRequired(message), Length(max=max_length)], **kwargs)


def whole_number(label, message, low: int, high: int, out_of_range, **kwargs):
    """A whole number that must be given (``message`` says so when it is not), from ``low`` to ``high``
    (``out_of_range`` when it is not)."""
    return IntegerField(label, validators=[InputRequired(message), NumberRange(low, high, out_of_range)], **kwargs)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier with the keyboard than a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DecimalText(StringField):
    """A measured value (a dose, a DLP) in a text input, read by ``core.numbers.decimal``: "1,5" and "1.5"
    are both 1.5 whatever the browser's language (a number input in an English-UI browser made "1,5" into
    15). Shown in the screen's language (1,5 on German screens), without thousands separators; what was
    typed is shown again as typed."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = decimal(valuelist[0])
        except ValueError:
            raise ValueError(_("Not a number: write it like 1,5 or 1.5.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format_decimal(self.data, locale=get_locale(), group_separator=False)


def _marked(errors) -> int:
    """How many fields ``errors`` (a form's, a ``FormField``'s or a ``FieldList``'s) marks: a field's list of
    messages counts once, a nested form or list counts its fields; the form's own errors (key None) none."""
    if isinstance(errors, dict):
        return sum(_marked(value) for key, value in errors.items() if key is not None)
    if isinstance(errors, (list, tuple)):
        if errors and all(isinstance(e, (dict, list, tuple)) or e is None for e in errors):
            return sum(_marked(e) for e in errors if e)
        return 1 if errors else 0
    return 0


def marked_fields(form) -> int:
    """How many fields of ``form`` show an error."""
    return _marked(form.errors)


def correct_marked(form, *, on_page: bool = True) -> str:
    """The banner above a form refused at its fields (the refusal itself stands at each field, said once):
    "the marked field" for one, "the marked fields" for more (walk finding: the singular above two).
    ``on_page=False``: the page shown does not offer the form (it was posted from a stale tab or by hand), so
    no field can be marked: each refusal is said in full after its field's name (walk finding: a forged hold
    override with a short reason was told to "correct the marked field" on a page without that field)."""
    if not on_page:
        return " ".join(
            f"{form[name].label.text}: {' '.join(str(error) for error in errors)}"
            for name, errors in form.errors.items()
            if name is not None and name in form and errors
        )
    if marked_fields(form) > 1:
        return _("Please correct the marked fields.")
    return _("Please correct the marked field.")
