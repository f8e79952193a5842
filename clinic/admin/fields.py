"""Form fields shared by the admin forms."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from ..services.setup_resources import WEEKDAYS

WEEKDAY_CHOICES = list(enumerate(WEEKDAYS))


class IntSelectField(SelectField):
    """A select of numbers. Input that is not one of them is left to the form's ``validate_<field>``,
    which says what is allowed, instead of WTForms' generic "Not a valid choice"."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(label, validators, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0] not in ("", None):
            try:
                self.data = int(valuelist[0])
            except ValueError:
                self.data = None

    def allowed(self) -> set[int]:
        return {self.coerce(value) for value, _label in self.choices if value not in ("", None)}


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier with the keyboard than a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
