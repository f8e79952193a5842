"""Medication holds: from the drug, its dose class and the procedure's bleeding class to dates.

The rules are clinic data (``AnticoagulantRule``, seeded from ASRA 2018, editable by an admin). A
hold of N hours means at least N hours between the last dose and the procedure; on calendar days
that is ``ceil(N / 24)`` days, so a patient who takes the last dose on the 1st may be treated from
the 1st + N days. Every hold (and every "shared assessment") carries "confirm with the prescriber":
stopping a blood thinner is decided with whoever prescribed it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AnticoagulantRule, MedicationEntry, PreRegistration, ProcedureType
from ..models.vocab import BleedingClass, HoldAction

NO_RULE = "no_rule"

DOSE_CLASS_LABELS = {
    "": "any dose",
    "primary": "primary prevention",
    "secondary": "secondary prevention",
    "prophylactic": "prophylactic dose",
    "therapeutic": "therapeutic dose",
    "iv": "intravenous",
    "sc": "subcutaneous",
    "renal_impaired": "impaired kidney function",
}


def hold_days(hours: int) -> int:
    return max(1, math.ceil(hours / 24))


@dataclass(frozen=True)
class HoldItem:
    drug_code: str
    drug_name: str
    dose_class: str
    action: str  # a HoldAction value, or NO_RULE
    hold_hours: int | None
    restart_hours: int | None
    requires_inr: bool
    verified: bool
    verified_by: str | None
    note: str | None
    last_dose_on: dt.date | None

    @property
    def holds(self) -> bool:
        return self.action == HoldAction.HOLD and bool(self.hold_hours)

    @property
    def days(self) -> int:
        return hold_days(self.hold_hours) if self.holds and self.hold_hours else 0

    @property
    def confirm_with_prescriber(self) -> bool:
        return self.action in (HoldAction.HOLD, HoldAction.SHARED, NO_RULE)

    @property
    def needs_decision(self) -> bool:
        """No rule covers this drug at this bleeding class: a radiologist has to decide."""
        return self.action == NO_RULE

    def earliest_procedure_date(self, today: dt.date) -> dt.date | None:
        if not self.holds:
            return None
        # A patient still taking the drug can, at the soonest, take the last dose today.
        last = self.last_dose_on if self.last_dose_on is not None else today
        return last + dt.timedelta(days=self.days)

    def last_day_to_take(self, procedure_date: dt.date) -> dt.date | None:
        if not self.holds:
            return None
        return procedure_date - dt.timedelta(days=self.days)

    def satisfied_on(self, procedure_date: dt.date) -> bool:
        """Whether a procedure on this date respects the hold. Without a recorded last dose the
        letter tells the patient the last day to take it, so the date is met by construction."""
        if not self.holds or self.last_dose_on is None:
            return True
        return self.last_dose_on + dt.timedelta(days=self.days) <= procedure_date

    def restart_from(self, procedure_end: dt.datetime) -> dt.datetime | None:
        if self.action == HoldAction.NO_HOLD or self.restart_hours is None:
            return None
        return procedure_end + dt.timedelta(hours=self.restart_hours)

    @property
    def summary(self) -> str:
        if self.action == NO_RULE:
            return "no rule for this drug and procedure: a radiologist decides"
        if self.action == HoldAction.NO_HOLD:
            return "no hold needed"
        if self.action == HoldAction.SHARED:
            return "shared assessment with the prescriber; no routine hold"
        unit = f"{self.hold_hours} hours" if (self.hold_hours or 0) < 48 else f"{self.days} days"
        text = f"hold {unit}"
        if self.requires_inr:
            text += " and check INR"
        return text


@dataclass(frozen=True)
class HoldPlan:
    bleeding_class: BleedingClass
    items: list[HoldItem] = field(default_factory=list)
    override_date: dt.date | None = None
    override_reason: str | None = None

    def earliest_date(self, today: dt.date) -> dt.date | None:
        """The first procedure date the holds allow; a radiologist's override replaces it."""
        if self.override_date is not None:
            return self.override_date
        dates = [d for d in (i.earliest_procedure_date(today) for i in self.items) if d]
        return max(dates) if dates else None

    def satisfied_on(self, procedure_date: dt.date) -> bool:
        if self.override_date is not None:
            return self.override_date <= procedure_date
        return not self.undecided and all(i.satisfied_on(procedure_date) for i in self.items)

    @property
    def undecided(self) -> list[HoldItem]:
        if self.override_date is not None:
            return []
        return [i for i in self.items if i.needs_decision]

    @property
    def unverified(self) -> list[HoldItem]:
        return [i for i in self.items if i.action != NO_RULE and not i.verified]


