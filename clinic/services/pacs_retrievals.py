"""Prior studies from the PACS: what the PACS has for a patient, and retrievals of the chosen studies.

The front desk asks the PACS (``clinic.dicom.pacs`` does the talking) and picks studies; each becomes a
queued ``PacsRetrieval``. The DICOM process claims it, fetches the images and hands them to
``store_retrieved``, which stores them exactly like an upload (``clinic.services.uploads``): content
checked, stored once by checksum, DICOM headers read, the patient's identity checked on every file.
No network and no Flask here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, DomainError, InvalidInput
from ..core.messages import N_, Phrase
from ..models import ImagingStudy, PacsRetrieval, Patient, Referral, User
from ..models.base import utcnow
from ..models.dicom import ACTIVE_RETRIEVALS, RetrievalStatus, retrieval_stored
from ..models.vocab import FileKind, IdentityCheck
from . import preregistration, uploads
from .storage import FileStore

UID_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+)*$")
MAX_STUDIES_PER_REQUEST = 20
BATCH_BYTES = 64 * 1024 * 1024  # images are handed to the upload service in batches of about this size


@dataclass(frozen=True)
class StudySearch:
    """What the front desk asks the PACS for; empty fields are not used."""

    patient_id: str = ""
    family_name: str = ""
    given_name: str = ""
    birth_date: dt.date | None = None

    def validate(self) -> None:
        if not (self.patient_id.strip() or self.family_name.strip() or self.birth_date):
            raise InvalidInput(N_("Give the patient ID, the family name or the birth date to search the PACS."))
        for label, value, limit in (
            (Phrase(N_("The patient ID")), self.patient_id, 64),
            (Phrase(N_("The family name")), self.family_name, 60),
            (Phrase(N_("The given name")), self.given_name, 60),
        ):
            if len(value.strip()) > limit:
                raise InvalidInput(N_("{label} is too long (at most {limit} characters)."), label=label, limit=limit)
            if any(ch in value for ch in "\\*?"):
                raise InvalidInput(N_("{label} may not contain \\, * or ?."), label=label)


@dataclass(frozen=True)
class FoundStudy:
    """One study the PACS has, as its C-FIND answer describes it."""

    study_instance_uid: str
    study_date: dt.date | None = None
    modalities: str = ""
    description: str = ""
    instances: int | None = None
    patient_id: str = ""
    patient_name: str = ""  # as written in the PACS, e.g. "MUELLER^JUERGEN"
    birth_date_text: str = ""
    birth_date: dt.date | None = None
    accession_number: str = ""
    identity: IdentityCheck = IdentityCheck.NOT_APPLICABLE
    identity_note: str | None = None
    here: str | None = None  # "retrieving", or "retrieved" when the patient has it from an earlier retrieval


def check_found(session: Session, study: FoundStudy, patient: Patient) -> FoundStudy:
    """The same identity check an uploaded DICOM file gets, on what the PACS says about the study; and
    whether the patient has it already (or is getting it)."""
    inspected = uploads.Inspected(
        kind=FileKind.DICOM,
        content_type=FileKind.DICOM.content_type,
        patient_name=study.patient_name or None,
        patient_birth_date=study.birth_date,
        patient_birth_date_text=study.birth_date_text or None,
    )
    status, note = uploads.check_identity(inspected, patient)
    here = known_study_uids(session, patient.id).get(study.study_instance_uid)
    return FoundStudy(**{**study.__dict__, "identity": status, "identity_note": note, "here": here})


def for_patient(session: Session, patient_id: int) -> list[PacsRetrieval]:
    return list(
        session.scalars(
            select(PacsRetrieval).where(PacsRetrieval.patient_id == patient_id).order_by(PacsRetrieval.id.desc())
        )
    )


def known_study_uids(session: Session, patient_id: int) -> dict[str, str]:
    """The patient's studies from the PACS that are on their way ("retrieving") or already stored
    ("retrieved", while the imaging study they became exists): neither is fetched again."""
    rows = session.execute(
        select(PacsRetrieval.study_instance_uid, PacsRetrieval.status)
        .outerjoin(ImagingStudy, ImagingStudy.id == PacsRetrieval.imaging_study_id)
        .where(
            PacsRetrieval.patient_id == patient_id,
            PacsRetrieval.status.in_([*ACTIVE_RETRIEVALS, RetrievalStatus.DONE]),
            (PacsRetrieval.status != RetrievalStatus.DONE) | ImagingStudy.id.is_not(None),
        )
    )
    known: dict[str, str] = {}
    for uid, status in rows:
        if status in ACTIVE_RETRIEVALS or uid not in known:
            known[uid] = "retrieving" if status in ACTIVE_RETRIEVALS else "retrieved"
    return known


def request(session: Session, actor, referral: Referral, studies: Iterable[tuple[str, dict]]) -> list[PacsRetrieval]:
    """Queue the chosen studies (UID, what the list showed) for retrieval for the referral's patient.
    A study already on its way, or already stored, is not queued again."""
    preregistration.require_open(referral)
    chosen = list(dict(studies).items())
    if not chosen:
        raise InvalidInput(N_("Choose at least one study to retrieve."))
    if len(chosen) > MAX_STUDIES_PER_REQUEST:
        raise InvalidInput(
            N_("Retrieve at most {max_studies_per_request} studies at a time."),
            max_studies_per_request=MAX_STUDIES_PER_REQUEST,
        )
    for uid, _shown in chosen:
        if len(uid) > 64 or not UID_PATTERN.match(uid):
            raise InvalidInput(N_("That is not a study from the PACS list."))
    busy = known_study_uids(session, referral.patient_id)
    who = audit.actor_of(actor)
    queued = []
    for uid, shown in chosen:
        if uid in busy:
            continue
        retrieval = PacsRetrieval(
            patient_id=referral.patient_id,
            referral_id=referral.id,
            study_instance_uid=uid,
            study_date=shown.get("study_date"),
            modality=(shown.get("modality") or "")[:40] or None,
            description=(shown.get("description") or "")[:200] or None,
            status=RetrievalStatus.QUEUED,
            received=0,
            requested_by_id=who.id,
        )
        session.add(retrieval)
        queued.append(retrieval)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same study queued by another request at the same moment
        raise Conflict(N_("This study is already being retrieved.")) from exc
    return queued


# --- the DICOM process's side ---------------------------------------------------------------------


def requeue_interrupted(session: Session) -> int:
    """At start: retrievals a stopped DICOM process left running are queued again (nothing of them
    was stored: a retrieval stores its images in one transaction at its end)."""
    result = session.execute(
        update(PacsRetrieval)
        .where(PacsRetrieval.status == RetrievalStatus.RUNNING)
        .values(status=RetrievalStatus.QUEUED, received=0, started_at=None)
    )
    return result.rowcount or 0


def claim_next(session: Session) -> PacsRetrieval | None:
    """The oldest queued retrieval, marked running by a guarded update (only one taker wins)."""
    for candidate in session.scalars(
        select(PacsRetrieval.id)
        .where(PacsRetrieval.status == RetrievalStatus.QUEUED)
        .order_by(PacsRetrieval.id)
        .limit(5)
    ).all():
        taken = session.execute(
            update(PacsRetrieval)
            .where(PacsRetrieval.id == candidate, PacsRetrieval.status == RetrievalStatus.QUEUED)
            .values(status=RetrievalStatus.RUNNING, started_at=utcnow(), received=0)
        )
        if taken.rowcount:
            return session.get(PacsRetrieval, candidate)
    return None


def describe(session: Session, retrieval: PacsRetrieval, found: FoundStudy | None) -> None:
    """What the PACS says about the study now (the list's description was only for display)."""
    if found is None:
        return
    retrieval.study_date = found.study_date or retrieval.study_date
    retrieval.modality = (found.modalities or retrieval.modality or "")[:40] or None
    retrieval.description = (found.description or retrieval.description or "")[:200] or None
    if found.instances is not None:
        retrieval.expected = found.instances
    session.flush()


def progress(session: Session, retrieval_id: int, received: int, expected: int | None) -> None:
    values: dict = {"received": max(received, 0)}
    if expected is not None:
        values["expected"] = max(expected, 0)
    session.execute(
        update(PacsRetrieval)
        .where(PacsRetrieval.id == retrieval_id, PacsRetrieval.status == RetrievalStatus.RUNNING)
        .values(**values)
    )


def fail(session: Session, retrieval_id: int, message: str) -> None:
    session.execute(
        update(PacsRetrieval)
        .where(PacsRetrieval.id == retrieval_id)
        .values(status=RetrievalStatus.FAILED, message=message, finished_at=utcnow())
    )


def store_retrieved(
    session: Session,
    store: FileStore,
    limits: uploads.UploadLimits,
    retrieval: PacsRetrieval,
    files: list[Path],
    *,
    facility: str | None = None,
) -> ImagingStudy:
    """The retrieved images (files the DICOM process received) become an imaging study of the patient,
    exactly as if they were uploaded by the person who asked for them; they are read a batch at a time.
    All or nothing: on an error nothing is stored."""
    if not files:
        raise DomainError(N_("The PACS sent no images for this study."), code="nothing_retrieved")
    patient = session.get(Patient, retrieval.patient_id)
    referral = session.get(Referral, retrieval.referral_id) if retrieval.referral_id else None
    requester = session.get(User, retrieval.requested_by_id) if retrieval.requested_by_id else None
    actor = requester if requester is not None else audit.Actor(None, "pacs retrieval")
    study = uploads.create_study(
        session,
        actor,
        patient=patient,
        referral=referral,
        modality=None,
        facility=facility,
        description=retrieval.description,
    )
    stored = mismatches = 0
    for batch in _batches(files, min(BATCH_BYTES, limits.max_request_bytes)):
        loaded = [(path.name, path.read_bytes()) for path in batch]
        added = uploads.add_files(session, actor, store, limits, study=study, files=loaded)
        stored += len(added)
        mismatches += len(added.identity_mismatches)
    retrieval.status = RetrievalStatus.DONE
    retrieval.imaging_study_id = study.id
    retrieval.received = len(files)
    retrieval.finished_at = utcnow()
    retrieval.message = retrieval_stored(stored, mismatches)
    session.flush()
    return study


def _batches(files: list[Path], limit: int) -> Iterable[list[Path]]:
    batch: list[Path] = []
    size = 0
    for path in files:
        length = path.stat().st_size
        if batch and size + length > limit:
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += length
    if batch:
        yield batch
