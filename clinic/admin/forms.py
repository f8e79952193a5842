from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from ..forms import FlaskForm, not_before, shown_day


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only filter sent by GET

    actor = SelectField(_l("Who"), choices=[], validators=[Optional()], validate_choice=False)
    action = SelectField(_l("Action"), choices=[], validators=[Optional()], validate_choice=False)
    object_type = SelectField(_l("Object"), choices=[], validators=[Optional()], validate_choice=False)
    object_id = StringField(_l("Object id"), validators=[Optional()])
    patient_id = IntegerField(_l("Patient id"), validators=[Optional(), NumberRange(min=1)])
    since = DateField(_l("From"), validators=[Optional(), shown_day])
    until = DateField(_l("To (inclusive)"), validators=[Optional(), shown_day, not_before("since")])
