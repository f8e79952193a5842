"""Medication holds: from the drug, its dose class and the procedure's bleeding class to moments.

The rules are clinic data (``AnticoagulantRule``, seeded from ASRA 2018, editable by an admin). A
hold of N hours means at least N hours between the last dose and the planned table start (DESIGN.md
§4, invariant 6). All arithmetic is on UTC instants (the table start minus N hours), shown in the
clinic's zone only when printed, so a daylight-saving change never shortens a hold. A last dose
recorded only by its date counts as taken at the end of that day. Every hold (and every "shared
assessment") carries "confirm with the prescriber": stopping a blood thinner is decided with
whoever prescribed it. A rule no physician has signed off is never told to a patient as settled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit, changes
from ..core.errors import DomainError

# The arithmetic lives in .holds; callers import it from here too (explicit re-exports).
from ..core.holds import CALL_SOON as CALL_SOON
from ..core.holds import NO_RULE as NO_RULE
from ..core.holds import HoldItem as HoldItem
from ..core.holds import HoldPlan as HoldPlan
from ..core.holds import drug_list
from ..core.holds import end_of_day as end_of_day
from ..core.holds import hold_days as hold_days
from ..core.messages import N_
from ..core.timefmt import fmt_datetime
from ..models import (
    AnticoagulantRule,
    Appointment,
    MedicationEntry,
    PreRegistration,
    ProcedureType,
    Referral,
    User,
)
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus, BleedingClass, HoldAction, Role
from ..scheduling.plan import ProcedurePlan

# English, marked for the catalogue: a screen shows a label through gettext.
DOSE_CLASS_LABELS = {
    "": N_("any dose"),
    "primary": N_("primary prevention"),
    "secondary": N_("secondary prevention"),
    "prophylactic": N_("prophylactic dose"),
    "therapeutic": N_("therapeutic dose"),
    "iv": N_("intravenous"),
    "sc": N_("subcutaneous"),
    "renal_impaired": N_("impaired kidney function"),
}


# The non-aspirin NSAIDs of the hold rules (content/hold_rules.toml; ASRA 2018's "NSAIDs (non-aspirin)" row):
# painkillers, not blood thinners. Every other recorded drug (the anticoagulants, the antiplatelets with aspirin,
# cilostazol and dipyridamole, and a drug without a rule such as phenprocoumon) counts as an antithrombotic.
NSAIDS = frozenset({"ibuprofen", "diclofenac", "naproxen", "meloxicam", "piroxicam"})


def several_antithrombotics(drug_codes) -> bool:
    """Whether two or more different antithrombotic drugs are recorded (``NSAIDS`` left out; one drug at two
    dose classes counts once). procedures.md §1.1: concurrent antithrombotics raise the bleeding risk, so the
    procedure is handled one tier higher (walk 27: the desk had to tick "raised bleeding risk" itself)."""
    return len({code for code in drug_codes if code not in NSAIDS}) >= 2


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


def rules_for_any(session: Session, drug_codes: set[str]) -> list[AnticoagulantRule]:
    """The rules of these drugs at every bleeding class, for lists that plan many patients at once."""
    if not drug_codes:
        return []
    return list(session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code.in_(drug_codes))))


def pick_rule(rules: list[AnticoagulantRule], drug_code: str, dose_class: str) -> AnticoagulantRule | None:
    """The rule for the exact dose class, else the one for any dose."""
    matching = [r for r in rules if r.drug_code == drug_code and r.dose_class in (dose_class or "", "")]
    matching.sort(key=lambda r: r.dose_class != (dose_class or ""))
    return matching[0] if matching else None


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
            names=name,
            recorded_at=entry.created_at,
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
        note=rule.note_in(language),
        last_dose_on=entry.last_dose_on,
        injected=rule.injected,
        names=(rule.drug_name_en, rule.drug_name_de),
        recorded_at=entry.created_at,
    )


def plan_for(
    session: Session,
    prereg: PreRegistration,
    procedure_type: ProcedureType,
    region: str | None,
    language: str = "en",
    *,
    rules: list[AnticoagulantRule] | None = None,
) -> HoldPlan:
    """``rules``: the drug rules read beforehand for many patients (``rules_for_any``), else read here."""
    referral = prereg.referral
    several = several_antithrombotics(e.drug_code for e in prereg.medications)
    bleeding = effective_bleeding_class(procedure_type, region, prereg.raised_bleeding_risk or several)
    if rules is None:
        rules = rules_for(session, {e.drug_code for e in prereg.medications}, bleeding)
    else:
        rules = [r for r in rules if r.bleeding_class == bleeding.value]
    plan = HoldPlan(
        bleeding_class=bleeding,
        items=[item_for(session, e, bleeding, language, rules) for e in prereg.medications],
        override_date=referral.hold_override_date if referral else None,
        override_reason=referral.hold_override_reason if referral else None,
        override_by=_name(session, referral.hold_override_by_id) if referral else None,
        raised_for_several=several and bleeding != procedure_type.bleeding_class_for(region),
    )
    if referral is not None and referral.hold_plan_confirmed_key:
        who = _name(session, referral.hold_plan_confirmed_by_id) or "?"
        if plan.confirmed_as(referral.hold_plan_confirmed_key):
            plan = replace(plan, confirmed_by=who, confirmed_at=referral.hold_plan_confirmed_at)
        else:  # confirmed before a drug, its rule or a recorded last dose changed: to be confirmed again
            plan = replace(plan, lapsed_by=who, lapsed_at=referral.hold_plan_confirmed_at)
    return plan


def referral_plan(session: Session, referral: Referral, language: str = "en") -> HoldPlan | None:
    """The hold plan of a referral's planned procedure (None until a radiologist has planned one, or once
    the episode has ended): the drugs, their rules and the earliest day."""
    prereg = referral.preregistration
    if prereg is None or referral.planned_procedure_type is None or referral.has_ended:
        return None
    return plan_for(session, prereg, referral.planned_procedure_type, referral.planned_region, language)


def has_drug_to_hold(referral: Referral, plan: HoldPlan | None) -> bool:
    """Whether the referral's patient takes a blood thinner whose hold a radiologist could override: one is
    recorded and, once a procedure is planned, its rule holds it, leaves it to be assessed, or is missing
    (a drug that is simply continued sets no date to override). No blood thinner: nothing to override."""
    prereg = referral.preregistration
    if prereg is None or not prereg.medications:
        return False
    return plan is None or any(item.action != HoldAction.NO_HOLD for item in plan.items)


def _name(session: Session, user_id: int | None) -> str | None:
    """A user's name by id (the relationship may still hold what it loaded before the id was set)."""
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else None


