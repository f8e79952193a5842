"""Prior imaging uploads (issue 4, invariant 9): files are checked by content, stored once by SHA-256,
DICOM headers are read and compared with the patient, and a refused or failed upload leaves nothing
behind, neither on disk nor in the database."""

from __future__ import annotations

import datetime as dt
import errno
import functools
import hashlib
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pydicom import config as pydicom_config
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid
from reportlab.pdfgen import canvas
from sqlalchemy import event, func, insert, select

from clinic.core.errors import Conflict, DomainError, InvalidInput, NotFound, TooLarge
from clinic.extensions import db
from clinic.models import AuditEvent, ImagingStudy, Patient, ReferralDocument, StoredFile, StudyFile
from clinic.models.vocab import FileKind, IdentityCheck, Role
from clinic.services import uploads
from clinic.services.storage import BLOB_MODE, FileStore
from tests.factories import make_patient, make_referral, make_user

KB = 1024
MB = 1024 * KB
# Small limits keep the oversized cases quick; the ZIP limits are the defaults' proportions.
LIMITS = uploads.UploadLimits(max_file_bytes=1 * MB, max_request_bytes=3 * MB, max_zip_total_bytes=10 * MB)
BIRTH = dt.date(1960, 1, 1)


# --- real files, made here ----------------------------------------------------------------------------


def dicom_bytes(
    *,
    name: str = "MUELLER^JUERGEN",
    birth: str = "19600101",
    modality: str = "CT",
    body_part: str = "LSPINE",
    study_date: str = "20260105",
    description: str = "CT LWS nativ",
    size: int = 32,
    implicit: bool = False,
) -> bytes:
    """A CT image as a scanner would write it (Part 10: preamble, DICM, file meta, data set, pixels).
    Each call makes a new SOP instance, so two calls never give the same bytes."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds = FileDataset("image.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8, so "MÜLLER" can be written as such
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName = name
    ds.PatientID = "EXT-4711"
    with pydicom_config.disable_value_validation():  # some cases need a birth date that is no date
        ds.PatientBirthDate = birth
    ds.Modality = modality
    ds.BodyPartExamined = body_part
    ds.StudyDate = study_date
    ds.StudyDescription = description
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = bytes(range(256)) * (size * size * 2 // 256) + bytes(size * size * 2 % 256)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def dicomdir_bytes() -> bytes:
    """A CD's DICOMDIR: a DICOM file of the Media Storage Directory class (an index, not an image)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("DICOMDIR", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.FileSetID = "PRIOR CT"
    ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = 0
    ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = 0
    ds.FileSetConsistencyFlag = 0
    ds.DirectoryRecordSequence = Sequence([])
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def pdf_bytes(text: str = "Befund: Bandscheibenvorfall L4/5") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def image_bytes(fmt: str, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


@functools.cache
def zeros_bomb() -> bytes:
    """50 MB of zeros in a ZIP of about 50 KB."""
    return zip_bytes({"IM000001": bytes(50 * MB)})


def lying_zip() -> bytes:
    """A ZIP whose headers understate what its entry unpacks to: never trust declared sizes."""
    data = bytearray(zip_bytes({"DICOM/IM000001": dicom_bytes(size=1024)}))
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 1000)  # uncompressed size in the local header
    struct.pack_into("<I", data, central + 24, 1000)  # ... and in the central directory
    return bytes(data)


# --- fixtures and helpers -----------------------------------------------------------------------------


@pytest.fixture
def store(app) -> FileStore:
    return FileStore(Path(app.config["UPLOAD_DIR"]))


@pytest.fixture
def user(session):
    return make_user(session, "desk", {Role.FRONT_DESK}, "Petra Möller")


@pytest.fixture
def patient(session) -> Patient:
    return make_patient(session, family_name="Müller", given_name="Jürgen", birth_date=BIRTH)


@pytest.fixture
def study(session, user, patient) -> ImagingStudy:
    return uploads.create_study(session, user, patient=patient, modality=None)


