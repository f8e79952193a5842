"""Settling the pre-registration items one by one; each records who settled it and when. A declined or
closed referral's items no longer change (``preregistration.changeable``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session, object_session

from ..core import audit
from ..core.errors import DomainError, InvalidInput
from ..core.messages import N_
from ..core.timefmt import fmt_date, to_local
from ..models import MedicationEntry, Referral
from ..models.base import utcnow
from ..models.vocab import ALLERGENS, Language
from ..scheduling.booking import active_appointment
from . import contact, medication, preregistration


def _settle(prereg, item: str, actor) -> None:
    setattr(prereg, f"{item}_by_id", audit.actor_of(actor).id)
    setattr(prereg, f"{item}_at", utcnow())
    # The "settled by" relationship may have been loaded before; let it follow the new id.
    object_session(prereg).expire(prereg, [f"{item}_by"])


def confirm_contact(session: Session, actor, referral: Referral) -> None:
    preregistration.require_open(referral)
    patient = referral.patient
    if not (patient.has_contact_data and patient.has_insurance):
        raise DomainError(
            N_("Complete the patient's phone or email, postal address and insurance first."), code="contact_incomplete"
        )
    _settle(preregistration.changeable(session, referral), "contact_confirmed", actor)
    session.flush()


def _confirmation_counts(session: Session, referral: Referral) -> bool:
    """Whether a radiologist's confirmation of the referral's medication plan counts for the plan as it stands
    (``HoldPlan.confirmed_as``: the drugs, their rules and a paused drug's last dose as recorded then)."""
    if referral.hold_plan_confirmed_key is None:
        return False
    plan = medication.referral_plan(session, referral)
    return plan is not None and plan.confirmed


def _audit_lapse(session: Session, actor, referral: Referral, counted: bool, **changed) -> None:
    """Record that a change of the medication made the confirmation of the plan lapse (it stays on the referral,
    out of date: the screens ask the radiologist to confirm again, and the procedure does not start on it)."""
    if counted and not _confirmation_counts(session, referral):
        audit.record(
            session,
            "referral.hold_plan_lapsed",
            "referrals",
            referral.id,
            patient_id=referral.patient_id,
            summary=changed,
            actor=actor,
        )


# How far a recorded last dose may lie from the clinic's today (``check_last_dose``).
LAST_DOSE_BACK = dt.timedelta(days=365)
LAST_DOSE_AHEAD = dt.timedelta(days=90)


def check_last_dose(session: Session, referral: Referral, last_dose_on: dt.date | None, zone: str) -> None:
    """Refuse a last dose that cannot be meant (InvalidInput at the field ``last_dose_on``, code
    ``last_dose_implausible``); walk finding: 01.01.2031 was saved with only "hold not kept" beside it.

    A last dose may be taken or planned: the patient says when they will take it before the procedure. So:
    - not before the patient's birth (a slip of the year, 01.01.1900, read as a drug stopped long ago);
    - not more than a year before the clinic's today (``LAST_DOSE_BACK``): a drug stopped that long ago is no
      longer taken and would read as a hold met;
    - with an appointment (booked or under way) for the referral: not after the appointment's day, the last
      dose being the one before the procedure (on the day itself it stays possible: the plan then says the
      hold is not kept);
    - without one: at most ``LAST_DOSE_AHEAD`` (90 days) after today, as far as a booking is planned ahead.
    """
    if last_dose_on is None:
        return
    born = referral.patient.birth_date
    if born is not None and last_dose_on < born:
        raise InvalidInput(
            N_("The last dose cannot be before the patient's birth ({born}): check the year."),
            code="last_dose_before_birth",
            details={"field": "last_dose_on"},
            born=fmt_date(born),
        )
    today = to_local(utcnow(), zone).date()
    if last_dose_on < today - LAST_DOSE_BACK:
        raise InvalidInput(
            N_(
                "The last dose cannot be more than a year ago (before {day}): check the year. A blood thinner "
                "stopped that long ago is no longer taken; remove it from the list instead."
            ),
            code="last_dose_implausible",
            details={"field": "last_dose_on"},
            day=fmt_date(today - LAST_DOSE_BACK),
        )
    appointment = active_appointment(session, referral.id)
    if appointment is not None:
        day = to_local(appointment.table_start, zone).date()
        if last_dose_on > day:
            raise InvalidInput(
                N_("The last dose cannot be after the appointment on {day}: check the date."),
                code="last_dose_implausible",
                details={"field": "last_dose_on"},
                day=fmt_date(day),
            )
    elif last_dose_on > today + LAST_DOSE_AHEAD:
        raise InvalidInput(
            N_("A last dose can be planned at most {days} days ahead (until {day}): check the date."),
            code="last_dose_implausible",
            details={"field": "last_dose_on"},
            days=LAST_DOSE_AHEAD.days,
            day=fmt_date(today + LAST_DOSE_AHEAD),
        )


@dataclass(frozen=True)
class MedicationAdded:
    """The drug's entry, and whether the drug was already recorded (its entry then says what was given now);
    ``earlier_last_dose``: the last dose the entry said before, when this changed it (to another day, or to
    none: the patient takes it again), for the desk to be told what it replaced."""

    entry: MedicationEntry
    replaced: bool
    earlier_last_dose: dt.date | None = None


def add_medication(
    session: Session,
    actor,
    referral: Referral,
    *,
    drug_code: str,
    dose_class: str,
    last_dose_on: dt.date | None,
    note: str | None = None,
    zone: str = "UTC",
) -> MedicationAdded:
    """Record a blood thinner on the questionnaire (one entry per drug: given again, it replaces the entry).
    ``zone``: the clinic's, for the bounds of the last dose (``check_last_dose``); the screens pass it."""
    known = medication.dose_classes(session)
    if drug_code not in known:
        raise InvalidInput(N_("Choose the drug from the list; for others, a radiologist decides the hold."))
    # A dose the rules do not tell apart is accepted as given when a rule covers every dose of the drug
    # ("apixaban, therapeutic dose"); a drug whose rules depend on the dose needs one they know.
    if dose_class not in known[drug_code] and not (
        "" in known[drug_code] and dose_class in medication.DOSE_CLASS_LABELS
    ):
        choices = ", ".join(medication.DOSE_CLASS_LABELS.get(d, d) for d in known[drug_code])
        raise InvalidInput(N_("For this drug, say which dose: {choices}."), choices=choices)
    check_last_dose(session, referral, last_dose_on, zone)
    prereg = preregistration.changeable(session, referral)
    counted = _confirmation_counts(session, referral)
    # One entry per drug (two made the plan read "Rivaroxaban, Rivaroxaban" with two holds to reconcile): the
    # drug given again replaces what its entry said, in one step. Walk finding: removing the entry first and
    # adding it again left a moment in which a printed letter said the patient takes no blood thinner.
    entry = next((m for m in prereg.medications if m.drug_code == drug_code), None)
    replaced = entry is not None
    earlier = entry.last_dose_on if entry is not None and entry.last_dose_on != last_dose_on else None
    if entry is None:
        entry = MedicationEntry(drug_code=drug_code, created_by_id=audit.actor_of(actor).id)
        prereg.medications.append(entry)
    entry.dose_class = dose_class
    entry.last_dose_on = last_dose_on
    entry.note = (note or "").strip() or None
    session.flush()
    _audit_lapse(
        session, actor, referral, counted, drug_code=drug_code, dose_class=dose_class, last_dose_on=last_dose_on
    )
    return MedicationAdded(entry, replaced, earlier)


def remove_medication(session: Session, actor, referral: Referral, entry_id: int) -> None:
    prereg = preregistration.changeable(session, referral)
    entry = next((m for m in prereg.medications if m.id == entry_id), None)
    if entry is None:
        raise InvalidInput(N_("That medicine is not on this questionnaire."))
    counted = _confirmation_counts(session, referral)
    prereg.medications.remove(entry)
    session.delete(entry)
    session.flush()
    _audit_lapse(session, actor, referral, counted, drug_code=entry.drug_code)


def settle_medication(session: Session, actor, referral: Referral, *, raised_bleeding_risk: bool) -> None:
    prereg = preregistration.changeable(session, referral)
    counted = _confirmation_counts(session, referral)
    prereg.raised_bleeding_risk = raised_bleeding_risk
    _settle(prereg, "medication_settled", actor)
    session.flush()
    _audit_lapse(session, actor, referral, counted, raised_bleeding_risk=raised_bleeding_risk)


def set_allergies(session: Session, actor, referral: Referral, *, found: set[str], other: str | None) -> None:
    unknown = found - set(ALLERGENS)
    if unknown:
        raise InvalidInput(N_("Unknown allergy {items}."), items=", ".join(sorted(unknown)))
    prereg = preregistration.changeable(session, referral)
    for key in ALLERGENS:
        setattr(prereg, f"allergy_{key}", key in found)
    prereg.allergy_other = (other or "").strip() or None
    _settle(prereg, "allergies_settled", actor)
    session.flush()


CONDITIONS = ("diabetes", "pregnancy_possible", "implant", "kidney_disease", "current_infection")


def set_conditions(
    session: Session, actor, referral: Referral, *, found: set[str], implant_note: str | None, note: str | None
) -> None:
    unknown = found - set(CONDITIONS)
    if unknown:
        raise InvalidInput(N_("Unknown condition {items}."), items=", ".join(sorted(unknown)))
    if "implant" in found and not (implant_note or "").strip():
        raise InvalidInput(
            N_("Say which pacemaker or implant (it matters for MRI and ablation)."), details={"field": "implant_note"}
        )
    prereg = preregistration.changeable(session, referral)
    for key in CONDITIONS:
        setattr(prereg, key, key in found)
    prereg.implant_note = (implant_note or "").strip() or None
    prereg.conditions_note = (note or "").strip() or None
    _settle(prereg, "conditions_settled", actor)
    session.flush()


def set_escort(session: Session, actor, referral: Referral, *, name: str, phone: str | None) -> None:
    if not (name or "").strip():
        raise InvalidInput(N_("Name the person who takes the patient home."), details={"field": "name"})
    phone = contact.phone_number(phone, field="phone")  # the escort form's field (desk and portal)
    prereg = preregistration.changeable(session, referral)
    prereg.escort_name = name.strip()
    prereg.escort_phone = phone
    _settle(prereg, "escort_settled", actor)
    session.flush()


def set_language(session: Session, actor, referral: Referral, *, language: str) -> None:
    if language not in Language.values():
        raise InvalidInput(N_("Printed sheets exist in German and English."))
    referral.patient.preferred_language = language
    _settle(preregistration.changeable(session, referral), "language_settled", actor)
    session.flush()
