"""The form for a new version of a printed text."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import FlaskForm
from ..services.texts import MAX_NOTE, MAX_TITLE


class TextForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the text a title."), Length(max=MAX_TITLE)],
        render_kw={"autofocus": True},
    )
    body = TextAreaField("Text", validators=[DataRequired("The text is empty.")], render_kw={"rows": 26})
    change_note = StringField(
        "What changed",
        validators=[DataRequired("Say what changed; the note is kept with the version."), Length(max=MAX_NOTE)],
    )