def blobs_on_disk(store: FileStore) -> list[Path]:
    """Every file under UPLOAD_DIR, temporary ones included."""
    return [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []


def row_count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def stored_state(session, store) -> tuple[int, int, int, int]:
    return (
        len(blobs_on_disk(store)),
        row_count(session, StoredFile),
        row_count(session, StudyFile),
        row_count(session, ReferralDocument),
    )


def upload(session, user, store, study, *files: tuple[str, bytes], limits=LIMITS) -> uploads.AddedFiles:
    return uploads.add_files(session, user, store, limits, study=study, files=list(files))


# --- good files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "kind", "extension"),
    [
        ("befund.pdf", pdf_bytes, FileKind.PDF, ".pdf"),
        ("foto.jpg", functools.partial(image_bytes, "JPEG"), FileKind.JPEG, ".jpg"),
        ("screenshot.png", functools.partial(image_bytes, "PNG"), FileKind.PNG, ".png"),
        ("IM000001", dicom_bytes, FileKind.DICOM, ".dcm"),
        ("implicit.dcm", functools.partial(dicom_bytes, implicit=True), FileKind.DICOM, ".dcm"),
    ],
)
def test_each_accepted_type_is_stored_by_content_with_its_kind(
    session, user, store, study, name, make, kind, extension
):
    data = make()
    [added] = upload(session, user, store, study, (name, data))

    sha = hashlib.sha256(data).hexdigest()
    assert added.kind == kind
    assert added.stored_file.content_type == kind.content_type
    assert added.stored_file.sha256 == sha
    assert added.stored_file.size == len(data)
    blob = store.path(sha)
    assert blob == store.root / sha[:2] / sha[2:4] / sha
    assert blob.read_bytes() == data
    assert blob.stat().st_mode & 0o777 == BLOB_MODE  # immutable once written
    # Downloads carry the type by content and a file name with the matching extension.
    body, content_type, filename = uploads.download_study_file(session, store, added.id)
    assert (body, content_type) == (data, kind.content_type)
    assert filename.endswith(extension)


def test_a_file_is_recognised_by_content_not_by_name(session, user, store, study):
    [added] = upload(session, user, store, study, ("scan.pdf", image_bytes("PNG")))
    assert added.kind == FileKind.PNG
    assert uploads.download_study_file(session, store, added.id)[2] == "scan.pdf.png"


def test_dicom_header_fields_are_read(session, user, store, study):
    data = dicom_bytes(
        name="MÜLLER^JÜRGEN", modality="MR", body_part="LSPINE", study_date="20251103", description="MRT LWS"
    )
    [added] = upload(session, user, store, study, ("mrt.dcm", data))

    assert added.dicom_modality == "MR"
    assert added.dicom_body_part == "LSPINE"
    assert added.dicom_study_date == dt.date(2025, 11, 3)
    assert added.dicom_description == "MRT LWS"
    assert added.dicom_patient_name == "MÜLLER^JÜRGEN"  # as written in the file
    assert added.dicom_patient_birth_date == BIRTH
    # The study was created without modality or date: the first DICOM header fills them in.
    assert (study.modality, study.study_date, study.description) == ("MR", dt.date(2025, 11, 3), "MRT LWS")


def test_a_study_keeps_the_modality_and_date_it_was_given(session, user, store, patient):
    study = uploads.create_study(
        session, user, patient=patient, modality="CT", study_date=dt.date(2025, 1, 2), facility="Radiologie Nord"
    )
    upload(session, user, store, study, ("ct.dcm", dicom_bytes(modality="MR", study_date="20250505")))
    assert (study.modality, study.study_date) == ("CT", dt.date(2025, 1, 2))


