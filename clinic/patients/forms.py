from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length

from ..forms import FlaskForm


class PatientSearchForm(FlaskForm):
    q = StringField(
        _l("Search"),
        validators=[Length(max=100)],
        render_kw={"placeholder": _l("Name, date of birth (21.11.1960), clinic number or phone"), "autofocus": True},
    )
