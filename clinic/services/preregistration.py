"""The pre-registration checklist (DESIGN.md §2 step 3). Completeness is derived from the items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import DomainError
from ..core.holds import drug_list
from ..core.messages import N_, Counted, Named, Phrase, Phrases, as_phrase
from ..database import among
from ..models import ImagingStudy, MedicationEntry, PreRegistration, Referral, StudyFile, User
from ..models.vocab import IdentityCheck, Language, ReferralStatus
from . import medication


@dataclass(frozen=True, kw_only=True)
class Item:
    """One item of the checklist. ``label`` and ``detail`` are English, marked for translation (``N_``, or a
    ``Phrase`` with its values): a screen shows them through ``_()``, which translates both."""

    key: str
    label: str
    done: bool
    detail: str
    settled_by: str | None = None
    settled_at: dt.datetime | None = None

    def __post_init__(self):
        object.__setattr__(self, "label", as_phrase(self.label))
        object.__setattr__(self, "detail", as_phrase(self.detail))


def ensure(session: Session, referral: Referral) -> PreRegistration:
    if referral.preregistration is None:
        referral.preregistration = PreRegistration()
        session.flush()
    return referral.preregistration


def require_open(referral: Referral) -> None:
    """A declined or closed referral's pre-registration is a record: it no longer changes."""
    if referral.has_ended:
        raise DomainError(
            N_("This referral is {status}: its pre-registration no longer changes."),
            code="invalid_state",
            status=Phrase(ReferralStatus(referral.status).label, lower=True),
        )


def changeable(session: Session, referral: Referral) -> PreRegistration:
    """``ensure``, for a change: refused once the referral has ended (``require_open``)."""
    require_open(referral)
    return ensure(session, referral)


SETTLERS = (
    "contact_confirmed",
    "medication_settled",
    "allergies_settled",
    "conditions_settled",
    "escort_settled",
    "language_settled",
)


