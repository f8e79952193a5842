from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from ..forms import FlaskForm, shown_day


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only filter sent by GET

    actor = SelectField(_l("Who"), choices=[], validators=[Optional()], validate_choice=False)
    action = SelectField(_l("Action"), choices=[], validators=[Optional()], validate_choice=False)
    object_type = SelectField(_l("Object"), choices=[], validators=[Optional()], validate_choice=False)
    object_id = StringField(_l("Object id"), validators=[Optional()])
    patient_id = IntegerField(_l("Patient id"), validators=[Optional(), NumberRange(min=1)])
    since = DateField(_l("From"), validators=[Optional(), shown_day])
    until = DateField(_l("To (inclusive)"), validators=[Optional(), shown_day])

    def validate_until(self, field):
        # Days the wrong way round matched nothing, without a word why.
        if field.data is not None and self.since.data is not None and field.data < self.since.data:
            raise ValidationError(_("“To” cannot be before “From”."))
