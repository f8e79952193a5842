"""Every date and time field of every form says a value it cannot read (31.02.2026, "gestern") once: its
own message, not that and then a rule's message about the empty value it left ("Give a date.", "Give the
earliest date."). Checked field by field with the field's own rules and the form's validate_<field>."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms.fields.datetime import DateTimeField

from clinic.forms import FlaskForm

UNREADABLE = ("31.02.2026", "gestern", "2026-02-31", "2026-11-23T25:00", "7 Uhr")


def _form_classes() -> list[type[FlaskForm]]:
    """The app's forms (the app is made, so every blueprint's forms are imported)."""
    found, todo = [], [FlaskForm]
    while todo:
        form_class = todo.pop()
        todo.extend(form_class.__subclasses__())
        if form_class.__module__.startswith("clinic."):  # not a form a test defines for itself
            found.append(form_class)
    return found


def test_an_unreadable_date_or_time_is_said_once_at_its_field(app):
    checked, said = [], {}
    with app.test_request_context("/", method="POST"):
        for form_class in _form_classes():
            blank = form_class(formdata=None, meta={"csrf": False})
            names = [f.name for f in blank if isinstance(f, DateTimeField)]
            for typed in UNREADABLE if names else ():
                form = form_class(formdata=MultiDict(dict.fromkeys(names, typed)), meta={"csrf": False})
                for name in names:
                    field = form[name]
                    inline = getattr(form_class, f"validate_{name}", None)
                    field.validate(form, [inline] if inline else [])
                    checked.append(f"{form_class.__name__}.{name}")
                    if len(field.errors) != 1:
                        said[f"{form_class.__name__}.{name} {typed!r}"] = list(map(str, field.errors))
    assert {"WaitlistForm.earliest_date", "RecordForm.started_at", "RosterExceptionForm.on_date"} <= set(checked)
    assert not said, f"not one message: {said}"