def confirm_plan(session: Session, actor, referral: Referral, zone: str) -> HoldPlan:
    """A radiologist confirms this patient's medication plan for the planned procedure, as it stands
    (after talking to the patient and, where needed, the prescriber). Letters then print its moments as
    settled even where a rule is not signed off yet. Any later change to the plan's figures lapses it."""
    who = audit.actor_of(actor)
    user = session.get(User, who.id) if who.id else None
    if user is None or not user.has_role(Role.RADIOLOGIST):
        raise DomainError(N_("Only a radiologist confirms a patient's medication plan."), code="forbidden")
    ProcedurePlan.from_referral(referral)  # refuses a referral without a planned procedure (NotPlanned)
    prereg = referral.preregistration
    if prereg is None or not prereg.medications:
        raise DomainError(N_("There is no medication to confirm."), code="invalid_state")
    plan = plan_for(session, prereg, referral.planned_procedure_type, referral.planned_region)
    if plan.undecided:
        names = drug_list(plan.undecided)
        raise DomainError(
            N_("No rule covers {names} for this procedure: set the earliest date (override) or add a rule first."),
            code="medication_undecided",
            names=names,
        )
    if broken := broken_holds(session, referral, zone):
        appointment, items = broken[0]
        raise DomainError(
            N_(
                "The recorded last dose of {drugs} comes too late for the hold before the appointment on {when}: "
                "correct the date after speaking with the patient, or move the appointment. The plan was not "
                "confirmed."
            ),
            code="hold_broken",
            drugs=", ".join(i.drug_name for i in items),
            when=fmt_datetime(appointment.table_start, zone),
        )
    referral.hold_plan_confirmed_by_id = who.id
    referral.hold_plan_confirmed_at = utcnow()
    referral.hold_plan_confirmed_key = plan.key
    session.flush()
    audit.record(
        session,
        "referral.hold_plan_confirmed",
        "referrals",
        referral.id,
        patient_id=referral.patient_id,
        summary={"plan": plan.key[:200]},
        actor=actor,
    )
    return plan_for(session, prereg, referral.planned_procedure_type, referral.planned_region)


