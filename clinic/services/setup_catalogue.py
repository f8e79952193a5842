"""The procedure catalogue: procedure types, their stage rules and who is qualified to do them.

Flush only; the caller commits. A procedure type that appointments, referrals or texts refer to is
never deleted: it is switched off, so it can no longer be booked while its history stays readable.
The code is fixed once created: it is printed (in version labels) on signed consent forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.errors import DomainError, invalid
from ..core.messages import N_, Phrase
from ..models import ProcedureType, StageRule, User, UserRole
from ..models.catalogue import MAX_OBSERVATION_MINUTES, TABLE_MINUTE_CHOICES
from ..models.vocab import BleedingClass, Modality, Role, Stage
from .setup_resources import save_row, switch_active

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
MAX_EXTRA_MINUTES = 30


@dataclass(frozen=True)
class ProcedureFields:
    code: str
    name_en: str
    name_de: str
    modality: str
    table_minutes: int
    observation_minutes: int
    bleeding_class: str
    bleeding_class_cervical: str | None = None
    extra_minutes_per_level: int = 0
    extra_minutes_per_side: int = 0
    needs_side: bool = True
    needs_levels: bool = True
    needs_stage: bool = False
    fasting_hours: int = 0  # hours without food before the table start; letters print the moment
    sort_order: int = 0


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()


def check_fields(session: Session, fields: ProcedureFields, procedure: ProcedureType | None) -> None:
    """The same rules as the form, for callers other than the screens."""
    if procedure is None:
        code = normalise_code(fields.code)
        if not CODE_PATTERN.match(code):
            raise invalid(N_("A code is 1 to 20 capital letters, digits or dashes, e.g. PRT or SYMP-NL."), "code")
        if session.scalar(select(ProcedureType.id).where(func.upper(ProcedureType.code) == code)):
            raise invalid(N_("The code {code_value} is taken."), "code", code_value=code)
    for field, refusal in (("name_en", N_("Give the English name.")), ("name_de", N_("Give the German name."))):
        if not (getattr(fields, field) or "").strip():
            raise invalid(refusal, field)
    if fields.modality not in Modality.values():
        raise invalid(N_("Choose the guidance: CT or MRI."), "modality")
    if fields.table_minutes not in TABLE_MINUTE_CHOICES:
        raise invalid(N_("The table time is 15, 20, 25 or 30 minutes."), "table_minutes")
    if not 0 <= fields.observation_minutes <= MAX_OBSERVATION_MINUTES:
        raise invalid(N_("Observation lasts 0 to 60 minutes."), "observation_minutes")
    for field in ("extra_minutes_per_level", "extra_minutes_per_side"):
        if not 0 <= getattr(fields, field) <= MAX_EXTRA_MINUTES:
            raise invalid(N_("Extra minutes are 0 to {max_extra_minutes}."), field, max_extra_minutes=MAX_EXTRA_MINUTES)
    if not 0 <= fields.fasting_hours <= 12:
        raise invalid(N_("Fasting is 0 to 12 hours (0: a light meal is fine)."), "fasting_hours")
    if fields.bleeding_class not in BleedingClass.values():
        raise invalid(N_("Choose the bleeding class: low, intermediate or high."), "bleeding_class")
    if fields.bleeding_class_cervical not in (None, *BleedingClass.values()):
        raise invalid(
            N_("Choose the cervical bleeding class, or leave it as for other regions."), "bleeding_class_cervical"
        )


def _apply(procedure: ProcedureType, fields: ProcedureFields) -> None:
    procedure.name_en = fields.name_en.strip()
    procedure.name_de = fields.name_de.strip()
    procedure.modality = fields.modality
    procedure.table_minutes = fields.table_minutes
    procedure.observation_minutes = fields.observation_minutes
    procedure.extra_minutes_per_level = fields.extra_minutes_per_level
    procedure.extra_minutes_per_side = fields.extra_minutes_per_side
    procedure.bleeding_class = fields.bleeding_class
    procedure.bleeding_class_cervical = fields.bleeding_class_cervical or None
    procedure.needs_side = fields.needs_side
    procedure.needs_levels = fields.needs_levels
    procedure.needs_stage = fields.needs_stage
    procedure.fasting_hours = fields.fasting_hours
    procedure.sort_order = fields.sort_order


def create_procedure(session: Session, actor, fields: ProcedureFields) -> ProcedureType:
    procedure = ProcedureType(code=normalise_code(fields.code), active=True)
    return save_row(session, procedure, fields, check_fields, _apply, new=True)


def update_procedure(session: Session, actor, procedure: ProcedureType, fields: ProcedureFields) -> ProcedureType:
    return save_row(session, procedure, fields, check_fields, _apply, new=False)


def set_active(session: Session, actor, procedure: ProcedureType, active: bool) -> ProcedureType:
    """Switch a procedure off (no new bookings; booked appointments keep it) or on again."""
    return switch_active(session, actor, procedure, active)


# --- qualified radiologists -----------------------------------------------------------------------


def radiologists(session: Session) -> list[User]:
    """Everyone with the radiologist role, active ones first."""
    return list(
        session.scalars(
            select(User)
            .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.RADIOLOGIST))
            .order_by(User.active.desc(), User.full_name)
        )
    )


def qualified_ids(session: Session, procedure: ProcedureType) -> set[int]:
    return {u.id for u in radiologists(session) if u.is_qualified_for(procedure.id)}


def set_qualified(session: Session, actor, procedure: ProcedureType, user_ids: set[int]) -> None:
    """Exactly these radiologists are qualified for ``procedure`` (changed through each user)."""
    candidates = {u.id: u for u in radiologists(session)}
    unknown = set(user_ids) - set(candidates)
    if unknown:
        raise invalid(N_("Only radiologists can be qualified for a procedure."), "radiologists")
    for user_id, user in candidates.items():
        has = user.is_qualified_for(procedure.id)
        if user_id in user_ids and not has:
            user.qualifications = [*user.qualifications, procedure]
        elif user_id not in user_ids and has:
            user.qualifications = [p for p in user.qualifications if p.id != procedure.id]
    session.flush()


# --- stage rules ----------------------------------------------------------------------------------


def add_stage_rule(
    session: Session,
    actor,
    procedure: ProcedureType,
    *,
    stage: str | None,
    requires_procedure_type_id: int,
    requires_stage: str | None,
) -> StageRule:
    """Booking ``procedure`` (at ``stage``, or at any stage) needs a positive earlier procedure."""
    for value, field in ((stage, "stage"), (requires_stage, "requires_stage")):
        if value is not None and value not in Stage.values():
            raise invalid(N_("Choose a stage from the list."), field)
    required = session.get(ProcedureType, requires_procedure_type_id)
    if required is None:
        raise invalid(N_("Choose the procedure that has to come first."), "requires_procedure_type_id")
    if required.id == procedure.id and (stage is None or stage == requires_stage):
        raise invalid(N_("A procedure cannot require itself at the same stage."), "requires_stage")
    if any(rule.stage == stage for rule in procedure.stage_rules):
        which = Phrase(N_("the {stage} stage"), stage=stage) if stage else Phrase(N_("every stage"))
        raise invalid(
            N_("There is already a rule for {which} of {code_value}; remove it first."),
            "stage",
            which=which,
            code_value=procedure.code,
        )
    rule = StageRule(stage=stage, requires_procedure_type_id=required.id, requires_stage=requires_stage)
    procedure.stage_rules.append(rule)
    session.flush()
    return rule


def remove_stage_rule(session: Session, actor, procedure: ProcedureType, rule_id: int) -> None:
    rule = next((r for r in procedure.stage_rules if r.id == rule_id), None)
    if rule is None:
        raise DomainError(N_("This rule does not belong to this procedure."))
    procedure.stage_rules.remove(rule)
    session.flush()
