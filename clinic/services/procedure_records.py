"""The procedure record: what was done. Signed by the radiologist; after that only addenda."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ..core import audit
from ..core.errors import DomainError, InvalidInput, PermissionDenied, invalid
from ..core.messages import N_, Phrase, Phrases
from ..core.spine import NOT_A_LEVEL, normalised, outside, unreadable
from ..core.timefmt import fmt_date, fmt_time, to_local
from ..models import Appointment, DrugOption, ProcedureAddendum, ProcedureDrug, ProcedureRecord
from ..models.base import utcnow
from ..models.vocab import AppointmentStatus, Modality, Region, Role, Side, Stage


@dataclass(frozen=True)
class RecordDetails:
    started_at: dt.datetime | None  # None: a start the form could not read (``field_problems`` skips the times)
    ended_at: dt.datetime | None
    levels: str | None
    side: str | None
    approach: str | None
    guidance: str | None
    dlp_mgycm: Decimal | None
    complications: str | None
    pain_before: int | None
    pain_after: int | None
    note: str | None
    drugs: list[tuple[int, Decimal]] = field(default_factory=list)  # (drug option id, dose)
    # Contrast for a patient with a recorded contrast allergy: the radiologist took the allergy into account.
    contrast_allergy_confirmed: bool = False


# The largest dose a record takes per drug and unit, for one procedure: a value above it is a typing slip
# (Triamcinolone 4000 mg was saved), refused at the dose field. Ceilings, not recommendations: the local SOP
# decides the dose (shared/clinical/procedures.md §7.3). Sources:
# - Triamcinolone 80 mg: the highest dose procedures.md names for an epidural/periradicular injection
#   (ESI-GLU: the 80 mg triamcinolone study); 40 mg per level is the usual dose.
# - Dexamethasone 20 mg: clinic-data ceiling, twice the usual 8-10 mg of an epidural/PRT injection
#   (procedures.md gives no dose; non-particulate steroid of choice, §2 PRT).
# - Ropivacaine, Bupivacaine, Lidocaine 30 ml: procedures.md gives 8-10 ml per side for a lumbar
#   sympathetic block and 0.3-0.6 ml per nerve for a medial branch block; 30 ml of a 0.5 % bupivacaine is
#   150 mg, its usual single-dose maximum for an adult.
# - Ethanol 50 ml: the largest volume procedures.md names (celiac plexus neurolysis, 15-50 ml; lumbar
#   sympathicolysis about 8 ml per level).
# - Contrast 50 ml: clinic-data ceiling (a few ml confirm a needle position; procedures.md gives no volume).
# A drug an admin adds gets the ceiling of its unit, a guard against a slip of the keyboard only.
MAX_DOSE = {
    ("Triamcinolone", "mg"): Decimal(80),
    ("Dexamethasone", "mg"): Decimal(20),
    ("Ropivacaine", "ml"): Decimal(30),
    ("Bupivacaine", "ml"): Decimal(30),
    ("Lidocaine", "ml"): Decimal(30),
    ("Ethanol", "ml"): Decimal(50),
    ("Contrast", "ml"): Decimal(50),
}
MAX_DOSE_BY_UNIT = {"mg": Decimal(1000), "ml": Decimal(100)}
MAX_DOSE_OTHER = Decimal(1000)


# The neurolytic agents: given only in a neurolytic stage, whose booking needs a documented positive diagnostic
# stage first (invariant 8). In the record of a diagnostic (or any other) appointment one is refused at its
# row: recording it there would get around that rule (walk finding: Ethanol signed in a diagnostic stage).
NEUROLYTIC_DRUGS = frozenset({"Ethanol"})


# Particulate (crystalline) steroids: never in a cervical transforaminal injection, a cervical PRT. Multisociety
# safety recommendations favour a non-particulate steroid (dexamethasone) for all cervical transforaminal
# injections: spinal cord or brain infarction from intra-arterial particulate steroid, very rare and
# catastrophic, mainly after cervical and thoracic transforaminal injections (shared/clinical/procedures.md
# §1.4 and §2.1 PRT: drugs, risks; FDA14, RADIOPAEDIA). Refused at the drug's row, not confirmed away: the
# recommendation has no exception a confirmation could record (unlike contrast with an allergy, which
# premedication makes possible). Walk 27: Triamcinolone was recorded and signed for a PRT at C6/7.
PARTICULATE_STEROIDS = frozenset({"Triamcinolone"})
TRANSFORAMINAL_CODES = frozenset({"PRT"})


# Contrast media: given to a patient with a recorded contrast allergy only with the allergy taken into account
# (premedication, another agent; shared/clinical/procedures.md §1.2), which the radiologist confirms.
CONTRAST_DRUGS = frozenset({"Contrast"})


# An allergy written in the free text that names contrast media or iodine (walk 22: "Röntgenkontrastmittel
# (Urtikaria 2019)" under other allergies, and "Jod" ticked alone, were not taken for one).
CONTRAST_WORDS = re.compile(r"kontrast|contrast|\b(jod|iod)", re.IGNORECASE)


def contrast_allergy(appointment: Appointment | None) -> bool:
    """Whether the pre-registration of the appointment's referral records a contrast allergy: contrast or
    iodine ticked (staff record a contrast reaction as an iodine allergy too), or named in the free text."""
    referral = appointment.referral if appointment is not None else None
    prereg = referral.preregistration if referral is not None else None
    if prereg is None:
        return False
    return bool(prereg.allergy_contrast or prereg.allergy_iodine or CONTRAST_WORDS.search(prereg.allergy_other or ""))


def largest_dose(option: DrugOption) -> Decimal:
    """The largest dose of the drug a record takes (``MAX_DOSE``), in the drug's unit."""
    return MAX_DOSE.get((option.name, option.unit)) or MAX_DOSE_BY_UNIT.get(option.unit, MAX_DOSE_OTHER)


