"""The form for a new version of a printed text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from ..forms import FlaskForm, required_text
from ..services.texts import MAX_NOTE, MAX_TITLE


class TextForm(FlaskForm):
    title = required_text(_l("Title"), _l("Give the text a title."), MAX_TITLE, render_kw={"autofocus": True})
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("The text is empty."))], render_kw={"rows": 26})
    change_note = required_text(
        _l("What changed"), _l("Say what changed; the note is kept with the version."), MAX_NOTE
    )
