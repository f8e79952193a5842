"""The pre-registration checklist (DESIGN.md §2 step 3). Completeness is derived from the items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.messages import N_, Phrase, Phrases
from ..models import ImagingStudy, PreRegistration, Referral, StudyFile, User
from ..models.vocab import IdentityCheck, Language, ReferralStatus
from . import medication


@dataclass(frozen=True)
class Item:
    """One item of the checklist. ``label`` and ``detail`` are English, marked for translation (``N_``, or a
    ``Phrase`` with its values): a screen shows them through ``_()``, which translates both."""

    key: str
    label: str
    done: bool
    detail: str
    settled_by: str | None = None
    settled_at: dt.datetime | None = None


def ensure(session: Session, referral: Referral) -> PreRegistration:
    if referral.preregistration is None:
        referral.preregistration = PreRegistration()
        session.flush()
    return referral.preregistration


SETTLERS = (
    "contact_confirmed",
    "medication_settled",
    "allergies_settled",
    "conditions_settled",
    "escort_settled",
    "language_settled",
)


def _people(session: Session, referral: Referral, prereg: PreRegistration) -> dict[int, str]:
    """The names of everyone who settled an item, in one query (the checklist runs on every booking)."""
    ids = {referral.triaged_by_id, referral.imaging_waived_by_id}
    ids.update(getattr(prereg, f"{item}_by_id") for item in SETTLERS)
    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def imaging_statuses(session: Session, referral: Referral) -> list[str]:
    """The identity check of every prior-imaging file of the patient that counts (not set aside)."""
    return list(
        session.scalars(
            select(StudyFile.identity_status)
            .join(ImagingStudy)
            .where(ImagingStudy.patient_id == referral.patient_id, StudyFile.set_aside_at.is_(None))
        )
    )


@dataclass(frozen=True)
class ImagingState:
    done: bool
    warn: bool
    detail: str


def imaging_state(statuses: list[str], waived: bool, waiver_reason: str | None = None) -> ImagingState:
    """The one rule for prior imaging, read by the checklist and the worklist alike. ``statuses`` are the
    identity checks of the files that count (``imaging_statuses``: files set aside as "wrong patient" are
    left out). A file naming another patient keeps the item open until it is set aside; then a waiver or
    one usable file settles it."""
    mismatches = statuses.count(IdentityCheck.MISMATCH)
    usable = len(statuses) - mismatches
    if mismatches:
        return ImagingState(
            False,
            True,
            Phrase(
                N_(
                    "{count} file(s) name a different patient or birth date: check them, and set a wrong "
                    "patient's file aside"
                ),
                count=mismatches,
            ),
        )
    if waived:
        return ImagingState(
            True, False, Phrase(N_("waived: {reason}"), reason=waiver_reason) if waiver_reason else N_("waived")
        )
    if usable:
        return ImagingState(True, False, Phrase(N_("{count} file(s) uploaded"), count=usable))
    return ImagingState(False, False, N_("no prior imaging uploaded"))


def imaging_statuses_by_patient(session: Session, patient_ids) -> dict[int, list[str]]:
    """``imaging_statuses`` of many patients in one query, for lists that show many checklists."""
    found: dict[int, list[str]] = {patient_id: [] for patient_id in patient_ids}
    if found:
        for patient_id, status in session.execute(
            select(ImagingStudy.patient_id, StudyFile.identity_status)
            .join(StudyFile)
            .where(ImagingStudy.patient_id.in_(found), StudyFile.set_aside_at.is_(None))
        ):
            found[patient_id].append(status)
    return found


def checklist(
    session: Session,
    referral: Referral,
    hold_plan: medication.HoldPlan | None = None,
    *,
    people: bool = True,
    imaging: list[str] | None = None,
) -> list[Item]:
    """The items with their state; ``people=False`` leaves out who settled them (a booking's readiness
    check does not need the names, the screens do). A list of many checklists passes each patient's
    ``imaging`` statuses, read for all of them at once (``imaging_statuses_by_patient``)."""
    prereg = ensure(session, referral)
    patient = referral.patient
    items: list[Item] = []
    names = _people(session, referral, prereg) if people else {}

    def _who(user_id: int | None) -> str | None:
        return names.get(user_id) if user_id is not None else None

    accepted = referral.status == ReferralStatus.ACCEPTED
    items.append(
        Item(
            "referral",
            N_("Referral accepted by a radiologist"),
            accepted,
            N_("accepted")
            if accepted
            else Phrase(
                N_("referral is {status}, not accepted yet"),
                status=Phrase(ReferralStatus(referral.status).label, lower=True),
            ),
            _who(referral.triaged_by_id) if accepted else None,
            referral.triaged_at if accepted else None,
        )
    )

    open_flags = referral.open_red_flags
    items.append(
        Item(
            "red_flags",
            N_("No open red flag"),
            not open_flags,
            N_("none open")
            if not open_flags
            else Phrase(
                N_("open red flag: {questions} (a radiologist must review)"),
                questions=Phrases([f.question for f in open_flags]),
            ),
        )
    )

    contact_ok = patient.has_contact_data and patient.has_insurance
    missing_contact = []
    if not (patient.phone or patient.email):
        missing_contact.append(N_("phone or email"))
    if not (patient.street and patient.postal_code and patient.city):
        missing_contact.append(N_("postal address"))
    if not patient.has_insurance:
        missing_contact.append(N_("insurance name and number"))
    if contact_ok and prereg.contact_confirmed_at is None:
        missing_contact.append(N_("confirmation that the details were checked with the patient"))
    items.append(
        Item(
            "contact",
            N_("Contact data and insurance"),
            contact_ok and prereg.contact_confirmed_at is not None,
            N_("checked with the patient")
            if not missing_contact
            else Phrase(N_("missing: {items}"), items=Phrases(missing_contact, ", ")),
            _who(prereg.contact_confirmed_by_id),
            prereg.contact_confirmed_at,
        )
    )

    files = imaging if imaging is not None else imaging_statuses(session, referral)
    state = imaging_state(files, referral.imaging_waived, referral.imaging_waiver_reason)
    waiver_counts = referral.imaging_waived and state.done and not files
    items.append(
        Item(
            "imaging",
            N_("Prior imaging"),
            state.done,
            state.detail,
            _who(referral.imaging_waived_by_id) if waiver_counts else None,
            referral.imaging_waived_at if waiver_counts else None,
        )
    )

    if prereg.medication_settled_at is None:
        items.append(Item("medication", N_("Medication questionnaire"), False, N_("not filled in")))
    elif referral.planned_procedure_type is None:
        items.append(
            Item(
                "medication",
                N_("Medication questionnaire"),
                True,
                Phrase(
                    N_("{count} blood thinner(s) recorded; hold plan follows the planned procedure"),
                    count=len(prereg.medications),
                ),
                _who(prereg.medication_settled_by_id),
                prereg.medication_settled_at,
            )
        )
    else:
        plan = hold_plan or medication.plan_for(
            session, prereg, referral.planned_procedure_type, referral.planned_region
        )
        undecided = plan.undecided
        if undecided:
            detail = Phrase(
                N_("no hold rule for {drugs} at this bleeding class: a radiologist must set the earliest date"),
                drugs=", ".join(i.drug_name for i in undecided),
            )
        elif prereg.medications:
            detail = Phrase(N_("{count} blood thinner(s); hold plan computed"), count=len(prereg.medications))
        else:
            detail = N_("no blood thinners")
        items.append(
            Item(
                "medication",
                N_("Medication questionnaire"),
                not undecided,
                detail,
                _who(prereg.medication_settled_by_id),
                prereg.medication_settled_at,
            )
        )

    items.append(
        Item(
            "allergies",
            N_("Allergies"),
            prereg.allergies_settled_at is not None,
            (Phrases(prereg.allergies, ", ") or N_("none known"))
            if prereg.allergies_settled_at
            else N_("not asked yet"),
            _who(prereg.allergies_settled_by_id),
            prereg.allergies_settled_at,
        )
    )

    if prereg.conditions_settled_at is None:
        items.append(Item("conditions", N_("Conditions"), False, N_("not asked yet")))
    else:
        found = [
            label
            for flag, label in (
                (prereg.diabetes, N_("diabetes")),
                (prereg.pregnancy_possible, N_("possible pregnancy")),
                (prereg.implant, N_("pacemaker or implant")),
                (prereg.kidney_disease, N_("kidney disease")),
                (prereg.current_infection, N_("current infection")),
            )
            if flag
        ]
        items.append(
            Item(
                "conditions",
                N_("Conditions"),
                not prereg.current_infection,
                (
                    N_("current infection: booking waits until it has cleared")
                    if prereg.current_infection
                    else (Phrases(found, ", ") or N_("none"))
                ),
                _who(prereg.conditions_settled_by_id),
                prereg.conditions_settled_at,
            )
        )

    escort_ok = prereg.escort_settled_at is not None and bool(prereg.escort_name)
    items.append(
        Item(
            "escort",
            N_("Escort home arranged"),
            escort_ok,
            f"{prereg.escort_name}" + (f", {prereg.escort_phone}" if prereg.escort_phone else "")
            if escort_ok
            else N_("no escort recorded"),
            _who(prereg.escort_settled_by_id),
            prereg.escort_settled_at,
        )
    )

    items.append(
        Item(
            "language",
            N_("Language for printed sheets"),
            prereg.language_settled_at is not None,
            Phrase(Language(patient.preferred_language).label) if prereg.language_settled_at else N_("not confirmed"),
            _who(prereg.language_settled_by_id),
            prereg.language_settled_at,
        )
    )
    return items


def missing(items: list[Item]) -> list[str]:
    """What is not done yet, one ``Phrase`` per item (English as a str; ``_()`` on a screen translates it)."""
    return [
        Phrase(N_("{label}: {detail}"), label=Phrase(i.label), detail=_phrase(i.detail)) for i in items if not i.done
    ]


def _phrase(text: str) -> Phrase:
    return text if isinstance(text, Phrase) else Phrase(text)
