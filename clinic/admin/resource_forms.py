"""Forms for rooms and observation beds."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..extensions import db
from ..forms import FlaskForm, required_text
from ..models import ObservationBed, Room
from ..models.vocab import Modality
from ..services.setup_resources import BedFields, RoomFields, ae_title_problem
from .fields import options


def _usual_unit(model: type[Room] | type[ObservationBed], fallback) -> Callable[[], str]:
    """A new room's (bed's) unit to start from: the one most rooms (beds) have, so that the new one joins
    their unit; in a clinic with none, ``fallback`` in the screen's language (not an English word)."""

    def default() -> str:
        count = func.count(model.id)
        usual = db.session.scalar(select(model.unit).group_by(model.unit).order_by(count.desc(), model.unit).limit(1))
        return usual or str(fallback)

    return default


class RoomForm(FlaskForm):
    name = required_text(_l("Name"), _l("Give the room a name."), 60, render_kw={"autofocus": True})
    modality = SelectField(_l("Modality"), choices=options(Modality.choices()))
    unit = required_text(
        _l("Unit"), _l("Name the unit the room belongs to."), 60, default=_usual_unit(Room, _l("Radiology"))
    )
    location_hint = StringField(_l("Where to find it (German letters)"), validators=[Optional(), Length(max=160)])
    location_hint_en = StringField(_l("Where to find it (English letters)"), validators=[Optional(), Length(max=160)])
    sort_order = IntegerField(_l("Position in lists"), default=0, validators=[Optional()])
    ae_title = StringField(_l("Scanner AE title (DICOM)"), validators=[Optional(), Length(max=16)])

    def __init__(self, *args, room: Room | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.room = room

    def validate_name(self, field):
        clash = db.session.scalar(select(Room).where(func.lower(Room.name) == field.data.strip().lower()))
        if clash is not None and clash is not self.room:
            raise ValidationError(_("There is already a room called %(name)s.", name=clash.name))

    def validate_ae_title(self, field):
        title = (field.data or "").strip()
        if not title:
            return
        if problem := ae_title_problem(title):
            raise ValidationError(_(problem))
        clash = db.session.scalar(select(Room).where(func.upper(Room.ae_title) == title.upper()))
        if clash is not None and clash is not self.room:
            raise ValidationError(
                _("Room %(name)s already has the AE title %(ae_title)s.", name=clash.name, ae_title=clash.ae_title)
            )

    def fields(self) -> RoomFields:
        return self.values_for(RoomFields, sort_order=self.sort_order.data or 0)


class BedForm(FlaskForm):
    label = required_text(_l("Label"), _l("Give the bed a label, e.g. Bed 7."), 40, render_kw={"autofocus": True})
    unit = required_text(
        _l("Unit"), _l("Name the unit the bed belongs to."), 60, default=_usual_unit(ObservationBed, _l("Observation"))
    )
    sort_order = IntegerField(_l("Position in lists"), default=0, validators=[Optional()])

    def __init__(self, *args, bed: ObservationBed | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bed = bed

    def validate_label(self, field):
        clash = db.session.scalar(
            select(ObservationBed).where(func.lower(ObservationBed.label) == field.data.strip().lower())
        )
        if clash is not None and clash is not self.bed:
            raise ValidationError(_("There is already a bed called %(label)s.", label=clash.label))

    def fields(self) -> BedFields:
        return self.values_for(BedFields, sort_order=self.sort_order.data or 0)
