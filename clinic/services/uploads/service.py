"""The upload services: studies, files, referral letters, downloads. All or nothing per request."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...core import audit
from ...core.clock import utcnow
from ...core.errors import Conflict, DomainError, InvalidInput, NotFound, found
from ...core.messages import N_, Phrase
from ...models import ImagingStudy, Patient, Referral, ReferralDocument, StoredFile, StudyFile
from ...models.vocab import FileKind, IdentityCheck
from ..storage import CorruptBlob, FileStore
from .archive import (
    _check_request,
    _loader,
    _nothing_stored,
    _Part,
)
from .content import (
    Inspected,
    _sniff,
)
from .identity import check_identity
from .incoming import Incoming
from .limits import (
    _UNKNOWN_MODALITIES,
    ACCEPTED_DOCUMENT,
    UploadLimits,
    _too_large_file,
)
from .names import display_name, safe_filename

# --- services -----------------------------------------------------------------------------------------


class AddedFiles(list[StudyFile]):
    """The study files an upload added, plus what it left out: files the study already had
    (``duplicates``) and the non-DICOM entries of a CD (``skipped``). Both are names, for the screen."""

    def __init__(self, files: Iterable[StudyFile] = (), duplicates: Iterable[str] = (), skipped: Iterable[str] = ()):
        super().__init__(files)
        self.duplicates = list(duplicates)
        self.skipped = list(skipped)

    @property
    def identity_mismatches(self) -> list[StudyFile]:
        return [f for f in self if f.identity_status == IdentityCheck.MISMATCH]


def _clean_text(value: str | None, max_length: int, label: str) -> str | None:
    text = (value or "").strip()
    if len(text) > max_length:
        raise InvalidInput(
            N_("{label} is too long (at most {max_length} characters)."), label=label, max_length=max_length
        )
    return text or None


def create_study(
    session: Session,
    actor,
    *,
    patient: Patient,
    referral: Referral | None = None,
    modality: str | None,
    body_region: str | None = None,
    study_date: dt.date | None = None,
    facility: str | None = None,
    description: str | None = None,
) -> ImagingStudy:
    """A prior study for ``patient``. Modality and date may stay empty ("other" counts as empty):
    the first DICOM file uploaded fills them in."""
    if referral is not None and referral.patient_id != patient.id:
        raise InvalidInput(N_("That referral belongs to another patient."))
    study = ImagingStudy(
        patient_id=patient.id,
        referral_id=referral.id if referral is not None else None,
        modality=_clean_text(modality, 20, Phrase(N_("The modality"))) or "",
        body_region=_clean_text(body_region, 60, Phrase(N_("The body region"))),
        study_date=study_date,
        facility=_clean_text(facility, 120, Phrase(N_("The facility"))),
        description=(description or "").strip() or None,
        created_by_id=audit.actor_of(actor).id,
    )
    session.add(study)
    session.flush()
    return study


def _stored_files_by_sha(session: Session, shas: list[str]) -> dict[str, StoredFile]:
    found: dict[str, StoredFile] = {}
    for start in range(0, len(shas), 500):  # stay below SQLite's limit on bound parameters
        batch = shas[start : start + 500]
        found.update(
            (row.sha256, row) for row in session.scalars(select(StoredFile).where(StoredFile.sha256.in_(batch)))
        )
    return found


def _flush(session: Session) -> None:
    """Flush; the unique key on a blob's checksum becomes a message instead of a server error."""
    try:
        session.flush()
    except IntegrityError as exc:
        if "sha256" in str(exc.orig):
            # Another request stored the same new file at the same moment (a double click, say).
            raise Conflict(
                N_(
                    "The same file was being stored by another upload at the same moment. Nothing was stored; "
                    "please try again."
                )
            ) from exc
        raise


def _write_blobs(store: FileStore, parts: list[_Part], new_rows: set[str]) -> None:
    """Write the blobs of checked parts. On failure, remove those this call created for rows it also
    created (their rows are uncommitted, so nobody else can point at them), then let the error go on."""
    created: list[str] = []
    try:
        for part in parts:
            if part.path is not None:  # streamed to disk: copied into place in chunks
                sha256, was_created = part.sha256, store.add_file(part.path, part.sha256)
            else:
                sha256, was_created = store.add(part.load())
            if sha256 != part.sha256:
                raise RuntimeError(f"{part.name} changed between its check and its storage")
            if was_created and sha256 in new_rows:
                created.append(sha256)
    except BaseException:
        for sha256 in created:
            store.delete(sha256)
        raise


