"""Every date, time and number field of every form says a value it cannot read (31.02.2026, "gestern",
"zwölf") once: its own message, not that and then a rule's message about the empty value it left ("Give a
date.", "Give the earliest date.", "Number must be at least 1."). Checked field by field with the field's
own rules and the form's validate_<field>."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms.fields.datetime import DateTimeField
from wtforms.fields.numeric import DecimalField, FloatField, IntegerField

from clinic.forms import FlaskForm

UNREADABLE = ("31.02.2026", "gestern", "2026-02-31", "2026-11-23T25:00", "7 Uhr")
UNREADABLE_NUMBERS = ("zwölf", "1.2.3", "5 min", "--3")


def _form_classes() -> list[type[FlaskForm]]:
    """The app's forms (the app is made, so every blueprint's forms are imported)."""
    found, todo = [], [FlaskForm]
    while todo:
        form_class = todo.pop()
        todo.extend(form_class.__subclasses__())
        if form_class.__module__.startswith("clinic."):  # not a form a test defines for itself
            found.append(form_class)
    return found


def _said_more_than_once(app, kinds, unreadable) -> tuple[list[str], dict[str, list[str]]]:
    checked, said = [], {}
    with app.test_request_context("/", method="POST"):
        for form_class in _form_classes():
            blank = form_class(formdata=None, meta={"csrf": False})
            names = [f.name for f in blank if isinstance(f, kinds)]
            for typed in unreadable if names else ():
                form = form_class(formdata=MultiDict(dict.fromkeys(names, typed)), meta={"csrf": False})
                for name in names:
                    field = form[name]
                    inline = getattr(form_class, f"validate_{name}", None)
                    field.validate(form, [inline] if inline else [])
                    checked.append(f"{form_class.__name__}.{name}")
                    if len(field.errors) != 1:
                        said[f"{form_class.__name__}.{name} {typed!r}"] = list(map(str, field.errors))
    return checked, said


def test_an_unreadable_date_or_time_is_said_once_at_its_field(app):
    checked, said = _said_more_than_once(app, DateTimeField, UNREADABLE)
    assert {"WaitlistForm.earliest_date", "RecordForm.started_at", "RosterExceptionForm.on_date"} <= set(checked)
    assert not said, f"not one message: {said}"


def test_an_unreadable_number_is_said_once_at_its_field(app):
    checked, said = _said_more_than_once(app, (IntegerField, DecimalField, FloatField), UNREADABLE_NUMBERS)
    assert len(checked) >= 10, checked  # the catalogue's minutes, the settings, the record's dose and more
    assert not said, f"not one message: {said}"
