"""Forms of the radiologist's and the nurse's screens."""

from __future__ import annotations

from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import FlaskForm
from ..models.vocab import TARGETS_BY_PROCEDURE, Modality, Priority, Region, ReliefCategory, Side, Stage, Target


def _choices(enum, blank: str | None = None) -> dict[str, str]:
    """Choices as a {value: label} dict (WTForms 3.3 deprecates tuples)."""
    items = {m.value: m.label for m in enum}
    return {"": blank, **items} if blank is not None else items


class AcceptForm(FlaskForm):
    procedure_type_id = SelectField("Procedure", coerce=int, validate_choice=False)
    region = SelectField("Region", choices=_choices(Region, "—"))
    side = SelectField("Side", choices=_choices(Side, "—"))
    levels = StringField(
        "Levels", validators=[Optional(), Length(max=80)], render_kw={"placeholder": "e.g. L4/5, L5/S1"}
    )
    stage = SelectField("Stage", choices=_choices(Stage, "—"))
    # Grouped by procedure: the sympathetic target, the facet technique, the epidural approach.
    target = SelectField(
        "Target / technique / approach",
        choices={
            "": {"": "— (PRT, RFA) —"},
            **{code: {t: Target(t).label for t in targets} for code, targets in TARGETS_BY_PROCEDURE.items()},
        },
    )
    guidance = SelectField("Guidance", choices=_choices(Modality))
    priority = SelectField("Priority", choices=_choices(Priority))
    note = TextAreaField("Note for the team", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})

    def validate_procedure_type_id(self, field):
        if not field.data:
            raise ValidationError("Choose the procedure.")


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason", validators=[DataRequired(message="Give a reason."), Length(max=2000)], render_kw={"rows": 2}
    )


class HoldOverrideForm(FlaskForm):
    earliest = DateField("Earliest procedure date", validators=[InputRequired()])
    reason = TextAreaField(
        "Reason", validators=[DataRequired(message="Give a reason."), Length(max=2000)], render_kw={"rows": 2}
    )


class ConsentForm(FlaskForm):
    """The information talk (who explained, when) is recorded apart from the signature (§630e BGB)."""

    explained_by_id = SelectField("Information talk given by", coerce=int, validate_choice=False)
    explained_at = DateTimeLocalField(
        "Information talk on",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Give the date and time of the talk.")],
    )
    taken_by_id = SelectField("Consent taken by", coerce=int, validate_choice=False)
    signed_at = DateTimeLocalField("Signed at", format="%Y-%m-%dT%H:%M", validators=[InputRequired()])

    def validate_explained_at(self, field):
        if field.data and self.signed_at.data and field.data > self.signed_at.data:
            raise ValidationError("The talk comes before the signature.")


class DrugRow(Form):
    drug_option_id = SelectField("Drug", coerce=int, validate_choice=False, default=0)
    dose = DecimalField("Dose", places=2, validators=[Optional(), NumberRange(min=0.01, message="Above zero.")])


class RecordForm(FlaskForm):
    started_at = DateTimeLocalField("Start", format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    ended_at = DateTimeLocalField("End", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    levels = StringField("Levels", validators=[Optional(), Length(max=80)])
    side = SelectField("Side", choices=_choices(Side, "—"))
    approach = StringField("Approach", validators=[Optional(), Length(max=120)])
    guidance = SelectField("Guidance", choices=_choices(Modality))
    dlp_mgycm = DecimalField("CT dose (DLP, mGy·cm)", places=1, validators=[Optional(), NumberRange(min=0)])
    pain_before = IntegerField("Pain before (0–10)", validators=[Optional(), NumberRange(0, 10)])
    pain_after = IntegerField("Pain after (0–10)", validators=[Optional(), NumberRange(0, 10)])
    complications = TextAreaField("Complications", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    note = TextAreaField("Note", validators=[Optional(), Length(max=4000)], render_kw={"rows": 2})
    drugs = FieldList(FormField(DrugRow), min_entries=4, max_entries=8)

    def validate_ended_at(self, field):
        if field.data and self.started_at.data and field.data < self.started_at.data:
            raise ValidationError("The end lies before the start.")


class AddendumForm(FlaskForm):
    text = TextAreaField(
        "Addendum", validators=[DataRequired(message="Write the addendum."), Length(max=4000)], render_kw={"rows": 3}
    )


class OutcomeForm(FlaskForm):
    pain_score = IntegerField("Pain now (0–10)", validators=[Optional(), NumberRange(0, 10)])
    relief_percent = IntegerField("Relief (%)", validators=[Optional(), NumberRange(0, 100)])
    relief_category = SelectField("Relief", choices=_choices(ReliefCategory, "— from the percentage —"))
    complications = TextAreaField("Complications", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})

    def validate_relief_category(self, field):
        if not field.data and self.relief_percent.data is None:
            raise ValidationError("Give the relief as a percentage or a category.")


class CheckForm(FlaskForm):
    systolic = IntegerField("BP systolic", validators=[Optional(), NumberRange(40, 300)])
    diastolic = IntegerField("BP diastolic", validators=[Optional(), NumberRange(20, 200)])
    pulse = IntegerField("Pulse", validators=[Optional(), NumberRange(20, 250)])
    pain_score = IntegerField("Pain (0–10)", validators=[Optional(), NumberRange(0, 10)])
    motor = SelectField("Motor", choices={"": "—", "normal": "normal", "reduced": "reduced"})
    sensory = SelectField("Sensory", choices={"": "—", "normal": "normal", "reduced": "numb / reduced"})
    note = StringField("Note", validators=[Optional(), Length(max=500)])


class ExtendForm(FlaskForm):
    minutes = IntegerField("Minutes", validators=[InputRequired(), NumberRange(1, 120)], default=15)
    reason = StringField("Reason (needed beyond 60 minutes in all)", validators=[Optional(), Length(max=500)])


class MoveBedForm(FlaskForm):
    bed_id = SelectField("Free bed", coerce=int, validate_choice=False)

    def validate_bed_id(self, field):
        if not field.data:
            raise ValidationError("Choose a free bed.")


class DischargeForm(FlaskForm):
    reason = StringField("Reason to discharge now", validators=[Optional(), Length(max=500)])
