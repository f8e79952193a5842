"""The form for a new version of a printed text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import FlaskForm
from ..services.texts import MAX_NOTE, MAX_TITLE


class TextForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the text a title.")), Length(max=MAX_TITLE)],
        render_kw={"autofocus": True},
    )
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("The text is empty."))], render_kw={"rows": 26})
    change_note = StringField(
        _l("What changed"),
        validators=[DataRequired(_l("Say what changed; the note is kept with the version.")), Length(max=MAX_NOTE)],
    )