def _minute(at: dt.datetime) -> dt.datetime:
    """``at`` to the minute, as the form types a time."""
    return at.replace(second=0, microsecond=0)


def time_problem(
    appointment: Appointment, started_at: dt.datetime, ended_at: dt.datetime | None, zone: str
) -> InvalidInput | None:
    """The first refusal of ``time_problems``, or None."""
    found = time_problems(appointment, started_at, ended_at, zone)
    return found[0] if found else None


def time_problems(
    appointment: Appointment, started_at: dt.datetime, ended_at: dt.datetime | None, zone: str
) -> list[InvalidInput]:
    """The refusals of a start or end the procedure cannot have had, each at the field it names (the start's
    first, then the end's first): the one rule for the times of a record, when it is saved (``update``) and
    again when it is signed (``sign``).

    Both lie on the appointment's day in the clinic's zone (a date typed wrongly, a day early or a week
    late, was saved and signed, and the signed record shows only the times); neither lies after the current
    minute (walk finding: an end two minutes ahead, within the five minutes a consent's signature may be
    ahead, was signed; the board showed the patient in observation before the procedure ended and the
    discharge came before the recorded end); the start is not before the patient was checked in and the
    end not after the patient went to observation (to the minute, as the form types it); the end is not
    before the start."""
    return [
        p
        for p in (_start_problem(appointment, started_at, zone), _end_problem(appointment, started_at, ended_at, zone))
        if p
    ]


