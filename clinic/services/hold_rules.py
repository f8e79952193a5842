"""The medication hold table: drug × dose class × bleeding class → hold and restart times.

Rows are clinic data seeded from ASRA 2018. Each row is marked as verified by a named clinician, or
not; changing what a verified row says (action, hours, INR) clears the mark, because the clinician
verified the old figures. The screens that use the rows show unverified ones as such (see
``clinic.services.medication.HoldPlan.unverified``). Flush only; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, invalid
from ..core.messages import N_
from ..models import AnticoagulantRule
from ..models.base import utcnow
from ..models.vocab import BleedingClass, HoldAction
from .medication import DOSE_CLASS_LABELS

MAX_HOURS = 30 * 24
DRUG_CODE = re.compile(r"^[a-z0-9_]{2,40}$")
EVIDENCE = {"V": N_("verified in a primary source"), "S": N_("from a secondary summary"), "U": N_("unverified")}
# The figures a clinician signs off; a change to any of them clears the verification.
CHECKED_FIELDS = ("action", "hold_hours", "restart_hours", "requires_inr")


@dataclass(frozen=True)
class RuleFields:
    action: str
    hold_hours: int | None
    restart_hours: int | None
    requires_inr: bool
    note: str | None
    evidence: str = "U"
    note_de: str | None = None  # the note in German (``note`` is the English one)


@dataclass
class DrugRow:
    """One line of the table: a drug at a dose class, with its rule per bleeding class."""

    drug_code: str
    drug_name: str
    dose_class: str
    rules: dict[str, AnticoagulantRule] = field(default_factory=dict)

    @property
    def dose_label(self) -> str:
        return DOSE_CLASS_LABELS.get(self.dose_class, self.dose_class)

    @property
    def unverified(self) -> int:
        return sum(1 for r in self.rules.values() if not r.verified)


def table(session: Session, *, search: str = "", unverified_only: bool = False, language: str = "en") -> list[DrugRow]:
    """One row per drug and dose class, named and sorted in ``language`` (the screen's)."""
    stmt = select(AnticoagulantRule).order_by(
        AnticoagulantRule.drug_name_en, AnticoagulantRule.dose_class, AnticoagulantRule.bleeding_class
    )
    search = search.strip().lower()
    if search:
        like = f"%{search}%"
        stmt = stmt.where(
            or_(
                func.lower(AnticoagulantRule.drug_name_en).like(like),
                func.lower(AnticoagulantRule.drug_name_de).like(like),
                func.lower(AnticoagulantRule.drug_code).like(like),
            )
        )
    rows: dict[tuple[str, str], DrugRow] = {}
    for rule in session.scalars(stmt):
        key = (rule.drug_code, rule.dose_class)
        row = rows.setdefault(key, DrugRow(rule.drug_code, rule.drug_name(language), rule.dose_class))
        row.rules[rule.bleeding_class] = rule
    result = sorted(rows.values(), key=lambda row: row.drug_name.casefold())  # stable: dose classes keep their order
    if unverified_only:
        result = [r for r in result if r.unverified]
    return result


def counts(session: Session) -> dict[str, int]:
    by_state: dict[str, int] = defaultdict(int)
    for verified_by in session.scalars(select(AnticoagulantRule.verified_by)):
        by_state["verified" if verified_by else "unverified"] += 1
    return dict(by_state)


def check_fields(fields: RuleFields) -> None:
    if fields.action not in HoldAction.values():
        raise invalid(N_("Choose hold, no hold or shared assessment."), "action")
    for name, value in (("hold_hours", fields.hold_hours), ("restart_hours", fields.restart_hours)):
        if value is not None and not 0 <= value <= MAX_HOURS:
            raise invalid(N_("Hours are between 0 and {max_hours} (30 days)."), name, max_hours=MAX_HOURS)
    if fields.action == HoldAction.HOLD and not fields.hold_hours:
        raise invalid(N_("A hold needs the number of hours before the procedure."), "hold_hours")
    if fields.action != HoldAction.HOLD and fields.hold_hours:
        raise invalid(N_("Only a hold has hours before the procedure; leave this empty."), "hold_hours")
    if fields.requires_inr and fields.action != HoldAction.HOLD:
        raise invalid(N_("An INR check belongs to a hold."), "requires_inr")
    if fields.evidence not in EVIDENCE:
        raise invalid(N_("Choose the kind of evidence."), "evidence")


def update_rule(session: Session, actor, rule: AnticoagulantRule, fields: RuleFields) -> bool:
    """Change a row. Returns True when a verification was cleared because the figures changed."""
    check_fields(fields)
    before = tuple(getattr(rule, name) for name in CHECKED_FIELDS)
    rule.action = fields.action
    rule.hold_hours = fields.hold_hours
    rule.restart_hours = fields.restart_hours
    rule.requires_inr = fields.requires_inr
    rule.note = (fields.note or "").strip() or None
    rule.note_de = (fields.note_de or "").strip() or None
    rule.evidence = fields.evidence
    changed = before != tuple(getattr(rule, name) for name in CHECKED_FIELDS)
    cleared = changed and rule.verified
    if cleared:
        rule.verified_by = None
        rule.verified_at = None
    session.flush()
    return cleared


def create_rule(
    session: Session,
    actor,
    *,
    drug_code: str,
    drug_name_en: str,
    drug_name_de: str,
    dose_class: str,
    bleeding_class: str,
    fields: RuleFields,
) -> AnticoagulantRule:
    drug_code = (drug_code or "").strip().lower()
    if not DRUG_CODE.match(drug_code):
        raise invalid(N_("A drug code is 2 to 40 small letters, digits or underscores, e.g. rivaroxaban."), "drug_code")
    if not (drug_name_en or "").strip() or not (drug_name_de or "").strip():
        raise invalid(N_("Give the drug's name in English and German."), "drug_name_en")
    if dose_class not in DOSE_CLASS_LABELS:
        raise invalid(N_("Choose a dose class from the list."), "dose_class")
    if bleeding_class not in BleedingClass.values():
        raise invalid(N_("Choose the bleeding class."), "bleeding_class")
    check_fields(fields)
    exists = session.scalar(
        select(AnticoagulantRule.id).where(
            AnticoagulantRule.drug_code == drug_code,
            AnticoagulantRule.dose_class == dose_class,
            AnticoagulantRule.bleeding_class == bleeding_class,
        )
    )
    if exists:
        raise invalid(
            N_("There is already a row for this drug, dose class and bleeding class; edit it."), "bleeding_class"
        )
    rule = AnticoagulantRule(
        drug_code=drug_code,
        drug_name_en=drug_name_en.strip(),
        drug_name_de=drug_name_de.strip(),
        dose_class=dose_class,
        bleeding_class=bleeding_class,
        action=fields.action,
        hold_hours=fields.hold_hours,
        restart_hours=fields.restart_hours,
        requires_inr=fields.requires_inr,
        note=(fields.note or "").strip() or None,
        note_de=(fields.note_de or "").strip() or None,
        evidence=fields.evidence,
    )
    session.add(rule)
    session.flush()
    return rule


def verify(session: Session, actor, rule: AnticoagulantRule, clinician: str, at: dt.datetime | None = None) -> None:
    """Mark the row as checked by the named clinician (who need not have an account)."""
    clinician = (clinician or "").strip()
    if len(clinician) < 3:
        raise invalid(N_("Type the full name of the clinician who checked this row."), "clinician")
    if len(clinician) > 120:
        raise invalid(N_("The name is at most 120 characters."), "clinician")
    rule.verified_by = clinician
    rule.verified_at = at or utcnow()
    session.flush()
    audit.record(
        session, "anticoagulant_rules.verified", "anticoagulant_rules", rule.id, summary={"by": clinician}, actor=actor
    )


def unverify(session: Session, actor, rule: AnticoagulantRule) -> None:
    if not rule.verified:
        raise DomainError(N_("This row is not marked as verified."))
    rule.verified_by = None
    rule.verified_at = None
    session.flush()
    audit.record(session, "anticoagulant_rules.unverified", "anticoagulant_rules", rule.id, actor=actor)