def lapse_for_move(session: Session, actor, appointment: Appointment, old_start: dt.datetime) -> None:
    """A booked appointment moved from ``old_start`` to its new time: a radiologist's confirmation of the
    referral's medication plan that still counted was given for the old date, so it lapses (the screens ask for
    it again, the letter calls instead of printing unsigned figures as settled). Walk 27: booked 17.12.2026, the
    last apixaban dose recorded for 06.12; moved to 29.03.2027, the letter still said the pause was kept."""
    referral = appointment.referral
    if referral is None or referral.hold_plan_confirmed_key is None or appointment.table_start == old_start:
        return
    plan = referral_plan(session, referral)
    if plan is None or not plan.confirmed:  # lapsed already, or nothing planned: nothing that still counts
        return
    referral.hold_plan_confirmed_key = HoldPlan.moved_key(referral.hold_plan_confirmed_key)
    session.flush()
    audit.record(
        session,
        "referral.hold_plan_lapsed",
        "referrals",
        referral.id,
        patient_id=referral.patient_id,
        summary={"table_start": appointment.table_start.isoformat()},
        actor=actor,
    )


def broken_holds(
    session: Session, referral: Referral, zone: str, language: str = "en"
) -> list[tuple[Appointment, list[HoldItem]]]:
    """The referral's coming appointments (booked or checked in) whose hold a recorded last dose breaks
    (``HoldPlan.broken_for``), each with those drugs, in time order. Recording the drugs after the
    booking can do that; the screens say so at once, and a plan that breaks a hold is not confirmed."""
    prereg = referral.preregistration
    if prereg is None or not prereg.medications:
        return []
    found = []
    for appointment in session.scalars(
        select(Appointment)
        .where(
            Appointment.referral_id == referral.id,
            Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN]),
        )
        .order_by(Appointment.table_start, Appointment.id)
    ):
        plan = plan_for(session, prereg, appointment.procedure_type, appointment.region, language)
        broken = plan.broken_for(appointment.table_start, zone)
        if broken:
            found.append((appointment, broken))
    return found


# Drugs the questionnaires offer although no hold rule covers them: recorded, they stand in the plan as
# "no rule: a radiologist decides" and the letter announces a call (NO_RULE); no hold hours are invented.
# Phenprocoumon (Marcumar) is the usual vitamin-K antagonist in Germany; the clinical facts file has no
# row for it. A rule added for such a drug later takes over its name and dose classes.
DRUGS_WITHOUT_RULE: dict[str, tuple[str, str]] = {
    "phenprocoumon": ("Phenprocoumon (Marcumar)", "Phenprocoumon (Marcumar)"),
}


def _rule_rows(session: Session) -> list:
    """(drug code, English name, German name, dose class) of each rule: the drugs' names and their dose
    classes from one read, kept for the transaction (a referral page wants both: it read the table twice)."""
    return changes.once_per_transaction(
        session,
        "clinic.medication.rule_rows",
        lambda: session.execute(
            select(
                AnticoagulantRule.drug_code,
                AnticoagulantRule.drug_name_en,
                AnticoagulantRule.drug_name_de,
                AnticoagulantRule.dose_class,
            )
        ).all(),
    )


def drug_names(session: Session) -> dict[str, tuple[str, str]]:
    """drug code → (English name, German name), from the rules table (and ``DRUGS_WITHOUT_RULE``)."""
    return {**DRUGS_WITHOUT_RULE, **{code: (en, de) for code, en, de, _dose in _rule_rows(session)}}


def drug_choices(session: Session, language: str = "en", translate=lambda text: text) -> dict[str, str]:
    """What the medication questionnaire offers: each drug once when its rules do not depend on the dose,
    else once per dose class the rules know ("Heparin (unfractionated): subcutaneous"). Values are
    "code|dose class"; the drug's name in ``language`` (English or German, from the rules table) and the
    dose class through ``translate`` (the screen's gettext), sorted."""
    names = drug_names(session)
    choices = []
    for code, doses in dose_classes(session).items():
        en, de = names.get(code, (code, code))
        name = (de or en) if language == "de" else en
        if doses == [""]:
            choices.append((f"{code}|", name))
        else:
            choices += [(f"{code}|{d}", f"{name}: {translate(DOSE_CLASS_LABELS.get(d, d))}") for d in doses]
    return dict(sorted(choices, key=lambda choice: choice[1].casefold()))