def _start_problem(appointment: Appointment, started_at: dt.datetime, zone: str) -> InvalidInput | None:
    day = to_local(appointment.table_start, zone).date()
    now = utcnow()
    later = _minute(now) + dt.timedelta(minutes=1)  # the first time after the current minute
    if to_local(started_at, zone).date() != day:
        return invalid(N_("The start must be on the day of the appointment ({day})."), "started_at", day=fmt_date(day))
    if started_at >= later:
        return invalid(
            N_("The start cannot lie in the future (it is {now} now): give the time the procedure began."),
            "started_at",
            now=fmt_time(now, zone),
        )
    checked_in = appointment.last_change_to(AppointmentStatus.CHECKED_IN)
    if checked_in is not None and started_at < checked_in.replace(second=0, microsecond=0):
        return invalid(
            N_("The start cannot come before the patient was checked in ({time})."),
            "started_at",
            time=fmt_time(checked_in, zone),
        )
    return None


def _end_problem(
    appointment: Appointment, started_at: dt.datetime, ended_at: dt.datetime | None, zone: str
) -> InvalidInput | None:
    if ended_at is None:
        return None
    day = to_local(appointment.table_start, zone).date()
    now = utcnow()
    later = _minute(now) + dt.timedelta(minutes=1)
    if to_local(ended_at, zone).date() != day:
        return invalid(N_("The end must be on the day of the appointment ({day})."), "ended_at", day=fmt_date(day))
    if ended_at < started_at:
        return invalid(N_("The end lies before the start."), "ended_at")
    if ended_at >= later:
        return invalid(
            N_(
                "The end cannot lie in the future (it is {now} now): give the time the procedure ended, "
                "or leave it empty until then."
            ),
            "ended_at",
            now=fmt_time(now, zone),
        )
    to_observation = appointment.last_change_to(AppointmentStatus.IN_OBSERVATION)
    if to_observation is not None and ended_at >= _minute(to_observation) + dt.timedelta(minutes=1):
        return invalid(
            N_("The end cannot come after the patient went to observation ({time})."),
            "ended_at",
            time=fmt_time(to_observation, zone),
        )
    return None


def neurolytic_problem(appointment: Appointment | None, options) -> InvalidInput | None:
    """The refusal of a neurolytic agent (``NEUROLYTIC_DRUGS``) among ``options`` (the drug options of the
    record) when the appointment's stage is not neurolytic, at the drug field of its row; or None."""
    if appointment is None or appointment.stage == Stage.NEUROLYTIC:
        return None
    for option in options:
        if option.name in NEUROLYTIC_DRUGS:
            stage = Phrase(Stage(appointment.stage).label) if appointment.stage else Phrase(N_("none"))
            return InvalidInput(
                N_(
                    "{name} is a neurolytic agent, given only in a neurolytic stage; the stage of this appointment is "
                    "“{stage}”. Record a neurolytic stage as its own appointment."
                ),
                details={"field": "drug_option_id", "drug_option_id": option.id},
                name=_drug(option),
                stage=stage,
            )
    return None


def non_particulate_only(appointment: Appointment | None) -> bool:
    """Whether the appointment is a cervical PRT (a cervical transforaminal injection), whose steroid is a
    non-particulate one only. The region is the appointment's (the record's levels are checked to lie in it)."""
    if appointment is None or appointment.region != Region.CERVICAL:
        return False
    procedure_type = appointment.procedure_type
    return procedure_type is not None and procedure_type.code in TRANSFORAMINAL_CODES


def particulate_problem(appointment: Appointment | None, options) -> InvalidInput | None:
    """The refusal of a particulate steroid (``PARTICULATE_STEROIDS``) among ``options`` (the drug options of
    the record) in a cervical PRT (``non_particulate_only``), at the drug field of its row; or None."""
    if not non_particulate_only(appointment):
        return None
    for option in options:
        if option.name in PARTICULATE_STEROIDS:
            return InvalidInput(
                N_(
                    "{name} is a particulate steroid: not given in a cervical periradicular (transforaminal) "
                    "injection, for the risk of spinal cord or brain infarction if it enters an artery. Use a "
                    "non-particulate steroid (Dexamethasone)."
                ),
                details={"field": "drug_option_id", "drug_option_id": option.id},
                name=_drug(option),
            )
    return None