# --- patient identity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "birth", "expected", "note"),
    [
        ("MUELLER^JUERGEN", "19600101", IdentityCheck.MATCH, None),
        ("MULLER^JURGEN", "19600101", IdentityCheck.MATCH, None),
        ("Müller^Jürgen", "19600101", IdentityCheck.MATCH, None),
        ("MUELLER^JUERGEN KARL", "19600101", IdentityCheck.MATCH, None),  # an extra middle name
        ("MUELLER^JUERGEN^KARL^DR.", "19600101", IdentityCheck.MATCH, None),
        ("MUELLER JUERGEN", "19600101", IdentityCheck.MATCH, None),  # no caret: both names in one part
        ("SCHMIDT^JUERGEN", "19600101", IdentityCheck.MISMATCH, "family name"),
        ("MUELLER^HANS", "19600101", IdentityCheck.MISMATCH, "given name"),
        ("MUELLER^JUERGEN", "19610101", IdentityCheck.MISMATCH, "birth date"),
        ("SCHMIDT^HANS", "19700505", IdentityCheck.MISMATCH, "birth date"),
        ("", "19600101", IdentityCheck.CANNOT_VERIFY, "No patient name"),
        ("MUELLER^JUERGEN", "", IdentityCheck.CANNOT_VERIFY, "No birth date"),
        ("MUELLER^JUERGEN", "19601301", IdentityCheck.CANNOT_VERIFY, "not a valid date"),
        ("MUELLER", "19600101", IdentityCheck.CANNOT_VERIFY, "No given name"),
        ("", "", IdentityCheck.CANNOT_VERIFY, "No patient name"),
        ("", "19610101", IdentityCheck.MISMATCH, "birth date"),  # what is there differs
    ],
)
def test_dicom_identity_is_compared_with_the_patient(session, user, store, study, name, birth, expected, note):
    [added] = upload(session, user, store, study, ("x.dcm", dicom_bytes(name=name, birth=birth)))
    assert added.identity_status == expected
    if note is None:
        assert added.identity_note is None
    else:
        assert note in added.identity_note
    assert study.identity_mismatch == (expected == IdentityCheck.MISMATCH)


@pytest.mark.parametrize(
    ("on_record", "in_file", "same"),
    [
        ("Müller", "MUELLER", True),
        ("Müller", "MULLER", True),
        ("Mueller", "MÜLLER", True),
        ("Mueller", "MULLER", False),  # no umlaut to bridge them: perhaps another family
        ("Strauß", "STRAUSS", True),
        ("Łukasz", "LUKASZ", True),
        ("Müller-Lüdenscheidt", "MUELLER LUEDENSCHEIDT", True),
        ("Hans-Peter", "HANS", False),
    ],
)
def test_the_name_rule(on_record, in_file, same):
    patient = Patient(birth_date=BIRTH)
    patient.set_names(on_record, on_record)
    inspected = uploads.Inspected(
        FileKind.DICOM,
        FileKind.DICOM.content_type,
        patient_name=f"{in_file}^{in_file}",
        patient_birth_date=BIRTH,
        patient_birth_date_text="19600101",
    )
    status, _note = uploads.check_identity(inspected, patient)
    assert status == (IdentityCheck.MATCH if same else IdentityCheck.MISMATCH)


def test_identity_does_not_apply_to_pdf_and_pictures(session, user, store, study):
    added = upload(session, user, store, study, ("a.pdf", pdf_bytes()), ("b.png", image_bytes("PNG")))
    assert {f.identity_status for f in added} == {IdentityCheck.NOT_APPLICABLE}


# --- stored once --------------------------------------------------------------------------------------


def test_the_same_file_twice_is_stored_once(session, user, store, patient, study):
    data = dicom_bytes()
    first = upload(session, user, store, study, ("a.dcm", data), ("copy of a.dcm", data))
    assert len(first) == 1
    assert first.duplicates == ["copy of a.dcm"]

    again = upload(session, user, store, study, ("a-again.dcm", data))
    assert list(again) == []
    assert again.duplicates == ["a-again.dcm"]

    other_study = uploads.create_study(session, user, patient=patient, modality="CT")
    [shared] = upload(session, user, store, other_study, ("a.dcm", data))
    assert shared.stored_file_id == first[0].stored_file_id

    assert len(blobs_on_disk(store)) == 1
    assert row_count(session, StoredFile) == 1
    assert row_count(session, StudyFile) == 2


# --- a DICOM CD ---------------------------------------------------------------------------------------


