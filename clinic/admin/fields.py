"""Form fields shared by the admin forms."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField
from wtforms.validators import ValidationError


def options(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """Choices as WTForms wants them from 3.3 on (tuples passed to a field are deprecated). A plain
    label (an enum's English label, marked in models/vocab.py) is looked up in the screen's language when
    the form is drawn."""
    return [SelectChoice(value, _l(label) if type(label) is str else label) for value, label in pairs]


# The services' WEEKDAYS (English, for logs and audit) as the screens say them.
WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
WEEKDAY_CHOICES = options(enumerate(WEEKDAY_NAMES))


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class IntSelectField(SelectField):
    """A select of numbers. Input that is not one of them is left to ``one_of_the_choices`` or the form's
    ``validate_<field>``, which say what is allowed, instead of WTForms' generic "Not a valid choice"."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", int_or_none)
        super().__init__(label, validators, validate_choice=False, **kwargs)
        self.type = "SelectField"  # rendered (and styled by the shared macros) as the select it is

    def process_formdata(self, valuelist):
        self.data = int_or_none(valuelist[0]) if valuelist else None

    def allowed(self) -> set[int]:
        return {self.coerce(c.value) for c in self.iter_choices() if c.value not in ("", None)}


def one_of_the_choices(message):
    """A validator of an ``IntSelectField``: the value is one of its choices, else ``message`` says what to choose."""

    def check(_form, field: IntSelectField) -> None:
        if field.data not in field.allowed():
            raise ValidationError(message)

    return check