def effective_bleeding_class(procedure_type: ProcedureType, region: str | None, raised: bool) -> BleedingClass:
    base = procedure_type.bleeding_class_for(region)
    return base.raised() if raised else base


def rules_for(session: Session, drug_codes: set[str], bleeding_class: BleedingClass) -> list[AnticoagulantRule]:
    if not drug_codes:
        return []
    return list(
        session.scalars(
            select(AnticoagulantRule).where(
                AnticoagulantRule.drug_code.in_(drug_codes),
                AnticoagulantRule.bleeding_class == bleeding_class.value,
            )
        )
    )


def pick_rule(rules: list[AnticoagulantRule], drug_code: str, dose_class: str) -> AnticoagulantRule | None:
    """The rule for the exact dose class, else the one for any dose."""
    matching = [r for r in rules if r.drug_code == drug_code and r.dose_class in (dose_class or "", "")]
    matching.sort(key=lambda r: r.dose_class != (dose_class or ""))
    return matching[0] if matching else None


def find_rule(
    session: Session, drug_code: str, dose_class: str, bleeding_class: BleedingClass
) -> AnticoagulantRule | None:
    return pick_rule(rules_for(session, {drug_code}, bleeding_class), drug_code, dose_class)


def item_for(
    session: Session,
    entry: MedicationEntry,
    bleeding_class: BleedingClass,
    language: str = "en",
    rules: list[AnticoagulantRule] | None = None,
) -> HoldItem:
    if rules is None:
        rules = rules_for(session, {entry.drug_code}, bleeding_class)
    rule = pick_rule(rules, entry.drug_code, entry.dose_class)
    if rule is None:
        name = drug_names(session).get(entry.drug_code, (entry.drug_code, entry.drug_code))
        return HoldItem(
            entry.drug_code,
            name[1 if language == "de" else 0],
            entry.dose_class,
            NO_RULE,
            None,
            None,
            False,
            False,
            None,
            None,
            entry.last_dose_on,
        )
    return HoldItem(
        drug_code=entry.drug_code,
        drug_name=rule.drug_name(language),
        dose_class=entry.dose_class,
        action=rule.action,
        hold_hours=rule.hold_hours,
        restart_hours=rule.restart_hours,
        requires_inr=rule.requires_inr,
        verified=rule.verified,
        verified_by=rule.verified_by,
        note=rule.note,
        last_dose_on=entry.last_dose_on,
    )


def plan_for(
    session: Session,
    prereg: PreRegistration,
    procedure_type: ProcedureType,
    region: str | None,
    language: str = "en",
) -> HoldPlan:
    referral = prereg.referral
    bleeding = effective_bleeding_class(procedure_type, region, prereg.raised_bleeding_risk)
    rules = rules_for(session, {e.drug_code for e in prereg.medications}, bleeding)
    return HoldPlan(
        bleeding_class=bleeding,
        items=[item_for(session, e, bleeding, language, rules) for e in prereg.medications],
        override_date=referral.hold_override_date if referral else None,
        override_reason=referral.hold_override_reason if referral else None,
    )


def drug_names(session: Session) -> dict[str, tuple[str, str]]:
    """drug code → (English name, German name), from the rules table."""
    rows = session.execute(
        select(AnticoagulantRule.drug_code, AnticoagulantRule.drug_name_en, AnticoagulantRule.drug_name_de)
    ).all()
    return {code: (en, de) for code, en, de in rows}


def dose_classes(session: Session) -> dict[str, list[str]]:
    """drug code → the dose classes the rules distinguish ("" alone when dose does not matter)."""
    result: dict[str, set[str]] = {}
    for code, dose in session.execute(select(AnticoagulantRule.drug_code, AnticoagulantRule.dose_class)).all():
        result.setdefault(code, set()).add(dose)
    return {code: sorted(doses) for code, doses in result.items()}