def test_a_dicom_cd_zip_gives_one_file_per_image(session, user, store, study):
    images = [dicom_bytes(description="CT LWS") for _ in range(3)]
    cd = zip_bytes(
        {
            "DICOMDIR": dicomdir_bytes(),
            "README.TXT": b"Patient CD. Insert into a DICOM viewer.\r\n",
            "autorun.inf": b"[autorun]\r\nopen=viewer\\viewer.exe\r\n",
            "viewer/viewer.exe": b"MZ\x90\x00" + bytes(2000),
            **{f"DICOM/PT0/ST0/SE0/IM{n:06d}": image for n, image in enumerate(images)},
        }
    )
    added = upload(session, user, store, study, ("cd.zip", cd))

    assert len(added) == 3
    assert {f.kind for f in added} == {FileKind.DICOM}
    assert {f.stored_file.sha256 for f in added} == {hashlib.sha256(i).hexdigest() for i in images}
    assert sorted(added.skipped) == [
        "cd.zip/DICOMDIR",
        "cd.zip/README.TXT",
        "cd.zip/autorun.inf",
        "cd.zip/viewer/viewer.exe",
    ]
    assert len(blobs_on_disk(store)) == 3
    assert uploads.download_study_file(session, store, added[0].id)[2] == "IM000000.dcm"
    assert study.modality == "CT"


def test_a_cd_zip_stored_without_compression_is_read_too(session, user, store, study):
    cd = zip_bytes({"DICOMDIR": dicomdir_bytes(), "IM1": dicom_bytes()}, method=zipfile.ZIP_STORED)
    assert len(upload(session, user, store, study, ("cd.zip", cd))) == 1


# --- bad files leave nothing --------------------------------------------------------------------------


def _cut(data: bytes, keep: float | int) -> bytes:
    return data[: int(len(data) * keep)] if isinstance(keep, float) else data[:keep]