def _drug(option: DrugOption) -> Phrase:
    """A drug's name for a message: a screen says the seeded drugs in its language (their names are in the
    catalogue, radiology.day.SEEDED_DRUG_NAMES), a drug an admin added as it is named."""
    return Phrase(option.name)


def field_problems(
    session: Session, appointment: Appointment | None, details: RecordDetails, *, zone: str
) -> list[InvalidInput]:
    """Every refusal of a field of the record that ``update`` makes, each at its field: the start and the end
    (``time_problems``), the levels, each drug row's dose above the drug's largest (``largest_dose``), a
    neurolytic agent outside a neurolytic stage, contrast for an allergic patient without the confirmation.
    A screen shows them all with its own field errors at once (walk 27: the record form said the field errors,
    then "the end lies before the start", then the dose ceiling, one submit at a time). ``details.started_at``
    None (a start the form could not read) leaves the times out."""
    found: list[InvalidInput] = []
    if appointment is not None:
        if details.started_at is not None:
            found += time_problems(appointment, details.started_at, details.ended_at, zone)
        unknown = unreadable(details.levels)
        wrong = [] if unknown else outside(details.levels, appointment.region)
        if unknown:
            found.append(invalid(NOT_A_LEVEL, "levels", levels=", ".join(unknown)))
        elif wrong:  # a level of another part of the spine: a slip of the pen, or the wrong level treated
            found.append(
                invalid(
                    N_("{levels} does not lie in this appointment's region ({region}): check the level(s)."),
                    "levels",
                    levels=", ".join(wrong),
                    region=Phrase(Region(appointment.region).label),
                )
            )
    options = {d.id: d for d in session.scalars(select(DrugOption))}
    for option_id, dose in details.drugs:
        option = options.get(option_id)
        if option is not None and dose is not None and dose > (most := largest_dose(option)):
            # At the dose field of the drug's row (the screen finds the row by ``drug_option_id``).
            found.append(
                InvalidInput(
                    N_("{name}: at most {most} {unit} in one procedure; check the dose."),
                    details={"field": "dose", "drug_option_id": option_id},
                    name=Phrase(option.name),
                    most=most,
                    unit=option.unit,
                )
            )
    chosen = [options[i] for i, _dose in details.drugs if i in options]
    found += [p for p in (neurolytic_problem(appointment, chosen), particulate_problem(appointment, chosen)) if p]
    contrast = [options[i] for i, _dose in details.drugs if i in options and options[i].name in CONTRAST_DRUGS]
    if contrast and not details.contrast_allergy_confirmed and contrast_allergy(appointment):
        found.append(_contrast_unconfirmed(contrast[0]))
    return found


CONTRAST_FIELD = "contrast_allergy_confirmed"


def _contrast_unconfirmed(option: DrugOption) -> InvalidInput:
    """Said at the checkbox; nothing is saved."""
    return invalid(
        N_(
            "The patient has a recorded contrast allergy: {name} is recorded only once you confirm that the "
            "allergy was taken into account (e.g. premedication)."
        ),
        CONTRAST_FIELD,
        name=_drug(option),
    )