def _stored_file_for(session: Session, part: _Part, known: dict[str, StoredFile], new_rows: set[str]) -> StoredFile:
    stored = known.get(part.sha256)
    if stored is None:
        stored = StoredFile(sha256=part.sha256, size=part.size, content_type=part.inspected.content_type)
        session.add(stored)
        known[part.sha256] = stored
        new_rows.add(part.sha256)
    return stored


def _new_study_file(part: _Part, stored: StoredFile, patient: Patient, uploader_id: int | None) -> StudyFile:
    info = part.inspected
    status, note = check_identity(info, patient)
    return StudyFile(
        stored_file=stored,
        original_name=part.name[:255],
        kind=info.kind.value,
        dicom_modality=info.modality,
        dicom_body_part=info.body_part,
        dicom_study_date=info.study_date,
        dicom_description=info.study_description,
        dicom_patient_name=info.patient_name,
        dicom_patient_birth_date=info.patient_birth_date,
        identity_status=status.value,
        identity_note=note,
        uploaded_by_id=uploader_id,
    )


def add_files(
    session: Session,
    actor,
    store: FileStore,
    limits: UploadLimits,
    *,
    study: ImagingStudy,
    files: list[tuple[str, bytes | Incoming]],
) -> AddedFiles:
    """Add uploaded files (name, bytes or an upload streamed to disk) to ``study``: all of them, or none,
    with a message saying why.

    Content the study already has is reported in ``duplicates``, not stored again; content another
    study has is shared (one blob, one ``StoredFile``). DICOM files get their header fields and an
    identity check against the study's patient.
    """
    if not files:
        raise InvalidInput(N_("Choose at least one file to upload."))
    try:
        parts, skipped = _check_request(files, limits)
    except DomainError as error:
        raise _nothing_stored(error, len(files)) from error

    patient = session.get(Patient, study.patient_id)
    if patient is None:
        raise NotFound(N_("The study's patient no longer exists."))
    in_study = set(session.scalars(select(StoredFile.sha256).join(StudyFile).where(StudyFile.study_id == study.id)))
    known = _stored_files_by_sha(session, sorted({part.sha256 for part in parts}))
    new_rows: set[str] = set()
    added = AddedFiles(skipped=skipped)
    to_write: list[_Part] = []
    uploader_id = audit.actor_of(actor).id
    # No autoflush half way: the rows go to the database together, in the one flush below.
    with session.no_autoflush:
        for part in parts:
            if part.sha256 in in_study:
                added.duplicates.append(part.name)
                continue
            in_study.add(part.sha256)
            stored = _stored_file_for(session, part, known, new_rows)
            if part.sha256 in new_rows or not store.exists(part.sha256):
                to_write.append(part)  # an existing row whose blob went missing gets it back
            study_file = _new_study_file(part, stored, patient, uploader_id)
            study.files.append(study_file)
            added.append(study_file)
    if not added:
        return added
    _fill_study_from_header(study, [f for f in added if f.kind == FileKind.DICOM])
    audit.record(
        session,
        "imaging.upload",
        "imaging_studies",
        study.id,
        summary={
            "files": len(added),
            "identity_mismatch": len(added.identity_mismatches),
            "duplicates": len(added.duplicates),
        },
        patient_id=study.patient_id,
        actor=actor,
    )
    _flush(session)
    _write_blobs(store, to_write, new_rows)
    return added


def _fill_study_from_header(study: ImagingStudy, dicom_files: list[StudyFile]) -> None:
    """A study typed in without modality, date or description takes them from its first DICOM file."""
    if not dicom_files:
        return
    first = dicom_files[0]
    if (study.modality or "").strip().lower() in _UNKNOWN_MODALITIES and first.dicom_modality:
        study.modality = first.dicom_modality[:20]
    if study.study_date is None and first.dicom_study_date:
        study.study_date = first.dicom_study_date
    if not study.description and first.dicom_description:
        study.description = first.dicom_description


