"""Forms for session templates, roster entries, roster exceptions and closures (local wall-clock time)."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.timefmt import local_instant, local_midnight
from ..forms import FlaskForm, required_text, shown_day
from ..models.vocab import ClosureScope
from ..services.setup_resources import ClosureFields, ExceptionFields, WeeklyFields
from .fields import WEEKDAY_CHOICES, IntSelectField, one_of_the_choices, options

GRID_MINUTES = 5
DATE_REQUIRED = _l("Give a date.")
CHOOSE_ROOM = one_of_the_choices(_l("Choose a room."))
CHOOSE_RADIOLOGIST = one_of_the_choices(_l("Choose a radiologist."))
AUTOFOCUS = {"autofocus": True}


def _on_grid(field) -> None:
    if field.data is not None and field.data.minute % GRID_MINUTES:
        raise ValidationError(_("Times lie on the 5-minute grid, e.g. 08:00 or 12:35."))


class WeeklyForm(FlaskForm):
    """A weekly slot; subclasses add the room or the radiologist as the first field."""

    weekday = IntSelectField(_l("Weekday"), choices=WEEKDAY_CHOICES)
    start_time = TimeField(_l("From"), validators=[DataRequired(_l("Give the start time, e.g. 08:00."))])
    end_time = TimeField(_l("To"), validators=[DataRequired(_l("Give the end time, e.g. 16:00."))])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired(DATE_REQUIRED), shown_day])
    valid_to = DateField(_l("Valid to (last day)"), validators=[Optional(), shown_day])

    owner_field = ""

    def validate_weekday(self, field):
        if field.data not in range(7):
            raise ValidationError(_("Choose a weekday from Monday to Sunday."))

    def validate_start_time(self, field):
        _on_grid(field)

    def validate_end_time(self, field):
        _on_grid(field)
        if field.data is not None and self.start_time.data is not None and field.data <= self.start_time.data:
            raise ValidationError(_("The end time must be after the start time."))

    def validate_valid_to(self, field):
        if field.data is not None and self.valid_from.data is not None and field.data < self.valid_from.data:
            raise ValidationError(_("“Valid to” cannot be before “valid from”."))

    def fields(self) -> WeeklyFields:
        return self.values_for(WeeklyFields, owner_id=self[self.owner_field].data)


class SessionTemplateForm(WeeklyForm):
    room_id = IntSelectField(
        _l("Room"), choices=[], validators=[one_of_the_choices(_l("Choose a room."))], render_kw=AUTOFOCUS
    )
    owner_field = "room_id"


class RosterEntryForm(WeeklyForm):
    radiologist_id = IntSelectField(_l("Radiologist"), choices=[], validators=[CHOOSE_RADIOLOGIST], render_kw=AUTOFOCUS)
    owner_field = "radiologist_id"


class EndForm(FlaskForm):
    last_day = DateField(_l("Last day"), validators=[DataRequired(DATE_REQUIRED), shown_day])


class RosterExceptionForm(FlaskForm):
    radiologist_id = IntSelectField(_l("Radiologist"), choices=[], validators=[CHOOSE_RADIOLOGIST], render_kw=AUTOFOCUS)
    on_date = DateField(_l("Date"), validators=[DataRequired(DATE_REQUIRED), shown_day])
    kind = SelectField(
        _l("Kind"), choices=options([("off", _l("Off (absent)")), ("extra", _l("Extra duty"))]), validate_choice=False
    )
    start_time = TimeField(_l("From"), validators=[Optional()])
    end_time = TimeField(_l("To"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])

    def validate_kind(self, field):
        if field.data not in ("off", "extra"):
            raise ValidationError(_("Choose “off” or “extra duty”."))

    def validate_start_time(self, field):
        _on_grid(field)
        if field.data is None and self.kind.data == "extra":
            raise ValidationError(_("An extra duty needs its start and end time."))

    def validate_end_time(self, field):
        _on_grid(field)
        start = self.start_time.data
        if (field.data is None) != (start is None) and self.kind.data == "off":
            raise ValidationError(_("Give both a start and an end time, or neither (the whole day off)."))
        if field.data is None and self.kind.data == "extra":
            raise ValidationError(_("An extra duty needs its start and end time."))
        if field.data is not None and start is not None and field.data <= start:
            raise ValidationError(_("The end time must be after the start time."))

    def fields(self) -> ExceptionFields:
        return self.values_for(ExceptionFields)


class ClosureForm(FlaskForm):
    scope = SelectField(
        _l("What is closed"),
        choices=options(
            [
                (ClosureScope.CLINIC.value, _l("The whole clinic")),
                (ClosureScope.ROOM.value, _l("One room")),
                (ClosureScope.UNIT.value, _l("One unit (all its rooms and beds)")),
                (ClosureScope.RADIOLOGIST.value, _l("One radiologist (absence)")),
            ]
        ),
        validate_choice=False,
        render_kw={"autofocus": True},
    )
    room_id = IntSelectField(_l("Room"), choices=[])
    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)
    radiologist_id = IntSelectField(_l("Radiologist"), choices=[])
    first_day = DateField(_l("First day"), validators=[DataRequired(DATE_REQUIRED), shown_day])
    start_time = TimeField(_l("From (empty: the whole day)"), validators=[Optional()])
    last_day = DateField(_l("Last day (empty: the same day)"), validators=[Optional(), shown_day])
    end_time = TimeField(_l("Until (empty: the end of the day)"), validators=[Optional()])
    reason = required_text(_l("Reason"), _l("Give a reason (holiday, maintenance, absence…)."), 200)

    def validate_scope(self, field):
        if field.data not in ClosureScope.values():
            raise ValidationError(_("Choose what is closed: the clinic, a room, a unit or a radiologist."))

    def validate_room_id(self, field):
        if self.scope.data == ClosureScope.ROOM and field.data not in field.allowed():
            raise ValidationError(_("Choose the room that is closed."))

    def validate_unit(self, field):
        if self.scope.data == ClosureScope.UNIT and field.data not in [
            c.value for c in field.iter_choices() if c.value
        ]:
            raise ValidationError(_("Choose the unit that is closed."))

    def validate_radiologist_id(self, field):
        if self.scope.data == ClosureScope.RADIOLOGIST and field.data not in field.allowed():
            raise ValidationError(_("Choose the radiologist who is absent."))

    def validate_last_day(self, field):
        if field.data is not None and self.first_day.data is not None and field.data < self.first_day.data:
            raise ValidationError(_("The last day cannot be before the first day."))

    def validate_end_time(self, field):
        first, last = self.first_day.data, self.last_day.data or self.first_day.data
        if first is None or last is None or field.data is None:
            return
        start = self.start_time.data or dt.time(0)
        if (last, field.data) <= (first, start):
            raise ValidationError(_("The closure must end after it starts."))

    def fields(self, zone: str) -> ClosureFields:
        first = self.first_day.data
        last = self.last_day.data or first
        starts_at = local_instant(first, self.start_time.data or dt.time(0), zone)
        if self.end_time.data is not None:
            ends_at = local_instant(last, self.end_time.data, zone)
        else:
            ends_at = local_midnight(last + dt.timedelta(days=1), zone)
        scope = self.scope.data
        return ClosureFields(
            scope=scope,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=self.reason.data,
            room_id=self.room_id.data if scope == ClosureScope.ROOM else None,
            unit=self.unit.data if scope == ClosureScope.UNIT else None,
            radiologist_id=self.radiologist_id.data if scope == ClosureScope.RADIOLOGIST else None,
        )