def update(session: Session, actor, record: ProcedureRecord, details: RecordDetails, *, zone: str) -> ProcedureRecord:
    """Save what the radiologist wrote; ``zone`` is the clinic's, whose day the start and end lie on. The
    first of ``field_problems`` refuses it, else the record's other problems, all in one sentence."""
    if record.is_signed:
        raise DomainError(N_("The record is signed: add an addendum instead."), code="record_signed")
    appointment = session.get(Appointment, record.appointment_id)
    # The contrast confirmation is asked last, after the record's other problems (as before).
    found = [p for p in field_problems(session, appointment, details, zone=zone) if CONTRAST_FIELD not in p.fields]
    if found:
        raise found[0]
    problems = []
    for name in ("pain_before", "pain_after"):
        value = getattr(details, name)
        if value is not None and not 0 <= value <= 10:
            problems.append(N_("pain scores run from 0 to 10"))
    if details.side is not None and details.side not in Side.values():
        problems.append(N_("unknown side"))
    if details.guidance is not None and details.guidance not in Modality.values():
        problems.append(N_("unknown guidance"))
    if details.dlp_mgycm is not None and details.dlp_mgycm < 0:
        problems.append(N_("the dose-length product cannot be negative"))
    options = {d.id: d for d in session.scalars(select(DrugOption))}
    given: set[int] = set()
    for option_id, dose in details.drugs:
        if option_id not in options:
            problems.append(N_("unknown drug"))
        elif option_id in given:  # one row per drug, with the whole dose (walk finding F-11)
            problems.append(
                Phrase(N_("{name} is listed twice: give the whole dose in one row"), name=_drug(options[option_id]))
            )
        elif dose is None or dose <= 0:
            problems.append(Phrase(N_("give a dose above zero for {name}"), name=_drug(options[option_id])))
        elif dose != dose.quantize(Decimal("0.01")):  # the record keeps two decimals: 0.001 would be 0.00
            problems.append(
                Phrase(N_("give the dose of {name} with at most two decimals"), name=_drug(options[option_id]))
            )
        given.add(option_id)
    if problems:
        raise InvalidInput(
            N_("The record is not valid: {problems}."), problems=Phrases(dict.fromkeys(problems)), details=problems
        )
    contrast = [options[i] for i, _dose in details.drugs if i in options and options[i].name in CONTRAST_DRUGS]
    allergic = bool(contrast) and contrast_allergy(appointment)
    if allergic and not details.contrast_allergy_confirmed:  # said at the checkbox; nothing is saved
        raise _contrast_unconfirmed(contrast[0])
    if not allergic:
        record.contrast_allergy_confirmed_at = None
    elif record.contrast_allergy_confirmed_at is None:
        record.contrast_allergy_confirmed_at = utcnow()
        audit.record(
            session,
            "procedure_record.contrast_allergy_confirmed",
            "procedure_records",
            record.id,
            patient_id=appointment.patient_id,
            actor=actor,
        )
    for name in (
        "started_at",
        "ended_at",
        "levels",
        "side",
        "approach",
        "guidance",
        "dlp_mgycm",
        "complications",
        "pain_before",
        "pain_after",
        "note",
    ):
        value = getattr(details, name)
        if name == "levels":
            value = normalised(value)  # one spelling ("l4/5" → "L4/5"), each level once
        setattr(record, name, value.strip() or None if isinstance(value, str) else value)
    _set_drugs(session, record, details.drugs, options)
    return record


def _set_drugs(
    session: Session, record: ProcedureRecord, drugs: list[tuple[int, Decimal]], options: dict[int, DrugOption]
) -> None:
    """The record's drugs as given (one row per drug, checked by ``update``), changing only what differs: a
    drug saved before and saved again unchanged (the end and sign buttons save the record form with them) is
    left alone. Walk finding: every save deleted the drugs and created them again, so the audit trail showed
    each drug given "created" once per save."""
    wanted = dict(drugs)
    for drug in [d for d in record.drugs if d.drug_option_id not in wanted]:
        record.drugs.remove(drug)
        session.delete(drug)  # an orphan found by the flush itself would leave no audit event
    session.flush()
    stored = {drug.drug_option_id: drug for drug in record.drugs}
    for option_id, dose in drugs:
        unit = options[option_id].unit
        drug = stored.get(option_id)
        if drug is None:
            record.drugs.append(ProcedureDrug(drug_option_id=option_id, dose=dose, unit=unit))
            continue
        if drug.dose != dose:
            drug.dose = dose
        if drug.unit != unit:
            drug.unit = unit
    session.flush()