BAD_FILES = {
    "truncated pdf": (lambda: ("letter.pdf", _cut(pdf_bytes(), 0.6)), InvalidInput, "incomplete PDF"),
    "truncated jpeg": (lambda: ("photo.jpg", _cut(image_bytes("JPEG"), 0.7)), InvalidInput, "JPEG"),
    "truncated png": (lambda: ("shot.png", _cut(image_bytes("PNG"), 0.7)), InvalidInput, "PNG"),
    "dicom cut in the header": (lambda: ("IM1.dcm", _cut(dicom_bytes(), 300)), InvalidInput, "damaged DICOM"),
    "dicom cut in the pixels": (lambda: ("IM1.dcm", _cut(dicom_bytes(), 0.9)), InvalidInput, "damaged DICOM"),
    "program named .dcm": (
        lambda: ("image.dcm", b"\x7fELF\x02\x01\x01" + bytes(400)),
        InvalidInput,
        "not a file type we accept",
    ),
    "windows program named .pdf": (
        lambda: ("report.pdf", b"MZ\x90\x00\x03" + bytes(400)),
        InvalidInput,
        "not a file type we accept",
    ),
    "text named .pdf": (lambda: ("report.pdf", b"Dear colleague, ...\n" * 20), InvalidInput, "not a file type"),
    "empty file": (lambda: ("empty.pdf", b""), InvalidInput, "is empty"),
    "a cd's index alone": (lambda: ("DICOMDIR", dicomdir_bytes()), InvalidInput, "DICOMDIR"),
    "oversized file": (
        lambda: ("huge.pdf", b"%PDF-1.4\n%" + b"x" * (LIMITS.max_file_bytes + 1) + b"\n%%EOF\n"),
        TooLarge,
        "per file",
    ),
    "zip bomb": (lambda: ("cd.zip", zeros_bomb()), TooLarge, "would unpack to 50.0 MB"),
    "zip with lying sizes": (lambda: ("cd.zip", lying_zip()), InvalidInput, "damaged ZIP"),
    "zip climbing out with ../": (
        lambda: ("cd.zip", zip_bytes({"IM1": dicom_bytes(), "../evil.dcm": dicom_bytes()})),
        InvalidInput,
        "unsafe path",
    ),
    "zip with an absolute path": (
        lambda: ("cd.zip", zip_bytes({"IM1": dicom_bytes(), "/etc/passwd": b"root:x:0:0::/root:/bin/sh\n"})),
        InvalidInput,
        "unsafe path",
    ),
    "zip with a drive letter": (
        lambda: ("cd.zip", zip_bytes({"C:\\Windows\\evil.dcm": dicom_bytes()})),
        InvalidInput,
        "unsafe path",
    ),
    "nested zip": (
        lambda: ("cd.zip", zip_bytes({"IM1": dicom_bytes(), "more.zip": zip_bytes({"IM2": dicom_bytes()})})),
        InvalidInput,
        "another ZIP",
    ),
    "zip without dicom": (
        lambda: ("photos.zip", zip_bytes({"a.jpg": image_bytes("JPEG"), "README": b"hello"})),
        InvalidInput,
        "no DICOM images",
    ),
    "zip with a damaged dicom": (
        lambda: ("cd.zip", zip_bytes({"IM1": dicom_bytes(), "IM2": _cut(dicom_bytes(), 0.8)})),
        InvalidInput,
        "damaged DICOM",
    ),
    "truncated zip": (
        lambda: ("cd.zip", _cut(zip_bytes({"IM1": dicom_bytes(), "IM2": dicom_bytes()}), 0.5)),
        InvalidInput,
        "damaged ZIP",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES.keys())
def test_a_bad_file_is_refused_clearly_and_leaves_nothing(session, user, store, study, case):
    make, error, message = BAD_FILES[case]
    name, data = make()
    before = stored_state(session, store)

    with pytest.raises(error, match=message) as refused:
        upload(session, user, store, study, (name, data))

    assert "Nothing was stored" in refused.value.message
    assert name in refused.value.message  # the message names the file (or the ZIP entry)
    session.rollback()  # as the request boundary does on an error
    assert stored_state(session, store) == before == (0, 0, 0, 0)


def test_a_zip_bomb_is_caught_by_its_compression_ratio_too(session, user, store, study):
    roomy = uploads.UploadLimits(max_file_bytes=100 * MB, max_request_bytes=300 * MB, max_zip_total_bytes=1000 * MB)
    with pytest.raises(TooLarge, match="compressed more than 200:1"):
        upload(session, user, store, study, ("cd.zip", zeros_bomb()), limits=roomy)
    session.rollback()
    assert stored_state(session, store) == (0, 0, 0, 0)


def test_too_many_zip_entries_are_refused(session, user, store, study):
    few = uploads.UploadLimits(max_file_bytes=MB, max_request_bytes=3 * MB, max_zip_entries=3)
    cd = zip_bytes({f"IM{n}": dicom_bytes() for n in range(4)})
    with pytest.raises(TooLarge, match="at most 3"):
        upload(session, user, store, study, ("cd.zip", cd), limits=few)


def test_an_oversized_request_is_refused(session, user, store, study):
    # Each file is under the per-file limit; together they are over the per-request limit.
    files = [(f"part{n}.pdf", b"%PDF-1.4\n%" + b"x" * (900 * KB) + b"\n%%EOF\n") for n in range(4)]
    with pytest.raises(TooLarge, match=r"add up to 3\.5 MB; the limit is 3\.0 MB per upload") as refused:
        upload(session, user, store, study, *files)
    assert "None of the 4 files was stored" in refused.value.message
    session.rollback()
    assert stored_state(session, store) == (0, 0, 0, 0)


def test_a_bad_third_file_keeps_the_first_two_out(session, user, store, study):
    good_one, good_two = ("a.pdf", pdf_bytes()), ("b.dcm", dicom_bytes())
    bad = ("c.jpg", _cut(image_bytes("JPEG"), 0.5))

    with pytest.raises(InvalidInput, match=r"“c\.jpg” is an incomplete or damaged JPEG") as refused:
        upload(session, user, store, study, good_one, good_two, bad)

    assert "None of the 3 files was stored" in refused.value.message
    session.rollback()
    assert stored_state(session, store) == (0, 0, 0, 0)


# --- failures after the checks ------------------------------------------------------------------------


def test_a_database_failure_on_flush_leaves_no_blob(session, user, store, study, backend):
    """The honest way to make the flush fail is what a double click does: a second request stores the
    same new file and commits between our lookup and our flush, and the unique key on the checksum
    refuses our row. On PostgreSQL that race is real, and is played here with a second connection just
    before our flush. On SQLite the write lock (BEGIN IMMEDIATE) makes the race impossible, so the same
    row is written past the ORM on our own connection instead; the unique key refuses ours alike."""
    data = dicom_bytes()
    sha = hashlib.sha256(data).hexdigest()
    session.commit()
    our_session = session()
    raced = []

    def same_file_stored_first(*_args) -> None:
        if raced:
            return
        raced.append(True)
        row = insert(StoredFile.__table__).values(sha256=sha, size=len(data), content_type="application/dicom")
        if backend == "postgresql":
            with db.engine.begin() as other_request:
                other_request.execute(row)
        else:
            our_session.connection().execute(row)

    event.listen(our_session, "before_flush", same_file_stored_first)
    try:
        with pytest.raises(Conflict, match="at the same moment"):
            upload(session, user, store, study, ("a.dcm", data))
    finally:
        event.remove(our_session, "before_flush", same_file_stored_first)
    session.rollback()

    assert raced
    assert blobs_on_disk(store) == []
    assert row_count(session, StudyFile) == 0
    # Only the other request's row, where there was another request.
    assert row_count(session, StoredFile) == (1 if backend == "postgresql" else 0)


class DiskFullAfter(FileStore):
    """A store whose disk fills up after ``writes`` blobs."""

    def __init__(self, root: Path, writes: int) -> None:
        super().__init__(root)
        self.writes_left = writes

    def add(self, data: bytes) -> tuple[str, bool]:
        if self.writes_left == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.writes_left -= 1
        return super().add(data)


def test_a_storage_failure_removes_the_blobs_this_upload_created_and_no_others(session, user, store, patient, study):
    shared = dicom_bytes()
    upload(session, user, store, study, ("shared.dcm", shared))
    session.commit()
    other_study = uploads.create_study(session, user, patient=patient, modality="CT")
    session.commit()
    before = stored_state(session, store)

    full = DiskFullAfter(store.root, writes=1)
    with pytest.raises(OSError, match="No space left"):
        upload(
            session, user, full, other_study, ("shared.dcm", shared), ("b.dcm", dicom_bytes()), ("c.pdf", pdf_bytes())
        )
    session.rollback()

    assert stored_state(session, store) == before == (1, 1, 1, 0)
    # The blob that another study's committed row points to is still there, and still whole.
    assert store.read(hashlib.sha256(shared).hexdigest()) == shared


# --- referral letters ---------------------------------------------------------------------------------


def test_a_referral_letter_is_stored_once_and_downloads_as_an_attachment(session, user, store, patient):
    referral = make_referral(session, patient)
    letter = pdf_bytes("Überweisung: PRT L5 links")
    document = uploads.add_referral_document(
        session, user, store, LIMITS, referral=referral, name="C:\\Scans\\Überweisung.pdf", data=letter
    )
    again = uploads.add_referral_document(session, user, store, LIMITS, referral=referral, name="copy.pdf", data=letter)

    assert again.id == document.id
    assert stored_state(session, store) == (1, 1, 0, 1)
    [event_row] = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral_document.upload"))
    assert (event_row.patient_id, event_row.actor_id) == (patient.id, user.id)
    body, content_type, filename = uploads.download_referral_document(session, store, document.id)
    assert (body, content_type, filename) == (letter, "application/pdf", "Überweisung.pdf")


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("letter.dcm", dicom_bytes, "is a DICOM file"),
        ("cd.zip", lambda: zip_bytes({"IM1": dicom_bytes()}), "is a ZIP archive"),
        ("letter.pdf", lambda: _cut(pdf_bytes(), 0.5), "incomplete PDF"),
        ("letter.pdf", lambda: b"", "is empty"),
    ],
)
def test_a_referral_letter_must_be_a_whole_pdf_or_picture(session, user, store, patient, name, make, message):
    referral = make_referral(session, patient)
    with pytest.raises(InvalidInput, match=message):
        uploads.add_referral_document(session, user, store, LIMITS, referral=referral, name=name, data=make())
    session.rollback()
    assert stored_state(session, store) == (0, 0, 0, 0)


