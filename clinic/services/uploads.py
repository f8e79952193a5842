"""Prior imaging and referral letters: checking uploaded files, storing them once, reading DICOM headers.

What a file is comes from its content, never its name: PDF, JPEG and PNG by their signatures (and a
proper end, so a file cut off in transfer is caught), DICOM by the "DICM" marker at byte 128 and a
header that pydicom can read. A ZIP is taken as the copy of a DICOM CD: its DICOM files become the
study's files, everything else on the CD (DICOMDIR, viewers, autorun.inf, READMEs) is skipped.

One request is all or nothing (invariant 9). Every file is checked first, ZIPs included; only then are
rows flushed and blobs written. If anything fails after that, the blobs this call created are removed
before the error goes on, and the request boundary rolls the rows back.

Why rows before blobs: ``stored_files.sha256`` is unique, so once our new row is flushed, a second
request storing the same new content waits on that row until we commit or roll back. Any blob we
remove on failure can therefore never be one that another request's row points to. An error after
this module has returned (when the boundary rolls back later) can leave a blob without a row: that
wastes a little disk, where the opposite order could leave a row without its file.

Patient identity: the DICOM header names a patient and a birth date; both are compared with the
patient the study belongs to, and a mismatch is flagged on the file (see ``check_identity``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import pydicom
from pydicom import config as dicom_config
from pydicom.multival import MultiValue
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import ImagingStudy, Patient, Referral, ReferralDocument, StoredFile, StudyFile
from ..models.vocab import FileKind, IdentityCheck
from ..text import search_key
from . import audit
from .errors import Conflict, DomainError, InvalidInput, NotFound, TooLarge
from .storage import CorruptBlob, FileStore

MB = 1024 * 1024
ACCEPTED_IMAGING = "PDF, JPEG, PNG, DICOM, or a ZIP of a DICOM CD"
ACCEPTED_DOCUMENT = "PDF, JPEG or PNG"

# Below this size an entry's compression ratio says nothing: a blank 512×512 image squeezes to a few
# hundred bytes and is harmless. Above it, a ratio past the limit is what ZIP bombs look like.
RATIO_CHECK_MIN_BYTES = 1 * MB
_CHUNK = 64 * 1024
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10"  # Media Storage Directory Storage
_DEFLATED_TS = "1.2.840.10008.1.2.1.99"
_IMPLICIT_LE_TS = "1.2.840.10008.1.2"
_EXPLICIT_BE_TS = "1.2.840.10008.1.2.2"
_UNKNOWN_MODALITIES = {"", "other", "ot"}


# --- limits -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    max_request_bytes: int
    max_zip_entries: int = 5000
    # What the ZIPs of one request may unpack to in all. Four times the request limit fits a CD
    # (DICOM compresses about 2–3:1) while keeping a bomb far from filling memory or disk.
    max_zip_total_bytes: int | None = None
    max_compression_ratio: int = 200

    def __post_init__(self) -> None:
        if self.max_zip_total_bytes is None:
            object.__setattr__(self, "max_zip_total_bytes", 4 * self.max_request_bytes)
        for name in ("max_file_bytes", "max_request_bytes", "max_zip_entries", "max_compression_ratio"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")

    @property
    def zip_total_bytes(self) -> int:
        assert self.max_zip_total_bytes is not None  # set in __post_init__
        return self.max_zip_total_bytes


def limits_from_config(config: Mapping[str, Any]) -> UploadLimits:
    """Limits from the app config: UPLOAD_MAX_FILE_MB and UPLOAD_MAX_REQUEST_MB, and optionally
    UPLOAD_MAX_ZIP_TOTAL_MB, UPLOAD_MAX_ZIP_ENTRIES and UPLOAD_MAX_COMPRESSION_RATIO."""
    request_bytes = int(config.get("UPLOAD_MAX_REQUEST_MB", 300)) * MB
    zip_total_mb = config.get("UPLOAD_MAX_ZIP_TOTAL_MB")
    return UploadLimits(
        max_file_bytes=int(config.get("UPLOAD_MAX_FILE_MB", 100)) * MB,
        max_request_bytes=request_bytes,
        max_zip_entries=int(config.get("UPLOAD_MAX_ZIP_ENTRIES", 5000)),
        max_zip_total_bytes=int(zip_total_mb) * MB if zip_total_mb else None,
        max_compression_ratio=int(config.get("UPLOAD_MAX_COMPRESSION_RATIO", 200)),
    )


# --- what a file is -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspected:
    """What the content of one file turned out to be; the DICOM fields are None for other kinds."""

    kind: FileKind
    content_type: str
    modality: str | None = None
    body_part: str | None = None
    study_date: dt.date | None = None
    study_description: str | None = None
    patient_name: str | None = None  # as written in the file, e.g. "MUELLER^JUERGEN"
    patient_birth_date: dt.date | None = None
    # The birth date as written, so "not a valid date" can be told apart from "empty".
    patient_birth_date_text: str | None = None


def inspect(name: str, data: bytes) -> Inspected:
    """Say what ``data`` is (PDF, JPEG, PNG or DICOM), or refuse it with a message naming the file."""
    shown = display_name(name)
    kind = _sniff(shown, data, ACCEPTED_IMAGING)
    if kind == "zip":
        raise InvalidInput(f"“{shown}” is a ZIP archive; a ZIP is only taken as a whole DICOM CD for prior imaging.")
    return _inspected(shown, data, kind)


def _inspected(shown: str, data: bytes, kind: FileKind) -> Inspected:
    if kind is FileKind.DICOM:
        inspected, is_directory = _inspect_dicom(shown, data)
        if is_directory:
            raise InvalidInput(
                f"“{shown}” is the DICOMDIR index of a CD, not an image. Upload the whole CD as one ZIP instead."
            )
        return inspected
    return Inspected(kind=kind, content_type=kind.content_type)


def _sniff(shown: str, data: bytes, accepted: str) -> FileKind | str:
    """The kind by signature and a check that the file is whole; "zip" for ZIP archives."""
    if not data:
        raise InvalidInput(f"“{shown}” is empty (0 bytes).")
    if data.startswith(b"%PDF-"):
        # Every PDF ends with "%%EOF" (perhaps followed by a line break or a little padding).
        if b"%%EOF" not in data[-1024:]:
            raise InvalidInput(f"“{shown}” is an incomplete PDF: its end is missing (cut off during copying?).")
        return FileKind.PDF
    if data.startswith(b"\xff\xd8\xff"):
        if not _jpeg_complete(data):
            raise InvalidInput(f"“{shown}” is an incomplete or damaged JPEG image (cut off during copying?).")
        return FileKind.JPEG
    if data.startswith(_PNG_SIGNATURE):
        if not _png_complete(data):
            raise InvalidInput(f"“{shown}” is an incomplete or damaged PNG image (cut off during copying?).")
        return FileKind.PNG
    if data.startswith(_ZIP_SIGNATURES):
        return "zip"
    if len(data) >= 132 and data[128:132] == b"DICM":
        return FileKind.DICOM
    raise InvalidInput(
        f"“{shown}” is not a file type we accept. Accepted: {accepted}. (The content is checked, not the file name.)"
    )


def _jpeg_complete(data: bytes) -> bool:
    """Walk the JPEG markers from SOI to EOI. Bytes after EOI (some cameras append data) are fine."""
    pos, end = 2, len(data)
    while pos + 2 <= end:
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:  # EOI
            return True
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        if pos + 4 > end:
            return False
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > end:
            return False
        pos += 2 + length
        if marker == 0xDA:
            # Entropy-coded data follows the scan header; in it, 0xFF is always followed by 0x00 (a
            # stuffed byte) or a restart marker, so the next other marker ends the scan.
            while True:
                found = data.find(b"\xff", pos)
                if found < 0 or found + 1 >= end:
                    return False
                following = data[found + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos = found + 2
                    continue
                pos = found
                break
    return False


def _png_complete(data: bytes) -> bool:
    """Walk the PNG chunks, checking each CRC, up to IEND."""
    view = memoryview(data)
    pos, end = len(_PNG_SIGNATURE), len(data)
    while pos + 12 <= end:
        length = int.from_bytes(view[pos : pos + 4], "big")
        chunk_end = pos + 12 + length
        if chunk_end > end:
            return False
        if zlib.crc32(view[pos + 4 : chunk_end - 4]) != int.from_bytes(view[chunk_end - 4 : chunk_end], "big"):
            return False
        if view[pos + 4 : pos + 8] == b"IEND":
            return True
        pos = chunk_end
    return False


# --- DICOM --------------------------------------------------------------------------------------------


def _inspect_dicom(shown: str, data: bytes) -> tuple[Inspected, bool]:
    """The header fields of a DICOM file, and whether it is a DICOMDIR (a CD's index, not an image)."""
    damaged = InvalidInput(
        f"“{shown}” is a damaged DICOM file: it could not be read completely (cut off during copying?)."
    )
    walk = _DicomWalk(data)
    try:
        dataset_start, transfer_syntax = _read_file_meta(walk)
    except _Damaged as exc:
        raise damaged from exc
    if transfer_syntax == _DEFLATED_TS:
        # pydicom would inflate the whole data set in memory without a limit: a bomb in disguise.
        raise InvalidInput(
            f"“{shown}” uses the deflated DICOM encoding, which we do not accept. "
            "Please ask the sender for an uncompressed or standard export."
        )
    try:
        _check_dataset(walk, dataset_start, transfer_syntax)
        # Values are judged here (a bad birth date is "cannot verify"), not by pydicom's validation,
        # which would only warn about them.
        with dicom_config.disable_value_validation():
            ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
            is_directory = str(ds.file_meta.get("MediaStorageSOPClassUID", "")) == _DICOMDIR_SOP_CLASS
            birth_text = _text(ds.get("PatientBirthDate"), 16)
            inspected = Inspected(
                kind=FileKind.DICOM,
                content_type=FileKind.DICOM.content_type,
                modality=_text(ds.get("Modality"), 16),
                body_part=_text(ds.get("BodyPartExamined"), 64),
                study_date=_dicom_date(ds.get("StudyDate")),
                study_description=_text(ds.get("StudyDescription"), 200),
                patient_name=_text(ds.get("PatientName"), 200),
                patient_birth_date=_dicom_date(birth_text),
                patient_birth_date_text=birth_text,
            )
            empty = len(ds) == 0
    # The parser meets malformed input with many exception types (struct.error, ValueError, KeyError,
    # UnicodeDecodeError, EOFError, its own InvalidDicomError...): for us they all mean "damaged".
    except Exception as exc:
        raise damaged from exc
    if empty:
        raise InvalidInput(f"“{shown}” is a DICOM file without any content.")
    return inspected, is_directory


class _Damaged(Exception):
    """The bytes end before the DICOM structure does, or the structure makes no sense."""


_LONG_VRS = {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"}
_UNDEFINED = 0xFFFFFFFF
_ITEM, _ITEM_END, _SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD


def _read_file_meta(walk: _DicomWalk) -> tuple[int, str | None]:
    """Where the data set starts, and the transfer syntax UID if the file meta group gives one.
    The file meta group is always explicit VR little endian."""
    pos, transfer_syntax = 132, None
    while pos < walk.end:
        tag, length, value_pos, _vr = walk.header(pos, explicit=True, little=True)
        if tag >> 16 != 0x0002:
            break
        if length == _UNDEFINED:
            raise _Damaged
        end = walk.skip(value_pos, length)
        if tag == 0x00020010:
            transfer_syntax = walk.data[value_pos:end].rstrip(b"\0 ").decode("ascii", "replace")
        pos = end
    return pos, transfer_syntax


def _check_dataset(walk: _DicomWalk, pos: int, transfer_syntax: str | None) -> None:
    """Every element must fit inside the file: pydicom quietly accepts a file cut off in the middle."""
    if transfer_syntax is None:
        # No transfer syntax given: guess, as pydicom does, from whether a VR follows the first tag.
        vr = walk.data[pos + 4 : pos + 6]
        explicit = vr.isalpha() and vr.isupper()
    else:
        explicit = transfer_syntax != _IMPLICIT_LE_TS
    try:
        walk.dataset(pos, explicit=explicit, little=transfer_syntax != _EXPLICIT_BE_TS, in_item=False)
    except RecursionError as exc:  # sequences nested beyond reason
        raise _Damaged from exc


class _DicomWalk:
    """Steps over DICOM data elements without decoding values, checking that each one fits."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.end = len(data)

    def header(self, pos: int, *, explicit: bool, little: bool) -> tuple[int, int, int, bytes | None]:
        """Tag, value length, where the value starts, and the VR (None if implicit)."""
        if pos + 8 > self.end:
            raise _Damaged
        order = "<" if little else ">"
        group, element = struct.unpack_from(order + "HH", self.data, pos)
        tag = group << 16 | element
        vr = self.data[pos + 4 : pos + 6]
        # Items and delimiters never carry a VR; an element without a plausible VR amid explicit ones
        # is read as implicit, as pydicom does.
        if group == 0xFFFE or not explicit or not (vr.isalpha() and vr.isupper()):
            return tag, struct.unpack_from(order + "I", self.data, pos + 4)[0], pos + 8, None
        if vr in _LONG_VRS:
            if pos + 12 > self.end:
                raise _Damaged
            return tag, struct.unpack_from(order + "I", self.data, pos + 8)[0], pos + 12, vr
        return tag, struct.unpack_from(order + "H", self.data, pos + 6)[0], pos + 8, vr

    def skip(self, pos: int, length: int) -> int:
        if pos + length > self.end:
            raise _Damaged
        return pos + length

    def dataset(self, pos: int, *, explicit: bool, little: bool, in_item: bool) -> int:
        while True:
            if not in_item and pos == self.end:
                return pos
            if not in_item and self._only_zeros_from(pos):
                return self.end  # trailing padding, as some writers leave
            tag, length, value_pos, vr = self.header(pos, explicit=explicit, little=little)
            if tag == _ITEM_END and in_item:
                return value_pos
            if length == _UNDEFINED:
                # An undefined-length UN holds implicit VR little endian content (PS3.5 6.2.2).
                if vr == b"UN":
                    pos = self.items(value_pos, explicit=False, little=True)
                else:
                    pos = self.items(value_pos, explicit=explicit, little=little)
            else:
                pos = self.skip(value_pos, length)

    def items(self, pos: int, *, explicit: bool, little: bool) -> int:
        """Sequence items (or encapsulated pixel data fragments) up to the sequence delimiter."""
        while True:
            tag, length, value_pos, _vr = self.header(pos, explicit=explicit, little=little)
            if tag == _SEQUENCE_END:
                return value_pos
            if tag != _ITEM:
                raise _Damaged
            if length == _UNDEFINED:
                pos = self.dataset(value_pos, explicit=explicit, little=little, in_item=True)
            else:
                pos = self.skip(value_pos, length)

    def _only_zeros_from(self, pos: int) -> bool:
        # Cheap first: a real element never starts with a zero tag at the top level.
        return self.data[pos : pos + 4] == b"\0\0\0\0" and self.data.count(0, pos) == self.end - pos


def _text(value: object, max_length: int) -> str | None:
    """A header value as clean text for the database: no control characters, trimmed to fit."""
    if value is None:
        return None
    if isinstance(value, MultiValue):
        value = value[0] if len(value) else ""
    text = "".join(ch for ch in str(value) if unicodedata.category(ch)[0] != "C").strip()
    return text[:max_length] or None


def _dicom_date(value: object) -> dt.date | None:
    """A DICOM DA value ("YYYYMMDD"; old files write "YYYY.MM.DD") as a date, or None."""
    if value is None:
        return None
    if isinstance(value, dt.date):  # pydicom's datetime conversion may be switched on
        return value if not isinstance(value, dt.datetime) else value.date()
    digits = str(value).strip().replace(".", "")
    if not re.fullmatch(r"\d{8}", digits):
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


# --- ZIP of a DICOM CD --------------------------------------------------------------------------------


@dataclass
class _Part:
    """One checked file, ready to be stored; ``load`` gives its bytes again (a ZIP entry is re-read)."""

    name: str
    inspected: Inspected
    sha256: str
    size: int
    load: Callable[[], bytes]


class _Budget:
    """The bytes a request's ZIPs may still unpack to, counted as they are actually read."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, n: int) -> bool:
        self.used += n
        return self.used <= self.limit


def _unsafe_entry_name(raw: str) -> bool:
    name = raw.replace("\\", "/")
    return "\0" in raw or name.startswith("/") or re.match(r"^[A-Za-z]:", name) is not None or ".." in name.split("/")


def _open_zip(
    shown: str, data: bytes, limits: UploadLimits, budget: _Budget
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its file entries, once everything its central directory declares is checked:
    before a single byte is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InvalidInput(f"“{shown}” is a damaged ZIP archive and could not be read.") from exc
    if len(infos) > limits.max_zip_entries:
        raise TooLarge(f"“{shown}” holds {len(infos)} entries; at most {limits.max_zip_entries} are accepted.")
    for info in infos:
        if _unsafe_entry_name(info.orig_filename) or _unsafe_entry_name(info.filename):
            raise InvalidInput(
                f"“{shown}” was refused: it contains an entry with an unsafe path ({info.orig_filename[:80]!r}). "
                "A CD copy never needs absolute paths or “..”."
            )
    files = [info for info in infos if not info.is_dir()]
    declared = sum(info.file_size for info in files)
    if declared > limits.zip_total_bytes - budget.used:
        raise TooLarge(
            f"“{shown}” would unpack to {_size(declared)}, more than the {_size(limits.zip_total_bytes)} "
            "allowed for one upload."
        )
    for info in files:
        if info.flag_bits & 0x1:
            raise InvalidInput(f"“{shown}” is password-protected; please upload an unprotected copy.")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_compression_ratio:
            raise TooLarge(
                f"“{shown}” was refused: “{display_name(info.filename)}” is compressed more than "
                f"{limits.max_compression_ratio}:1, the mark of a ZIP bomb rather than of medical images."
            )
    return archive, files


def _expand_zip(shown: str, data: bytes, limits: UploadLimits, budget: _Budget, skipped: list[str]) -> list[_Part]:
    """The DICOM files of a CD copy, each checked like a single upload; the rest goes to ``skipped``."""
    archive, files = _open_zip(shown, data, limits, budget)
    parts: list[_Part] = []
    for info in files:
        entry = f"{shown}/{display_name(info.filename)}"
        head = _inflate(shown, archive, info, limits, budget, head=132)
        if head.startswith(_ZIP_SIGNATURES):
            raise InvalidInput(f"“{shown}” contains another ZIP archive (“{entry}”); please unpack it first.")
        if len(head) < 132 or head[128:132] != b"DICM":
            skipped.append(entry)  # DICOM viewers, autorun.inf, READMEs: not part of the study
            continue
        if info.file_size > limits.max_file_bytes:
            raise TooLarge(_too_large_file(entry, info.file_size, limits))
        content = _inflate(shown, archive, info, limits, budget)
        inspected, is_directory = _inspect_dicom(entry, content)
        if is_directory:
            skipped.append(entry)
            continue
        reread = partial(_inflate, shown, archive, info, limits, None)
        parts.append(_Part(entry, inspected, hashlib.sha256(content).hexdigest(), len(content), reread))
    if not parts:
        raise InvalidInput(f"“{shown}” contains no DICOM images. A ZIP is only accepted as a copy of a DICOM CD.")
    return parts


def _inflate(
    shown: str,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: UploadLimits,
    budget: _Budget | None,
    *,
    head: int | None = None,
) -> bytes:
    """An entry's bytes (or only its first ``head`` bytes), read in chunks and counted as they come:
    the sizes an archive declares are not trusted. ``budget`` is None when re-reading a checked entry."""
    # One byte past the per-file limit is enough to know the limit is broken.
    wanted = head if head is not None else limits.max_file_bytes + 1
    chunks: list[bytes] = []
    total = 0
    try:
        with archive.open(info) as fh:
            while total < wanted:
                chunk = fh.read(min(_CHUNK, wanted - total))
                if not chunk:
                    break
                total += len(chunk)
                chunks.append(chunk)
                if budget is not None and not budget.take(len(chunk)):
                    raise TooLarge(
                        f"“{shown}” unpacks to more than the {_size(limits.zip_total_bytes)} allowed for one "
                        "upload (a ZIP bomb, or a CD too large for one upload)."
                    )
    except NotImplementedError as exc:  # e.g. Deflate64, which Windows uses for large archives
        raise InvalidInput(
            f"“{shown}” uses a compression method we cannot read; please zip it again with standard compression."
        ) from exc
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise InvalidInput(f"“{shown}” is a damaged ZIP archive: “{info.filename}” could not be read.") from exc
    if total > limits.max_file_bytes:
        raise TooLarge(_too_large_file(f"{shown}/{info.filename}", total, limits))
    return b"".join(chunks)


# --- patient identity ---------------------------------------------------------------------------------

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _name_keys(name: str) -> set[str]:
    """The forms under which a name counts as the same: folded by ``search_key`` ("Müller" → "muller")
    and by German transliteration ("Müller" → "mueller"), both without spaces, hyphens or apostrophes.
    So "MÜLLER", "Muller" and "MUELLER" all match a patient "Müller", but "Muller" does not match a
    patient "Mueller" (no umlaut to bridge them: they may well be different families)."""
    return {re.sub(r"[^a-z0-9]", "", search_key(form)) for form in (name, name.translate(_GERMAN))} - {""}


def _same_name(a: str, b: str) -> bool:
    return bool(_name_keys(a) & _name_keys(b))


def _same_given_name(in_file: str, on_record: str) -> bool:
    """Equal, or the same first given name ("JUERGEN KARL" against "Jürgen"): many senders add or
    drop middle names. Hyphenated names stay whole: "Hans-Peter" is not "Hans"."""
    if _same_name(in_file, on_record):
        return True
    return _same_name(in_file.split()[0], on_record.split()[0]) if in_file.split() and on_record.split() else False


def _check_name(written: str | None, patient: Patient) -> tuple[str, str | None]:
    """("match" | "mismatch" | "unknown", note) for a DICOM PN value "FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX"."""
    alphabetic = (written or "").split("=")[0]  # ideographic and phonetic forms follow after "="
    components = [c.strip() for c in alphabetic.split("^")]
    family = components[0]
    given = components[1] if len(components) > 1 else ""
    if not family and not given:
        return "unknown", "No patient name in the file."
    if "^" not in alphabetic:
        # One component only: some senders write "FAMILY GIVEN" (or "GIVEN FAMILY") without a caret.
        whole = (f"{patient.family_name} {patient.given_name}", f"{patient.given_name} {patient.family_name}")
        if any(_same_name(family, form) for form in whole):
            return "match", None
        if _same_name(family, patient.family_name):
            return "unknown", "No given name in the file."
        return "mismatch", "The name in the file differs from the patient's."
    notes = []
    if family and not _same_name(family, patient.family_name):
        notes.append("The family name in the file differs from the patient's.")
    if given and not _same_given_name(given, patient.given_name):
        notes.append("The given name in the file differs from the patient's.")
    if notes:
        return "mismatch", " ".join(notes)
    if not family:
        return "unknown", "No family name in the file."
    if not given:
        return "unknown", "No given name in the file."
    return "match", None


def _check_birth_date(inspected: Inspected, patient: Patient) -> tuple[str, str | None]:
    if not inspected.patient_birth_date_text:
        return "unknown", "No birth date in the file."
    if inspected.patient_birth_date is None:
        return "unknown", "The birth date in the file is not a valid date."
    if inspected.patient_birth_date != patient.birth_date:
        return "mismatch", "The birth date in the file differs from the patient's."
    return "match", None


def check_identity(inspected: Inspected, patient: Patient) -> tuple[IdentityCheck, str | None]:
    """Does the patient named in a DICOM header look like ``patient``? A value missing from the file is
    "cannot verify", never a match; any value present and different is a mismatch."""
    if inspected.kind is not FileKind.DICOM:
        return IdentityCheck.NOT_APPLICABLE, None
    results = [_check_name(inspected.patient_name, patient), _check_birth_date(inspected, patient)]
    if any(status == "mismatch" for status, _note in results):
        outcome = IdentityCheck.MISMATCH
        notes = [note for status, note in results if status == "mismatch"]
    elif any(status == "unknown" for status, _note in results):
        outcome = IdentityCheck.CANNOT_VERIFY
        notes = [note for status, note in results if status == "unknown"]
    else:
        return IdentityCheck.MATCH, None
    return outcome, " ".join(n for n in notes if n)[:300] or None


# --- names and sizes ----------------------------------------------------------------------------------

_EXTENSIONS = {
    FileKind.PDF: (".pdf",),
    FileKind.JPEG: (".jpg", ".jpeg"),
    FileKind.PNG: (".png",),
    FileKind.DICOM: (".dcm",),
}
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|;]')


def _printable(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def display_name(name: str) -> str:
    """A file name fit for a message or the ``original_name`` column: no control characters, not too long."""
    return _printable(name).strip()[:255] or "unnamed file"


def safe_filename(original_name: str, kind: FileKind) -> str:
    """A download name: the last path part only, no control or shell-special characters, and an
    extension that fits the content (added when the name lacks it, so "IM0001" becomes "IM0001.dcm")."""
    base = re.split(r"[\\/]", _printable(original_name))[-1]
    base = _UNSAFE_IN_FILENAME.sub("_", base).strip(" .")
    extensions = _EXTENSIONS[kind]
    stem, dot, suffix = base.rpartition(".")
    if not (dot and f".{suffix.lower()}" in extensions):
        stem, suffix = base, extensions[0][1:]
    stem = stem[:120].strip(" .") or "file"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return f"{stem}.{suffix}"


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB / 10 else f"{n / 1024:.0f} KB"


def _too_large_file(shown: str, size: int, limits: UploadLimits) -> str:
    return f"“{shown}” is {_size(size)}; the limit is {_size(limits.max_file_bytes)} per file."


# --- checking a request -------------------------------------------------------------------------------


def _check_request(files: list[tuple[str, bytes]], limits: UploadLimits) -> tuple[list[_Part], list[str]]:
    """Every file checked, every ZIP unpacked (and counted), before anything is stored."""
    total = sum(len(data) for _name, data in files)
    if total > limits.max_request_bytes:
        raise TooLarge(
            f"These files add up to {_size(total)}; the limit is {_size(limits.max_request_bytes)} per upload. "
            "Please upload them in smaller batches."
        )
    budget = _Budget(limits.zip_total_bytes)
    parts: list[_Part] = []
    skipped: list[str] = []
    for name, data in files:
        shown = display_name(name)
        # A CD copy is bounded by the request limit; each DICOM file in it by the per-file limit.
        if not data.startswith(_ZIP_SIGNATURES) and len(data) > limits.max_file_bytes:
            raise TooLarge(_too_large_file(shown, len(data), limits))
        kind = _sniff(shown, data, ACCEPTED_IMAGING)
        if kind == "zip":
            parts.extend(_expand_zip(shown, data, limits, budget, skipped))
            continue
        assert isinstance(kind, FileKind)
        inspected = _inspected(shown, data, kind)
        parts.append(_Part(shown, inspected, hashlib.sha256(data).hexdigest(), len(data), _loader(data)))
    return parts, skipped


def _loader(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _nothing_stored(error: DomainError, count: int) -> DomainError:
    tail = "Nothing was stored." if count == 1 else f"None of the {count} files was stored."
    return type(error)(f"{error.message} {tail}", details=error.details, code=error.code)


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
        raise InvalidInput(f"{label} is too long (at most {max_length} characters).")
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
        raise InvalidInput("That referral belongs to another patient.")
    study = ImagingStudy(
        patient_id=patient.id,
        referral_id=referral.id if referral is not None else None,
        modality=_clean_text(modality, 20, "The modality") or "",
        body_region=_clean_text(body_region, 60, "The body region"),
        study_date=study_date,
        facility=_clean_text(facility, 120, "The facility"),
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
                "The same file was being stored by another upload at the same moment. Nothing was stored; "
                "please try again."
            ) from exc
        raise


def _write_blobs(store: FileStore, parts: list[_Part], new_rows: set[str]) -> None:
    """Write the blobs of checked parts. On failure, remove those this call created for rows it also
    created (their rows are uncommitted, so nobody else can point at them), then let the error go on."""
    created: list[str] = []
    try:
        for part in parts:
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
    files: list[tuple[str, bytes]],
) -> AddedFiles:
    """Add uploaded files (name, bytes) to ``study``: all of them, or none, with a message saying why.

    Content the study already has is reported in ``duplicates``, not stored again; content another
    study has is shared (one blob, one ``StoredFile``). DICOM files get their header fields and an
    identity check against the study's patient.
    """
    if not files:
        raise InvalidInput("Choose at least one file to upload.")
    try:
        parts, skipped = _check_request(files, limits)
    except DomainError as error:
        raise _nothing_stored(error, len(files)) from error

    patient = session.get(Patient, study.patient_id)
    if patient is None:
        raise NotFound("The study's patient no longer exists.")
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
            raise TooLarge(_too_large_file(shown, len(data), limits))
        kind = _sniff(shown, data, ACCEPTED_DOCUMENT)
        if kind == "zip" or kind is FileKind.DICOM:
            raise InvalidInput(
                f"“{shown}” is {'a ZIP archive' if kind == 'zip' else 'a DICOM file'}. A referral letter must be "
                f"{ACCEPTED_DOCUMENT}; images go under prior imaging."
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
        raise NotFound("The stored copy of this file is missing. Please tell an administrator.") from exc
    except CorruptBlob as exc:
        raise DomainError(
            "The stored copy of this file is damaged. Please tell an administrator (restore from backup).",
            code="file_damaged",
        ) from exc


def _kind_of(content_type: str) -> FileKind:
    return {kind.content_type: kind for kind in FileKind}[content_type]


def download_study_file(
    session: Session, store: FileStore, study_file_id: int, *, actor=None
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) for sending as an attachment; the opening is audited."""
    study_file = session.get(StudyFile, study_file_id)
    if study_file is None:
        raise NotFound("No such imaging file.")
    data = _blob(store, study_file.stored_file)
    audit.record(
        session,
        "imaging.download",
        "study_files",
        study_file.id,
        patient_id=study_file.study.patient_id,
        actor=actor,
    )
    return data, study_file.stored_file.content_type, safe_filename(study_file.original_name, FileKind(study_file.kind))


def download_referral_document(
    session: Session, store: FileStore, referral_document_id: int, *, actor=None
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) for sending as an attachment; the opening is audited."""
    document = session.get(ReferralDocument, referral_document_id)
    if document is None:
        raise NotFound("No such referral document.")
    data = _blob(store, document.stored_file)
    content_type = document.stored_file.content_type
    audit.record(
        session,
        "referral_document.download",
        "referral_documents",
        document.id,
        patient_id=document.referral.patient_id,
        actor=actor,
    )
    return data, content_type, safe_filename(document.original_name, _kind_of(content_type))
