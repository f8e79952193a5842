"""Forms of the radiologist's and the nurse's screens."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..core import vitals
from ..core.numbers import whole
from ..forms import DecimalText, FlaskForm, required_text, shown_day
from ..models.vocab import TARGETS_BY_PROCEDURE, Modality, Priority, Region, ReliefCategory, Side, Stage, Target
from ..services import procedure_day


def _choices(enum, blank: str | None = None) -> list[SelectChoice]:
    """Choices as WTForms 3.3 wants them (tuples are deprecated, and a dict only takes plain strings, not
    labels translated when the page is shown)."""
    items = [SelectChoice(m.value, _l(m.label)) for m in enum]
    return [SelectChoice("", blank), *items] if blank is not None else items


def _findings(reduced):
    """A motor or sensory finding: not checked, normal or reduced."""
    return [SelectChoice("", "—"), SelectChoice("normal", _l("normal")), SelectChoice("reduced", reduced)]


class AcceptForm(FlaskForm):
    procedure_type_id = SelectField(_l("Procedure"), coerce=whole, validate_choice=False)
    region = SelectField(_l("Region"), choices=_choices(Region, "—"))
    side = SelectField(_l("Side"), choices=_choices(Side, "—"))
    levels = StringField(
        _l("Levels"), validators=[Optional(), Length(max=80)], render_kw={"placeholder": _l("e.g. L4/5, L5/S1")}
    )
    # Both offer only what the chosen procedure takes (its option's data-stages, data-targets; clinic.js).
    stage = SelectField(
        _l("Stage"), choices=_choices(Stage, "—"), render_kw={"data-limited-by": "procedure_type_id stages"}
    )
    # Grouped by procedure: the sympathetic target, the facet technique, the epidural approach.
    target = SelectField(
        _l("Target / technique / approach"),
        choices=lambda: {  # read when the form is shown: the labels in the screen's language
            "": {"": "— (PRT, RFA) —"},
            **{code: {t: gettext(Target(t).label) for t in targets} for code, targets in TARGETS_BY_PROCEDURE.items()},
        },
        render_kw={"data-limited-by": "procedure_type_id targets"},
    )
    guidance = SelectField(_l("Guidance"), choices=_choices(Modality))
    priority = SelectField(_l("Priority"), choices=_choices(Priority))
    note = TextAreaField(_l("Note for the team"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    # Shown when the pre-registration records an implant: MRI guidance is refused without it (services.triage).
    implant_mr_checked = BooleanField(_l("Implant checked: MR-conditional, MRI guidance possible under its conditions"))

    def validate_procedure_type_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the procedure."))


class ReasonForm(FlaskForm):
    reason = required_text(_l("Reason"), _l("Give a reason."), 2000, field=TextAreaField, render_kw={"rows": 2})


class HoldOverrideForm(FlaskForm):
    earliest = DateField(_l("Earliest procedure date"), validators=[InputRequired(), shown_day])
    reason = required_text(_l("Reason"), _l("Give a reason."), 2000, field=TextAreaField, render_kw={"rows": 2})


class ConsentForm(FlaskForm):
    """The information talk (who explained, when) is recorded apart from the signature (§630e BGB)."""

    explained_by_id = SelectField(_l("Information talk given by"), coerce=whole, validate_choice=False)
    explained_at = DateTimeLocalField(
        _l("Information talk on"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Give the date and time of the talk.")), shown_day],
    )
    taken_by_id = SelectField(_l("Consent taken by"), coerce=whole, validate_choice=False)
    signed_at = DateTimeLocalField(_l("Signed at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(), shown_day])
    # The talk before the signature, neither in the future: the service's rules (procedure_day.record_consent),
    # shown under the field they name.


def _dose(_form, field):
    """A dose above zero with at most two decimals, as the record stores it (walk finding: 0.001 was refused
    with "Above zero.", being below the smallest step of 0.01)."""
    if field.data is None:
        return
    if field.data <= 0:
        raise ValidationError(_l("Enter an amount above zero."))  # walk 27: "Über null." was terse
    if field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError(_l("At most two decimals (e.g. 0.25)."))


class DrugRow(Form):
    drug_option_id = SelectField(_l("Drug"), coerce=whole, validate_choice=False, default=0)
    # A text field read by our parser: "1,5" and "1.5" alike, whatever the browser's language.
    dose = DecimalText(_l("Dose"), validators=[Optional(), _dose])


class RecordForm(FlaskForm):
    """The procedure record. Its times (the appointment's day, not in the future, not before check-in, the
    end not before the start) are the service's one rule (``procedure_records.time_problem``), which the
    page shows under the start or the end field."""

    started_at = DateTimeLocalField(_l("Start"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(), shown_day])
    ended_at = DateTimeLocalField(_l("End"), format="%Y-%m-%dT%H:%M", validators=[Optional(), shown_day])
    levels = StringField(_l("Levels"), validators=[Optional(), Length(max=80)])
    side = SelectField(_l("Side"), choices=_choices(Side, "—"))
    approach = StringField(_l("Approach"), validators=[Optional(), Length(max=120)])
    guidance = SelectField(_l("Guidance"), choices=_choices(Modality))
    dlp_mgycm = DecimalText(_l("CT dose (DLP, mGy·cm)"), validators=[Optional(), NumberRange(min=0)])
    pain_before = IntegerField(_l("Pain before (0–10)"), validators=[Optional(), NumberRange(0, 10)])
    pain_after = IntegerField(_l("Pain after (0–10)"), validators=[Optional(), NumberRange(0, 10)])
    complications = TextAreaField(_l("Complications"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 2})
    drugs = FieldList(FormField(DrugRow), min_entries=4, max_entries=8)
    # Shown when the patient has a recorded contrast allergy: contrast is refused without it (procedure_records).
    contrast_allergy_confirmed = BooleanField(_l("Contrast allergy taken into account (e.g. premedication)"))

    def validate(self, extra_validators=None) -> bool:
        """A drug given twice is one row with the whole dose (walk finding F-11): the later row is marked,
        and the record keeps what was typed. A dose typed with no drug chosen is marked at the drug (it
        was dropped without a word)."""
        valid = super().validate(extra_validators)
        seen: set[int] = set()
        for row in self.drugs:
            drug = row.drug_option_id.data
            if not drug:
                if row.dose.data is not None or row.dose.errors:
                    row.drug_option_id.errors = [*row.drug_option_id.errors, _l("Choose the drug for this dose.")]
                    valid = False
                continue
            if row.dose.data is None and not row.dose.errors:  # said at the dose, not as the drug's English name
                row.dose.errors = [*row.dose.errors, _l("Give the dose of this drug.")]
                valid = False
            if drug in seen:
                row.drug_option_id.errors = [
                    *row.drug_option_id.errors,
                    _l("This drug is in a row above already: give the whole dose in one row."),
                ]
                valid = False
            seen.add(drug)
        return valid


class AddendumForm(FlaskForm):
    text = required_text(_l("Addendum"), _l("Write the addendum."), 4000, field=TextAreaField, render_kw={"rows": 3})


class OutcomeForm(FlaskForm):
    pain_score = IntegerField(_l("Pain now (0–10)"), validators=[Optional(), NumberRange(0, 10)])
    relief_percent = IntegerField(_l("Relief (%)"), validators=[Optional(), NumberRange(0, 100)])
    relief_category = SelectField(_l("Relief"), choices=_choices(ReliefCategory, _l("— from the percentage —")))
    complications = TextAreaField(_l("Complications"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})

    def validate_relief_category(self, field):
        if not field.data and self.relief_percent.data is None:
            raise ValidationError(_l("Give the relief as a percentage or a category."))


def _possible(low: int, high: int) -> NumberRange:
    """A value a living patient can have (``clinic.core.vitals``); 900 or 5 is a typing error."""
    return NumberRange(low, high, _l("Not possible: enter a value from %(min)s to %(max)s."))


class CheckForm(FlaskForm):
    systolic = IntegerField(_l("BP systolic"), validators=[Optional(), _possible(*vitals.SYSTOLIC_POSSIBLE)])
    diastolic = IntegerField(_l("BP diastolic"), validators=[Optional(), _possible(*vitals.DIASTOLIC_POSSIBLE)])
    pulse = IntegerField(_l("Pulse"), validators=[Optional(), _possible(*vitals.PULSE_POSSIBLE)])
    pain_score = IntegerField(_l("Pain (0–10)"), validators=[Optional(), NumberRange(0, 10)])
    motor = SelectField(_l("Motor"), choices=_findings(_l("reduced")))
    sensory = SelectField(_l("Sensory"), choices=_findings(_l("numb / reduced")))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class ExtendForm(FlaskForm):
    minutes = IntegerField(_l("Minutes"), validators=[InputRequired(), NumberRange(1, 120)], default=15)
    reason = StringField(_l("Reason for the longer stay"), validators=[Length(max=500)])

    def validate_reason(self, field):
        """The service's rule, said at the field before the service is asked (every longer stay needs a reason)."""
        if sum(ch.isalpha() for ch in field.data or "") < procedure_day.EXTENSION_REASON_MIN_LETTERS:
            raise ValidationError(gettext(procedure_day.EXTENSION_NEEDS_REASON))


class MoveBedForm(FlaskForm):
    bed_id = SelectField(_l("Free bed"), coerce=whole, validate_choice=False)

    def validate_bed_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a free bed."))


class DischargeForm(FlaskForm):
    reason = StringField(_l("Reason to discharge now"), validators=[Optional(), Length(max=500)])


class ReleaseCriticalForm(FlaskForm):
    """A physician lets the patient go home with the critical values standing (``procedure_day.release_critical``)."""

    reason = StringField(
        _l("Why the patient may go home with these values"),
        validators=[
            DataRequired(_l("Give the reason the patient may go home with these values.")),
            Length(max=500, message=_l("The reason is too long (500 characters at most).")),
        ],
        render_kw={"maxlength": 500},
    )
    seen_check_id = HiddenField()  # the last check on the page: a newer one is looked at first


class RestartCallForm(FlaskForm):
    """The call about restarting one paused blood thinner: the agreed restart (the clinic's wall clock) and/or
    a note; the service asks for one of them and refuses a restart before the end of the procedure."""

    agreed_restart_at = DateTimeLocalField(
        _l("Agreed restart"), format="%Y-%m-%dT%H:%M", validators=[Optional(), shown_day]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    reached = BooleanField(_l("Spoken to the patient: the restart is settled"))