# --- downloads, names, audit, limits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "kind", "expected"),
    [
        ("../../etc/passwd", FileKind.PDF, "passwd.pdf"),
        ("C:\\Users\\desk\\Scan 1.JPG", FileKind.JPEG, "Scan 1.JPG"),
        ("cd.zip/DICOM/IM000001", FileKind.DICOM, "IM000001.dcm"),
        ("1.2.840.113619.2.55.3.604688", FileKind.DICOM, "1.2.840.113619.2.55.3.604688.dcm"),
        ("report\r\n.pdf", FileKind.PDF, "report.pdf"),
        ('say "cheese".png', FileKind.PNG, "say _cheese_.png"),
        ("scan.pdf", FileKind.PNG, "scan.pdf.png"),
        ("", FileKind.PNG, "file.png"),
        ("...", FileKind.PDF, "file.pdf"),
        ("CON.pdf", FileKind.PDF, "_CON.pdf"),
    ],
)
def test_download_names_are_safe(original, kind, expected):
    assert uploads.safe_filename(original, kind) == expected


def test_a_missing_or_changed_blob_is_a_clear_error(session, user, store, study):
    [added] = upload(session, user, store, study, ("a.pdf", pdf_bytes()))
    blob = store.path(added.stored_file.sha256)
    blob.chmod(0o640)
    blob.write_bytes(b"%PDF-1.4 tampered %%EOF")
    with pytest.raises(DomainError, match="damaged"):
        uploads.download_study_file(session, store, added.id)
    blob.unlink()
    with pytest.raises(NotFound, match="missing"):
        uploads.download_study_file(session, store, added.id)