def dose_classes(session: Session) -> dict[str, list[str]]:
    """drug code → the dose classes the rules distinguish ("" alone when dose does not matter); a drug
    of ``DRUGS_WITHOUT_RULE`` with no rule yet has "" alone."""
    result: dict[str, set[str]] = {}
    for code, _en, _de, dose in _rule_rows(session):
        result.setdefault(code, set()).add(dose)
    for code in DRUGS_WITHOUT_RULE:  # recordable, with any dose: the plan has no rule for it
        result.setdefault(code, {""})
    return {code: sorted(doses) for code, doses in result.items()}


@dataclass(frozen=True)
class CallDue:
    """A row of the front desk's call list: the appointment, its medication plan, and the drugs whose
    recorded last dose comes too late for the hold (``HoldPlan.broken_for``; empty when none does)."""

    appointment: Appointment
    plan: HoldPlan
    broken: list[HoldItem]


def awaiting_confirmation(
    session: Session, start: dt.datetime, end: dt.datetime, zone: str, language: str = "en"
) -> list[CallDue]:
    """Booked appointments in ``[start, end)`` for which the clinic has to call about the medication: the
    plan still waits for the telephone confirmation (a rule not signed off, a shared assessment or no rule,
    and no radiologist's confirmation of the plan), or a recorded last dose comes too late for the hold
    (the appointment goes ahead only if that is corrected, overridden or the appointment moved). Walk
    finding: such a date, given at the desk or through the patient's link, said so once on the screen and
    then stood on no list, though the letter promised the patient a call. In the order the calls are due:
    a broken hold first, then ``HoldPlan.call_by`` (the first drug to stop comes first, not the first
    appointment). Only appointments of patients with medication are looked at. ``language``: of the drug
    names (the screen's)."""
    with_medication = (
        select(Appointment)
        .join(PreRegistration, PreRegistration.referral_id == Appointment.referral_id)
        .join(MedicationEntry, MedicationEntry.preregistration_id == PreRegistration.id)
        .where(
            Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN]),
            Appointment.table_start >= start,
            Appointment.table_start < end,
        )
        .order_by(Appointment.table_start, Appointment.id)
        .distinct()
    )
    found = []
    for appointment in session.scalars(with_medication):
        prereg = appointment.referral.preregistration
        plan = plan_for(session, prereg, appointment.procedure_type, appointment.region, language)
        broken = plan.broken_for(appointment.table_start, zone)
        # A last dose long before the hold (``HoldPlan.stale_for``): the letter promised a call about when to stop.
        if plan.awaiting_confirmation or broken or plan.stale_for(appointment.table_start, zone):
            found.append(CallDue(appointment, plan, broken))
    found.sort(
        key=lambda row: (not row.broken, row.plan.call_by(row.appointment.table_start, zone), row.appointment.id)
    )
    return found


# An appointment that is over: its procedure done (or under observation), or cancelled or missed and its time
# past. Its page shows the drugs as they were known for it, not the referral's current list (walk 27: a blood
# thinner recorded weeks after a procedure showed on that procedure's page, as if it had been done under it).
PROCEDURE_DONE = frozenset({AppointmentStatus.IN_OBSERVATION, AppointmentStatus.DISCHARGED})
NOT_DONE = frozenset({AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED})


def is_over(appointment: Appointment, now: dt.datetime) -> bool:
    """Its procedure done (or under observation), or cancelled or missed and its time past."""
    status = appointment.status
    return status in PROCEDURE_DONE or (status in NOT_DONE and appointment.table_end <= now)


@dataclass(frozen=True)
class PlanAtAppointment:
    """The medication plan a page shows for an appointment. ``as_of``: the moment it stands at, for an appointment
    that is over (the recorded end of its procedure, else its planned end), None for the current plan;
    ``recorded_since``: the drugs recorded on the referral after that moment, not part of the appointment."""

    plan: HoldPlan
    as_of: dt.datetime | None = None
    recorded_since: tuple[HoldItem, ...] = ()


def plan_at_appointment(
    plan: HoldPlan, appointment: Appointment, ended_at: dt.datetime | None, now: dt.datetime
) -> PlanAtAppointment:
    """``plan`` (the referral's, as it is now) as it stood for ``appointment`` (``HoldPlan.as_of``, as the discharge
    sheet and the restart calls read it); an appointment still to come or under way: the plan as it is."""
    if not is_over(appointment, now):
        return PlanAtAppointment(plan)
    moment = ended_at or appointment.table_end
    then = plan.as_of(moment)
    kept = {id(item) for item in then.items}
    return PlanAtAppointment(then, moment, tuple(item for item in plan.items if id(item) not in kept))