def _settler_ids(referral: Referral, prereg: PreRegistration) -> set[int]:
    ids = {referral.triaged_by_id, referral.imaging_waived_by_id}
    ids.update(getattr(prereg, f"{item}_by_id") for item in SETTLERS)
    ids.discard(None)
    return ids


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of everyone who settled an item, in one query (the checklist runs on every booking)."""
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
            Counted(
                "{count} file names a different patient or birth date: check it, and set a wrong patient's file aside",
                "{count} files name a different patient or birth date: check them, and set a wrong "
                "patient's file aside",
                mismatches,
            ),
        )
    if waived:
        return ImagingState(
            True, False, Phrase(N_("waived: {reason}"), reason=waiver_reason) if waiver_reason else N_("waived")
        )
    if usable:
        return ImagingState(True, False, Counted("{count} file uploaded", "{count} files uploaded", usable))
    return ImagingState(False, False, N_("no prior imaging uploaded"))


def imaging_statuses_by_patient(session: Session, patient_ids) -> dict[int, list[str]]:
    """``imaging_statuses`` of many patients in one query, for lists that show many checklists."""
    found: dict[int, list[str]] = {patient_id: [] for patient_id in patient_ids}
    if found:
        for patient_id, status in session.execute(
            select(ImagingStudy.patient_id, StudyFile.identity_status)
            .join(StudyFile)
            .where(among(session, ImagingStudy.patient_id, found), StudyFile.set_aside_at.is_(None))
        ):
            found[patient_id].append(status)
    return found


@dataclass(frozen=True)
class _Facts:
    """What the items of one referral read: loaded once, for one referral or (``checklists``) for many."""

    session: Session
    referral: Referral
    prereg: PreRegistration
    imaging: list[str]
    names: dict[int, str]
    hold_plan: medication.HoldPlan | None = None
    brief: bool = False  # a done item without its detail (``checklists(brief=True)``)
    elsewhere: tuple = ()  # blood thinners on the patient's other open referrals, not on this one (``_elsewhere``)

    def who(self, user_id: int | None) -> str | None:
        return self.names.get(user_id) if user_id is not None else None

    def plan(self) -> medication.HoldPlan:
        referral = self.referral
        return self.hold_plan or medication.plan_for(
            self.session, self.prereg, referral.planned_procedure_type, referral.planned_region
        )


@lru_cache(maxsize=64)
def _done(key: str, label: str) -> Item:
    """A done item of a brief checklist: what sorting a list reads of it is that it is done (made once a
    key: an Item never changes)."""
    return Item(key=key, label=label, done=True, detail="")


def _referral_item(f: _Facts) -> Item:
    referral = f.referral
    accepted = referral.status == ReferralStatus.ACCEPTED
    if f.brief and accepted:
        return _done("referral", N_("Referral accepted by a radiologist"))
    status = Phrase(ReferralStatus(referral.status).label, lower=True)
    if accepted:
        detail = N_("accepted")
    elif referral.has_ended:  # no "yet": a declined or closed referral is not accepted any more
        detail = Phrase(N_("referral is {status}"), status=status)
    else:
        detail = Phrase(N_("referral is {status}, not accepted yet"), status=status)
    return Item(
        key="referral",
        label=N_("Referral accepted by a radiologist"),
        done=accepted,
        detail=detail,
        settled_by=f.who(referral.triaged_by_id) if accepted else None,
        settled_at=referral.triaged_at if accepted else None,
    )


def _red_flags_item(f: _Facts) -> Item:
    open_flags = f.referral.open_red_flags
    if f.brief and not open_flags:
        return _done("red_flags", N_("No open red flag"))
    return Item(
        key="red_flags",
        label=N_("No open red flag"),
        done=not open_flags,
        detail=N_("none open")
        if not open_flags
        else Phrase(
            N_("open red flag: {questions} (a radiologist must review)"),
            questions=Phrases([flag.question for flag in open_flags]),
        ),
    )


def _contact_item(f: _Facts) -> Item:
    patient, prereg = f.referral.patient, f.prereg
    contact_ok = patient.has_contact_data and patient.has_insurance
    if f.brief and contact_ok and prereg.contact_confirmed_at is not None:
        return _done("contact", N_("Contact data and insurance"))
    missing_contact = []
    if not (patient.phone or patient.email):
        missing_contact.append(N_("phone or email"))
    if not (patient.street and patient.postal_code and patient.city):
        missing_contact.append(N_("postal address"))
    if not patient.insurance_name:
        missing_contact.append(N_("insurance name") if patient.insurance_number else N_("insurance name and number"))
    elif not patient.insurance_number:
        missing_contact.append(N_("insurance number"))
    if contact_ok and prereg.contact_confirmed_at is None:
        missing_contact.append(N_("confirmation that the details were checked with the patient"))
    return Item(
        key="contact",
        label=N_("Contact data and insurance"),
        done=contact_ok and prereg.contact_confirmed_at is not None,
        detail=N_("checked with the patient")
        if not missing_contact
        else Phrase(N_("missing: {items}"), items=Phrases(missing_contact, ", ")),
        settled_by=f.who(prereg.contact_confirmed_by_id),
        settled_at=prereg.contact_confirmed_at,
    )


def _imaging_item(f: _Facts) -> Item:
    referral = f.referral
    state = imaging_state(f.imaging, referral.imaging_waived, referral.imaging_waiver_reason)
    waiver_counts = referral.imaging_waived and state.done and not f.imaging
    return Item(
        key="imaging",
        label=N_("Prior imaging"),
        done=state.done,
        detail=state.detail,
        settled_by=f.who(referral.imaging_waived_by_id) if waiver_counts else None,
        settled_at=referral.imaging_waived_at if waiver_counts else None,
    )


def _medication_item(f: _Facts) -> Item:
    prereg = f.prereg
    label = N_("Medication questionnaire")
    if prereg.medication_settled_at is None:
        return Item(key="medication", label=label, done=False, detail=N_("not filled in"))
    if f.elsewhere:  # the patient takes them whichever referral they were recorded on (walk 26)
        return Item(
            key="medication",
            label=label,
            done=False,
            detail=Phrase(
                N_(
                    "{drugs} recorded on another referral of this patient: record it here too, with the last dose, "
                    "or remove it there if it was stopped"
                ),
                drugs=Phrases(list(f.elsewhere), ", "),
            ),
            settled_by=f.who(prereg.medication_settled_by_id),
            settled_at=prereg.medication_settled_at,
        )
    undecided = []
    if f.referral.planned_procedure_type is None:
        detail = Phrase(
            N_("{count} blood thinner(s) recorded; hold plan follows the planned procedure"),
            count=len(prereg.medications),
        )
    else:
        undecided = f.plan().undecided
        if undecided:
            detail = Phrase(
                N_("no hold rule for {drugs} at this bleeding class: a radiologist must set the earliest date"),
                drugs=drug_list(undecided),
            )
        elif prereg.medications:
            detail = Phrase(N_("{count} blood thinner(s); hold plan computed"), count=len(prereg.medications))
        else:
            detail = N_("no blood thinners")
    return Item(
        key="medication",
        label=label,
        done=not undecided,
        detail=detail,
        settled_by=f.who(prereg.medication_settled_by_id),
        settled_at=prereg.medication_settled_at,
    )


def _allergies_item(f: _Facts) -> Item:
    return _asked(
        f,
        "allergies",
        N_("Allergies"),
        lambda: Phrases(f.prereg.allergies, ", ") or N_("none known"),
        N_("not asked yet"),
    )


def _asked(f: _Facts, key: str, label: str, answer, unanswered: str) -> Item:
    """An item done once the patient was asked (``{key}_settled_at``), its detail the ``answer()``."""
    settled_at = getattr(f.prereg, f"{key}_settled_at")
    if f.brief and settled_at is not None:
        return _done(key, label)
    return Item(
        key=key,
        label=label,
        done=settled_at is not None,
        detail=answer() if settled_at else unanswered,
        settled_by=f.who(getattr(f.prereg, f"{key}_settled_by_id")),
        settled_at=settled_at,
    )


def _conditions_item(f: _Facts) -> Item:
    prereg = f.prereg
    label = N_("Conditions")
    if prereg.conditions_settled_at is None:
        return Item(key="conditions", label=label, done=False, detail=N_("not asked yet"))
    if f.brief and not prereg.current_infection:
        return _done("conditions", label)
    found = [
        name
        for flag, name in (
            (prereg.diabetes, N_("diabetes")),
            (prereg.pregnancy_possible, N_("possible pregnancy")),
            (prereg.implant, N_("pacemaker or implant")),
            (prereg.kidney_disease, N_("kidney disease")),
            (prereg.current_infection, N_("current infection")),
        )
        if flag
    ]
    return Item(
        key="conditions",
        label=label,
        done=not prereg.current_infection,
        detail=N_("current infection: booking waits until it has cleared")
        if prereg.current_infection
        else (Phrases(found, ", ") or N_("none")),
        settled_by=f.who(prereg.conditions_settled_by_id),
        settled_at=prereg.conditions_settled_at,
    )


def _escort_item(f: _Facts) -> Item:
    prereg = f.prereg
    escort_ok = prereg.escort_settled_at is not None and bool(prereg.escort_name)
    if f.brief and escort_ok:
        return _done("escort", N_("Escort home arranged"))
    return Item(
        key="escort",
        label=N_("Escort home arranged"),
        done=escort_ok,
        detail=f"{prereg.escort_name}" + (f", {prereg.escort_phone}" if prereg.escort_phone else "")
        if escort_ok
        else N_("no escort recorded"),
        settled_by=f.who(prereg.escort_settled_by_id),
        settled_at=prereg.escort_settled_at,
    )


def _language_item(f: _Facts) -> Item:
    return _asked(
        f,
        "language",
        N_("Language for printed sheets"),
        lambda: Phrase(Language(f.referral.patient.preferred_language).label),
        N_("not confirmed"),
    )


ITEMS = (
    _referral_item,
    _red_flags_item,
    _contact_item,
    _imaging_item,
    _medication_item,
    _allergies_item,
    _conditions_item,
    _escort_item,
    _language_item,
)


def checklist(
    session: Session,
    referral: Referral,
    hold_plan: medication.HoldPlan | None = None,
    *,
    people: bool = True,
    imaging: list[str] | None = None,
) -> list[Item]:
    """The items with their state; ``people=False`` leaves out who settled them (a booking's readiness
    check does not need the names, the screens do). Lists of many referrals use ``checklists``."""
    prereg = ensure(session, referral)
    facts = _Facts(
        session,
        referral,
        prereg,
        imaging if imaging is not None else imaging_statuses(session, referral),
        _names(session, _settler_ids(referral, prereg)) if people else {},
        hold_plan,
        elsewhere=_elsewhere(session, [referral]).get(referral.id, ()),
    )
    return [item(facts) for item in ITEMS]


OPEN_REFERRAL = (ReferralStatus.RECEIVED, ReferralStatus.INFO_REQUESTED, ReferralStatus.ACCEPTED)


def _elsewhere(session: Session, referrals: list[Referral]) -> dict[int, tuple]:
    """By referral: the blood thinners recorded on another open referral of its patient and not on its own
    questionnaire, by name. A drug belongs to the patient, not to a referral: walk 26 recorded phenprocoumon
    on one referral and booked the patient's other one (an epidural, "no blood thinners") for the same day, with
    no hold. Its questionnaire is not done until the drug is recorded there too, or removed where it was
    recorded (stopped). One statement for all the referrals."""
    found = session.execute(
        select(Referral.patient_id, Referral.id, MedicationEntry.drug_code)
        .join(PreRegistration, PreRegistration.referral_id == Referral.id)
        .join(MedicationEntry, MedicationEntry.preregistration_id == PreRegistration.id)
        .where(among(session, Referral.patient_id, list({r.patient_id for r in referrals})))
        .where(Referral.status.in_(OPEN_REFERRAL))
    ).all()
    if not found:
        return {}
    names = medication.drug_names(session)
    by_patient: dict[int, list[tuple[int, str]]] = {}
    for patient, rid, code in found:
        by_patient.setdefault(patient, []).append((rid, code))
    result = {}
    for referral in referrals:
        own = {e.drug_code for e in referral.preregistration.medications} if referral.preregistration else set()
        codes = sorted({code for rid, code in by_patient.get(referral.patient_id, ()) if rid != referral.id} - own)
        if codes:
            result[referral.id] = tuple(
                Named(en, de=de) for en, de in (names.get(code, (code, code)) for code in codes)
            )
    return result


def checklists(
    session: Session,
    referrals,
    *,
    people: bool = False,
    imaging: dict[int, list[str]] | None = None,
    brief: bool = False,
) -> dict[int, list[Item]]:
    """``checklist`` of many referrals, by referral id, reading what all of them need in a few queries
    (imaging files, settlers' names, drug rules) instead of a few per row. ``imaging`` is
    ``imaging_statuses_by_patient`` where the caller has it already. ``brief`` leaves out the detail of
    the items that are done (sorting 300 referrals by what they miss spent half its time writing them)."""
    referrals = list({r.id: r for r in referrals}.values())
    if not referrals:
        return {}
    missing = [r for r in referrals if r.preregistration is None]
    for referral in missing:
        referral.preregistration = PreRegistration()
    if missing:
        session.flush()
    if imaging is None:
        imaging = imaging_statuses_by_patient(session, {r.patient_id for r in referrals})
    names = _names(session, set().union(*(_settler_ids(r, r.preregistration) for r in referrals))) if people else {}
    plans = _hold_plans(session, referrals)
    elsewhere = _elsewhere(session, referrals)
    return {
        r.id: [
            item(
                _Facts(
                    session,
                    r,
                    r.preregistration,
                    imaging.get(r.patient_id, []),
                    names,
                    plans.get(r.id),
                    brief,
                    elsewhere.get(r.id, ()),
                )
            )
            for item in ITEMS
        ]
        for r in referrals
    }


def _hold_plans(session: Session, referrals: list[Referral]) -> dict[int, medication.HoldPlan]:
    """The hold plans the medication items read, with the drug rules and the named radiologists read once."""
    needing = [
        r
        for r in referrals
        if r.planned_procedure_type is not None and r.preregistration.medication_settled_at is not None
    ]
    if not needing:
        return {}
    codes = {e.drug_code for r in needing for e in r.preregistration.medications}
    rules = medication.rules_for_any(session, codes)
    users = {r.hold_override_by_id for r in needing} | {r.hold_plan_confirmed_by_id for r in needing}
    users.discard(None)
    if users:  # into the session, where the plans' names are looked up
        session.scalars(select(User).where(User.id.in_(users))).all()
    return {
        r.id: medication.plan_for(session, r.preregistration, r.planned_procedure_type, r.planned_region, rules=rules)
        for r in needing
    }


def missing(items: list[Item]) -> list[str]:
    """What is not done yet, one ``Phrase`` per item (English as a str; ``_()`` on a screen translates it)."""
    return [
        Phrase(N_("{label}: {detail}"), label=Phrase(i.label), detail=_phrase(i.detail)) for i in items if not i.done
    ]


def _phrase(text: str) -> Phrase:
    return text if isinstance(text, Phrase) else Phrase(text)
