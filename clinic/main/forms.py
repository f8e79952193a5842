from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ..forms import FlaskForm

CLINIC_DEFAULT = ""


class ProfileForm(FlaskForm):
    language = SelectField(
        _l("Language of the screens"),
        choices=[
            SelectChoice("de", "Deutsch"),
            SelectChoice("en", "English"),
            SelectChoice(CLINIC_DEFAULT, _l("The clinic's language")),
        ],
    )