def add_referral_document(
    session: Session,
    actor,
    store: FileStore,
    limits: UploadLimits,
    *,
    referral: Referral,
    name: str,
    data: bytes,
) -> ReferralDocument:
    """Attach a referral letter (PDF, JPEG or PNG). Uploading the same letter again returns the one
    already attached."""
    shown = display_name(name)
    try:
        if len(data) > min(limits.max_file_bytes, limits.max_request_bytes):
            raise _too_large_file(shown, len(data), limits)
        kind = _sniff(shown, data, ACCEPTED_DOCUMENT)
        if kind == "zip" or kind is FileKind.DICOM:
            raise InvalidInput(
                N_("“{shown}” is {kind}. A referral letter must be {accepted}; images go under prior imaging."),
                shown=shown,
                kind=Phrase(N_("a ZIP archive")) if kind == "zip" else Phrase(N_("a DICOM file")),
                accepted=ACCEPTED_DOCUMENT,
            )
    except DomainError as error:
        raise _nothing_stored(error, 1) from error
    assert isinstance(kind, FileKind)
    part = _Part(shown, Inspected(kind, kind.content_type), hashlib.sha256(data).hexdigest(), len(data), _loader(data))

    known = _stored_files_by_sha(session, [part.sha256])
    if part.sha256 in known:
        existing = session.scalars(
            select(ReferralDocument).where(
                ReferralDocument.referral_id == referral.id, ReferralDocument.stored_file_id == known[part.sha256].id
            )
        ).first()
        if existing is not None:
            return existing
    new_rows: set[str] = set()
    with session.no_autoflush:  # the rows go to the database together, in the one flush below
        document = ReferralDocument(
            stored_file=_stored_file_for(session, part, known, new_rows),
            original_name=shown,
            uploaded_by_id=audit.actor_of(actor).id,
        )
        referral.documents.append(document)
    _flush(session)
    audit.record(
        session,
        "referral_document.upload",
        "referral_documents",
        document.id,
        summary={"kind": kind.value},
        patient_id=referral.patient_id,
        actor=actor,
    )
    needs_blob = bool(new_rows) or not store.exists(part.sha256)
    _write_blobs(store, [part] if needs_blob else [], new_rows)
    return document


# --- downloads ----------------------------------------------------------------------------------------


def _blob(store: FileStore, stored: StoredFile) -> bytes:
    try:
        return store.read(stored.sha256)
    except FileNotFoundError as exc:
        raise NotFound(N_("The stored copy of this file is missing. Please tell an administrator.")) from exc
    except CorruptBlob as exc:
        raise DomainError(
            N_("The stored copy of this file is damaged. Please tell an administrator (restore from backup)."),
            code="file_damaged",
        ) from exc


def _kind_of(content_type: str) -> FileKind:
    return {kind.content_type: kind for kind in FileKind}[content_type]


def _download(session: Session, store: FileStore, row, action: str, patient_id: int, kind: FileKind, actor):
    """(bytes, content type, file name) of an uploaded file's row, the opening audited as ``action``."""
    data = _blob(store, row.stored_file)
    audit.record(session, action, row.__tablename__, row.id, patient_id=patient_id, actor=actor)
    return data, row.stored_file.content_type, safe_filename(row.original_name, kind)


def download_study_file(
    session: Session, store: FileStore, study_file_id: int, *, actor=None
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) for sending as an attachment; the opening is audited."""
    study_file = found(session, StudyFile, study_file_id, N_("No such imaging file."))
    kind = FileKind(study_file.kind)
    return _download(session, store, study_file, "imaging.download", study_file.study.patient_id, kind, actor)


def download_referral_document(
    session: Session, store: FileStore, referral_document_id: int, *, actor=None
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) for sending as an attachment; the opening is audited."""
    document = found(session, ReferralDocument, referral_document_id, N_("No such referral document."))
    kind = _kind_of(document.stored_file.content_type)
    patient_id = document.referral.patient_id
    return _download(session, store, document, "referral_document.download", patient_id, kind, actor)


SET_ASIDE_REASON_LENGTH = 300


def set_aside_file(session: Session, actor, study_file_id: int, reason: str) -> StudyFile:
    """Set a prior-imaging file aside as "wrong patient": it stays on file for the record (uploaded
    files are never deleted, invariant 9), but no longer counts as the patient's imaging, on the
    checklist or the worklist. Needs a reason; audited."""
    study_file = found(session, StudyFile, study_file_id, N_("There is no such file."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(N_("Say why this file is set aside (for example: a different patient on the CD)."))
    if len(reason) > SET_ASIDE_REASON_LENGTH:
        raise InvalidInput(
            N_("The reason is too long: at most {set_aside_reason_length} characters."),
            set_aside_reason_length=SET_ASIDE_REASON_LENGTH,
        )
    if study_file.set_aside:
        raise DomainError(N_("This file was already set aside as wrong patient."))
    study_file.set_aside_at = utcnow()
    study_file.set_aside_by_id = audit.actor_of(actor).id
    study_file.set_aside_reason = reason
    audit.record(
        session,
        "imaging.set_aside",
        "study_files",
        study_file.id,
        summary={"file": study_file.original_name, "reason": reason, "identity": study_file.identity_status},
        patient_id=study_file.study.patient_id,
        actor=actor,
    )
    session.flush()
    return study_file