def unsigned_gaps(record: ProcedureRecord) -> dict[str, list[str]]:
    """What a signed record may not lack, each gap with the record's fields to fill in: the drugs given,
    whether there were complications (a blank was signed and shown as "none": blank is not "no
    complications"), for a diagnostic stage the pain before and after (they decide whether the next stage
    may follow, invariant 8), and a note when the side treated is not the planned one."""
    gaps = {}
    if not record.drugs:
        gaps[N_("the drugs given")] = ["drugs"]
    if not (record.complications or "").strip():
        gaps[N_("whether there were complications (e.g. “none”)")] = ["complications"]
    appointment = object_session(record).get(Appointment, record.appointment_id)
    stage = appointment.stage if appointment is not None else None
    planned = appointment.side if appointment is not None else None
    if record.side and planned and record.side != planned and not (record.note or "").strip():
        # A wrong-side risk, or a plan changed on the table (both sides planned, one done): never signed
        # without a word. Walk finding: planned "both sides", saved and signed "left" without any remark.
        gaps[N_("in the note why the side differs from the planned side")] = ["side", "note"]
    if stage == "diagnostic" and (record.pain_before is None or record.pain_after is None):
        gaps[N_("the pain before and after (a diagnostic block is judged by them)")] = [
            name for name in ("pain_before", "pain_after") if getattr(record, name) is None
        ]
    return gaps


def sign(session: Session, actor, record: ProcedureRecord, *, zone: str) -> None:
    """The radiologist signs the record as it is stored. Its times are checked again by the rule ``update``
    applies (``time_problem``, in the clinic's ``zone``): a record saved before the rule, or whose times no
    longer fit (the check-in recorded later, the appointment moved to another day), is not signed."""
    if record.is_signed:
        raise DomainError(N_("Already signed."), code="record_signed")
    if actor is None or not actor.has_role(Role.RADIOLOGIST):
        raise PermissionDenied(N_("Only a radiologist signs the procedure record."))
    if record.ended_at is None:
        raise DomainError(
            N_("Enter the end time before signing."), code="record_incomplete", details={"field": "ended_at"}
        )
    appointment = session.get(Appointment, record.appointment_id)
    if appointment is not None:
        problem = time_problem(appointment, record.started_at, record.ended_at, zone)
        if problem is None:  # a record saved before the rules
            given = [drug.drug_option for drug in record.drugs]
            problem = neurolytic_problem(appointment, given) or particulate_problem(appointment, given)
        if problem is not None:
            raise problem
    missing = unsigned_gaps(record)
    if missing:  # shown at the fields to fill in (the drugs, the pain scores)
        raise DomainError(
            N_("Before signing, record {missing}."),
            missing=Phrases(list(missing), N_(" and ")),
            code="record_incomplete",
            # Each gap with its fields, for a screen to say each at its own field (walk 25: one sentence
            # naming the drugs and the complications stood under both fields).
            details={
                "fields": [name for names in missing.values() for name in names],
                "gaps": [[gap, names] for gap, names in missing.items()],
            },
        )
    record.signed_by_id = actor.id
    record.signed_at = utcnow()
    # The patient travels with the event, as with the record's other events (walk 27: the signature was the
    # one event of a record that a filter by patient missed).
    audit.record(
        session,
        "procedure_record.signed",
        "procedure_records",
        record.id,
        patient_id=appointment.patient_id if appointment is not None else None,
        actor=actor,
    )
    session.flush()


def add_addendum(session: Session, actor, record: ProcedureRecord, text: str) -> ProcedureAddendum:
    if not record.is_signed:
        raise DomainError(N_("The record is not signed yet: edit it directly."), code="record_unsigned")
    if not (text or "").strip():
        raise InvalidInput(N_("The addendum is empty."))
    addendum = ProcedureAddendum(record_id=record.id, text=text.strip(), author_id=audit.actor_of(actor).id)
    session.add(addendum)
    session.flush()
    return addendum
