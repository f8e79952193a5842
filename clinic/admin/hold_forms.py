"""Forms for the medication hold table."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import FlaskForm, required_text
from ..models.vocab import BleedingClass, HoldAction
from ..services.hold_rules import EVIDENCE, MAX_HOURS, RuleFields
from ..services.medication import DOSE_CLASS_LABELS
from .fields import options

HOURS_HELP = _l("Hours; 24 = 1 day, 72 = 3 days, 120 = 5 days")


class RuleForm(FlaskForm):
    action = SelectField(
        _l("Action"), choices=options(HoldAction.choices()), validate_choice=False, render_kw={"autofocus": True}
    )
    hold_hours = IntegerField(_l("Hold before the procedure"), validators=[Optional()], render_kw={"min": 1})
    restart_hours = IntegerField(_l("Restart after the procedure"), validators=[Optional()], render_kw={"min": 0})
    requires_inr = BooleanField(_l("Check INR before the procedure"))
    evidence = SelectField(
        _l("Evidence"),
        choices=options((k, _l("%(code)s: %(meaning)s", code=k, meaning=_l(v))) for k, v in EVIDENCE.items()),
        validate_choice=False,
    )
    note = TextAreaField(
        _l("Note (English)"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 3, "lang": "en"}
    )
    note_de = TextAreaField(
        _l("Note (German)"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 3, "lang": "de"}
    )

    def validate_action(self, field):
        if field.data not in HoldAction.values():
            raise ValidationError(_("Choose hold, no hold or shared assessment."))

    def validate_hold_hours(self, field):
        if field.data is not None and not 1 <= field.data <= MAX_HOURS:
            raise ValidationError(_("A hold lasts 1 to %(hours)s hours (30 days).", hours=MAX_HOURS))
        if self.action.data == HoldAction.HOLD and field.data is None:
            raise ValidationError(_("A hold needs the number of hours before the procedure."))
        if self.action.data != HoldAction.HOLD and field.data is not None:
            raise ValidationError(_("Only a hold has hours before the procedure; leave this empty."))

    def validate_restart_hours(self, field):
        if field.data is not None and not 0 <= field.data <= MAX_HOURS:
            raise ValidationError(_("Restart within 0 to %(hours)s hours.", hours=MAX_HOURS))

    def validate_requires_inr(self, field):
        if field.data and self.action.data != HoldAction.HOLD:
            raise ValidationError(_("An INR check belongs to a hold."))

    def validate_evidence(self, field):
        if field.data not in EVIDENCE:
            raise ValidationError(_("Choose the kind of evidence."))

    def fields(self) -> RuleFields:
        return self.values_for(RuleFields)


class NewRuleForm(RuleForm):
    drug_code = required_text(
        _l("Drug code"), _l("Give a drug code, e.g. rivaroxaban."), 40, render_kw={"autofocus": True}
    )
    drug_name_en = required_text(_l("Name (English)"), _l("Give the English name."), 80)
    drug_name_de = required_text(_l("Name (German)"), _l("Give the German name."), 80)
    dose_class = SelectField(_l("Dose class"), choices=options(DOSE_CLASS_LABELS.items()), validate_choice=False)
    bleeding_class = SelectField(_l("Bleeding class"), choices=options(BleedingClass.choices()), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.render_kw = {}  # the drug code comes first here

    def validate_dose_class(self, field):
        if field.data not in DOSE_CLASS_LABELS:
            raise ValidationError(_("Choose a dose class from the list."))

    def validate_bleeding_class(self, field):
        if field.data not in BleedingClass.values():
            raise ValidationError(_("Choose the bleeding class."))


class VerifyForm(FlaskForm):
    clinician = StringField(
        _l("Verified by (clinician's full name)"),
        validators=[
            DataRequired(_l("Type the full name of the clinician who checked this row.")),
            Length(min=3, max=120, message=_l("Type the clinician's full name (3 to 120 characters).")),
        ],
    )
    checked = BooleanField(_l("This clinician has checked the row against the source"))

    def validate_checked(self, field):
        if not field.data:
            raise ValidationError(_("Confirm that the clinician has checked the row."))
