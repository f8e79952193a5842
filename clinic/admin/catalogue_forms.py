"""Forms of the procedure catalogue."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from ..core.numbers import whole
from ..extensions import db
from ..forms import FlaskForm, MultiCheckboxField, required_text
from ..models import ProcedureType
from ..models.catalogue import MAX_OBSERVATION_MINUTES, TABLE_MINUTE_CHOICES
from ..models.vocab import BleedingClass, Modality, Stage
from ..services.setup_catalogue import CODE_PATTERN, MAX_EXTRA_MINUTES, ProcedureFields, normalise_code
from .fields import IntSelectField, one_of_the_choices, options

STAGE_CHOICES = [("", _l("Any stage")), *Stage.choices()]


class ProcedureForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Give a code, e.g. PRT."))],
        render_kw={"autofocus": True, "autocapitalize": "characters", "maxlength": 20},
    )
    name_en = required_text(_l("Name (English)"), _l("Give the English name."), 120)
    name_de = required_text(_l("Name (German)"), _l("Give the German name."), 120)
    modality = SelectField(_l("Guidance"), choices=options(Modality.choices()))
    table_minutes = IntSelectField(
        _l("Table time (minutes)"), choices=options((m, f"{m} min") for m in TABLE_MINUTE_CHOICES)
    )
    observation_minutes = IntegerField(
        _l("Observation (minutes)"),
        validators=[InputRequired(_l("Give the observation time in minutes (0 if none)."))],
        render_kw={"min": 0, "max": MAX_OBSERVATION_MINUTES, "step": 5},
    )
    extra_minutes_per_level = IntegerField(
        _l("Extra table minutes per additional level"), default=0, validators=[InputRequired(_l("Give 0 if none."))]
    )
    extra_minutes_per_side = IntegerField(
        _l("Extra table minutes for the second side"), default=0, validators=[InputRequired(_l("Give 0 if none."))]
    )
    bleeding_class = SelectField(_l("Bleeding class (ASRA 2018)"), choices=options(BleedingClass.choices()))
    bleeding_class_cervical = SelectField(
        _l("Bleeding class in the cervical spine"),
        choices=options([("", _l("As for other regions")), *BleedingClass.choices()]),
    )
    needs_side = BooleanField(_l("Needs a side"))
    needs_levels = BooleanField(_l("Needs the spinal level(s)"))
    needs_stage = BooleanField(_l("Needs a stage (diagnostic, therapeutic or neurolytic)"))
    fasting_hours = IntegerField(
        _l("Fasting before the procedure (hours)"),
        default=0,
        validators=[Optional()],
        render_kw={"min": 0, "max": 12},
    )
    sort_order = IntegerField(_l("Position in lists"), default=0, validators=[Optional()])
    radiologists = MultiCheckboxField(_l("Qualified radiologists"), coerce=whole, choices=[])

    def __init__(self, *args, procedure: ProcedureType | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        if procedure is not None:
            # The code is printed on consent forms (in the version label): fixed once created.
            self.code.validators = [Optional()]
            self.name_en.render_kw = {"autofocus": True}

    def validate_code(self, field):
        if self.procedure is not None:
            return
        code = normalise_code(field.data)
        if not CODE_PATTERN.match(code):
            raise ValidationError(_("A code is 1 to 20 capital letters, digits or dashes, e.g. PRT or SYMP-NL."))
        if db.session.scalar(select(ProcedureType.id).where(func.upper(ProcedureType.code) == code)):
            raise ValidationError(_("The code %(code)s is taken.", code=code))

    def validate_table_minutes(self, field):
        if field.data not in TABLE_MINUTE_CHOICES:
            raise ValidationError(_("The table time is 15, 20, 25 or 30 minutes."))

    def validate_observation_minutes(self, field):
        if field.data is not None and not 0 <= field.data <= MAX_OBSERVATION_MINUTES:
            raise ValidationError(_("Observation lasts 0 to 60 minutes."))

    def validate_fasting_hours(self, field):
        if field.data is not None and not 0 <= field.data <= 12:
            raise ValidationError(_("Fasting is 0 to 12 hours (0: a light meal is fine)."))

    def validate_extra_minutes_per_level(self, field):
        _extra_minutes(field)

    def validate_extra_minutes_per_side(self, field):
        _extra_minutes(field)

    def fields(self) -> ProcedureFields:
        return self.values_for(
            ProcedureFields,
            code=self.procedure.code if self.procedure else normalise_code(self.code.data),
            bleeding_class_cervical=self.bleeding_class_cervical.data or None,
            fasting_hours=self.fasting_hours.data or 0,
            sort_order=self.sort_order.data or 0,
        )


def _extra_minutes(field) -> None:
    if field.data is not None and not 0 <= field.data <= MAX_EXTRA_MINUTES:
        raise ValidationError(_("Extra minutes are 0 to %(minutes)s.", minutes=MAX_EXTRA_MINUTES))


class StageRuleForm(FlaskForm):
    rule_stage = SelectField(_l("When booking"), choices=options(STAGE_CHOICES))
    requires_procedure_type_id = IntSelectField(
        _l("a documented positive"),
        choices=[],
        validators=[one_of_the_choices(_l("Choose the procedure that has to come first."))],
    )
    requires_stage = SelectField(_l("at stage"), choices=options(STAGE_CHOICES))
