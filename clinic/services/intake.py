"""Referral intake: a referral for a new or existing patient, with the red-flag answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import phonenumbers
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, InvalidInput, invalid
from ..core.messages import N_, Phrase, Phrases
from ..models import Patient, RedFlagAnswer, Referral, ReferringPhysician
from ..models.vocab import TREATMENTS, Language, Priority, RedFlag, ReferralStatus, Region, Sex, Side
from . import contact, patients, preregistration


@dataclass(frozen=True)
class PatientDetails:
    family_name: str
    given_name: str
    birth_date: dt.date
    sex: str = Sex.UNKNOWN
    phone: str | None = None
    email: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    insurance_name: str | None = None
    insurance_number: str | None = None
    preferred_language: str = Language.DE


@dataclass(frozen=True)
class PhysicianDetails:
    name: str
    practice: str | None = None
    city: str | None = None
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True)
class ReferralDetails:
    received_on: dt.date
    clinical_question: str
    region: str | None
    side: str | None
    symptom_duration_weeks: int | None
    treatments: list[str] = field(default_factory=list)
    treatments_note: str | None = None
    red_flags: dict[str, bool] = field(default_factory=dict)
    priority: str = Priority.ROUTINE  # the desk may mark a referral urgent without a red flag


class LikelyDuplicate(DomainError):
    """A patient with the same name and date of birth exists: show them before creating a new one."""

    code = "likely_duplicate"
    http_status = 409

    def __init__(self, candidates: list[Patient]):
        super().__init__(
            N_(
                "A patient with this name and date of birth is already registered. Use that record, or confirm "
                "that this is a different person."
            ),
            details={"patient_ids": [p.id for p in candidates]},
        )
        self.candidates = candidates


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def validate_patient(details: PatientDetails, today: dt.date) -> None:
    problems = []
    if not details.family_name.strip() or not details.given_name.strip():
        problems.append(N_("family and given name are needed"))
    if details.birth_date > today:
        problems.append(N_("the date of birth lies in the future"))
    if details.birth_date.year < 1900:
        problems.append(N_("the date of birth is before 1900"))
    if details.sex not in Sex.values():
        problems.append(N_("unknown sex"))
    if details.preferred_language not in Language.values():
        problems.append(N_("unknown language"))
    for check in (
        lambda: contact.email_address(details.email),
        lambda: contact.phone_number(details.phone),
        lambda: contact.postal_code(details.postal_code),
    ):
        try:
            check()
        except InvalidInput as error:
            problems.append(Phrase(error.template, lower=True, **error.params))
    if problems:
        raise InvalidInput(
            N_("The patient's details are not valid: {problems}."), problems=Phrases(problems), details=problems
        )


def apply_patient_details(patient: Patient, details: PatientDetails) -> None:
    patient.set_names(details.family_name, details.given_name)
    patient.birth_date = details.birth_date
    patient.sex = details.sex
    for name in ("phone", "street", "postal_code", "city", "insurance_name", "insurance_number"):
        setattr(patient, name, _clean(getattr(details, name)))
    patient.email = contact.email_address(details.email)
    patient.preferred_language = details.preferred_language


def register_patient(
    session: Session, actor, details: PatientDetails, *, today: dt.date, allow_duplicate: bool = False
) -> Patient:
    validate_patient(details, today)
    if not allow_duplicate:
        existing = patients.likely_duplicates(session, details.family_name, details.given_name, details.birth_date)
        if existing:
            raise LikelyDuplicate(existing)
    patient = Patient(clinic_number=patients.new_clinic_number(session))
    apply_patient_details(patient, details)
    session.add(patient)
    session.flush()
    return patient


def update_patient(session: Session, actor, patient: Patient, details: PatientDetails, *, today: dt.date) -> Patient:
    validate_patient(details, today)
    apply_patient_details(patient, details)
    session.flush()
    return patient


CONTACT_FIELDS = ("phone", "email", "street", "postal_code", "city", "insurance_name", "insurance_number")


def _same(name: str, typed: str, recorded: str | None) -> bool:
    if recorded is None:
        return False
    if name == "phone":
        try:
            return phonenumbers.format_number(
                phonenumbers.parse(typed, "DE"), phonenumbers.PhoneNumberFormat.E164
            ) == phonenumbers.format_number(phonenumbers.parse(recorded, "DE"), phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            pass
    return " ".join(typed.split()).casefold() == " ".join(recorded.split()).casefold()


def unsaved_contact(patient: Patient, typed: dict[str, str | None]) -> list[tuple[str, str]]:
    """The contact details typed for a new patient that the registered patient's record does not hold, when
    the desk chose that patient at the duplicate prompt: the record is kept as it is (it is edited on the
    patient's page), and the desk is told what was not saved. Walk finding: a new phone number went
    missing without a word. (field, what was typed), in the form's order."""
    unsaved = []
    for name in CONTACT_FIELDS:
        value = " ".join((typed.get(name) or "").split())
        if value and not _same(name, value, getattr(patient, name)):
            unsaved.append((name, value))
    return unsaved


def add_physician(session: Session, details: PhysicianDetails) -> ReferringPhysician:
    if not details.name.strip():
        raise InvalidInput(N_("The referring physician needs a name."))
    # The same rules as the patient's (clinic.services.contact), at the intake form's physician fields.
    physician = ReferringPhysician(
        name=details.name.strip(),
        practice=_clean(details.practice),
        city=_clean(details.city),
        phone=contact.phone_number(details.phone, field="physician_phone"),
        fax=contact.phone_number(details.fax, field="physician_fax"),
        email=contact.email_address(details.email),
        postal_code=contact.postal_code(details.postal_code, field="physician_postal_code"),
    )
    session.add(physician)
    session.flush()
    return physician


def take_referral(
    session: Session,
    actor,
    *,
    patient: Patient,
    details: ReferralDetails,
    physician: ReferringPhysician | None,
    today: dt.date,
) -> Referral:
    """Record a referral. An answered red flag makes it urgent and blocks elective booking until a
    radiologist has reviewed it."""
    problems = []
    if not details.clinical_question.strip():
        problems.append(N_("the clinical question is needed"))
    if details.region is not None and details.region not in Region.values():
        problems.append(N_("unknown region"))
    if details.side is not None and details.side not in Side.values():
        problems.append(N_("unknown side"))
    if details.received_on > today:
        problems.append(N_("the referral cannot be received in the future"))
    if details.symptom_duration_weeks is not None and not 0 <= details.symptom_duration_weeks <= 2600:
        problems.append(N_("symptom duration must be between 0 and 2600 weeks"))
    unknown = [t for t in details.treatments if t not in TREATMENTS]
    if unknown:
        problems.append(Phrase(N_("unknown treatment {treatments}"), treatments=", ".join(unknown)))
    missing_flags = [f.value for f in RedFlag if f.value not in details.red_flags]
    if missing_flags:
        problems.append(N_("every red-flag question needs an answer"))
    if problems:
        raise InvalidInput(
            N_("The referral is not complete: {problems}."), problems=Phrases(problems), details=problems
        )

    any_flag = any(details.red_flags.values())
    if any_flag and not _clean(patient.phone):
        # A red flag answered yes may be an emergency (the desk is told to call the radiologist now): the
        # patient must be reachable by phone today, an email is not enough (staff walk 3b).
        raise invalid(
            N_("A red flag was answered yes: enter the patient's phone number to call the patient back today."),
            "phone",
        )
    if details.priority not in Priority.values():
        raise InvalidInput(N_("Unknown priority."), details={"field": "priority"})
    referral = Referral(
        patient_id=patient.id,
        referring_physician_id=physician.id if physician else None,
        received_on=details.received_on,
        clinical_question=details.clinical_question.strip(),
        region=details.region,
        side=details.side,
        symptom_duration_weeks=details.symptom_duration_weeks,
        treatments_tried=",".join(details.treatments),
        treatments_note=_clean(details.treatments_note),
        status=ReferralStatus.RECEIVED,
        priority=Priority.URGENT if any_flag else details.priority,
        created_by_id=audit.actor_of(actor).id,
    )
    for flag in RedFlag:
        referral.red_flags.append(RedFlagAnswer(code=flag.value, present=bool(details.red_flags[flag.value])))
    session.add(referral)
    session.flush()
    preregistration.ensure(session, referral)
    if any_flag:
        audit.record(
            session,
            "referral.red_flag",
            "referrals",
            referral.id,
            patient_id=patient.id,
            summary={"flags": [f for f, v in details.red_flags.items() if v]},
            actor=actor,
        )
    return referral