def test_uploads_and_downloads_are_audited_without_names_or_contents(session, user, store, study):
    added = upload(
        session,
        user,
        store,
        study,
        ("a.dcm", dicom_bytes(name="SCHMIDT^HANS")),
        ("b.dcm", dicom_bytes()),
        ("c.pdf", pdf_bytes()),
    )
    uploads.download_study_file(session, store, added[0].id, actor=user)
    session.flush()

    [event_row] = session.scalars(select(AuditEvent).where(AuditEvent.action == "imaging.upload"))
    assert event_row.actor_id == user.id
    assert event_row.patient_id == study.patient_id
    assert event_row.object_id == str(study.id)
    assert json.loads(event_row.summary) == {"files": 3, "identity_mismatch": 1, "duplicates": 0}
    [download] = session.scalars(select(AuditEvent).where(AuditEvent.action == "imaging.download"))
    assert download.patient_id == study.patient_id
    every_summary = " ".join(e.summary or "" for e in session.scalars(select(AuditEvent)))
    assert "SCHMIDT" not in every_summary and "MUELLER" not in every_summary


def test_limits_come_from_the_config():
    limits = uploads.limits_from_config({"UPLOAD_MAX_FILE_MB": 100, "UPLOAD_MAX_REQUEST_MB": 300})
    assert limits.max_file_bytes == 100 * MB
    assert limits.max_request_bytes == 300 * MB
    assert limits.zip_total_bytes == 1200 * MB
    assert (limits.max_zip_entries, limits.max_compression_ratio) == (5000, 200)


def test_a_study_needs_the_referral_of_its_own_patient(session, user, patient):
    stranger = make_referral(session)
    with pytest.raises(InvalidInput, match="another patient"):
        uploads.create_study(session, user, patient=patient, referral=stranger, modality="CT")


def test_the_store_names_blobs_by_content_and_nothing_else(tmp_path):
    store = FileStore(tmp_path / "uploads")
    sha, created = store.add(b"%PDF-1.4 a letter %%EOF")
    assert created
    assert store.add(b"%PDF-1.4 a letter %%EOF") == (sha, False)
    assert store.put(b"%PDF-1.4 a letter %%EOF") == sha
    assert store.exists(sha) and store.read(sha) == b"%PDF-1.4 a letter %%EOF"
    assert [p.name for p in blobs_on_disk(store)] == [sha]  # no temporary files left behind
    for bad_name in ("../../etc/passwd", sha.upper(), sha[:-1], ""):
        with pytest.raises(ValueError, match="not a SHA-256"):
            store.path(bad_name)
    store.delete(sha)
    assert not store.exists(sha)
