from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from ..forms import FlaskForm


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only filter sent by GET

    actor = SelectField("Who", choices=[], validators=[Optional()], validate_choice=False)
    action = StringField("Action starts with", validators=[Optional()])
    object_type = SelectField("Object", choices=[], validators=[Optional()], validate_choice=False)
    object_id = StringField("Object id", validators=[Optional()])
    patient_id = IntegerField("Patient id", validators=[Optional(), NumberRange(min=1)])
    since = DateField("From", validators=[Optional()])
    until = DateField("To (inclusive)", validators=[Optional()])
