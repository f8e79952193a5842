"""What a file is, from its content: PDF, JPEG, PNG and DICOM (with a structure walk that catches
cut-off files pydicom would accept)."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass

import pydicom
from pydicom import config as dicom_config
from pydicom.multival import MultiValue

from ...core.errors import InvalidInput
from ...core.messages import N_, Phrases
from ...models.vocab import FileKind
from .limits import (
    _DEFLATED_TS,
    _DICOMDIR_SOP_CLASS,
    _EXPLICIT_BE_TS,
    _IMPLICIT_LE_TS,
    _PNG_SIGNATURE,
    _ZIP_SIGNATURES,
    ACCEPTED_IMAGING,
)
from .names import display_name

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
        raise InvalidInput(
            N_("“{shown}” is a ZIP archive; a ZIP is only taken as a whole DICOM CD for prior imaging."), shown=shown
        )
    return _inspected(shown, data, kind)


def _inspected(shown: str, data: bytes, kind: FileKind) -> Inspected:
    if kind is FileKind.DICOM:
        inspected, is_directory = _inspect_dicom(shown, data)
        if is_directory:
            raise InvalidInput(
                N_("“{shown}” is the DICOMDIR index of a CD, not an image. Upload the whole CD as one ZIP instead."),
                shown=shown,
            )
        return inspected
    return Inspected(kind=kind, content_type=kind.content_type)


def _sniff(shown: str, data: bytes, accepted: str) -> FileKind | str:
    """The kind by signature and a check that the file is whole; "zip" for ZIP archives."""
    if not len(data):
        raise InvalidInput(N_("“{shown}” is empty (0 bytes)."), shown=shown)
    head = bytes(data[:8])  # ``data`` may be a memory map of a streamed upload: read only what is needed
    if head.startswith(b"%PDF-"):
        # Every PDF ends with "%%EOF" (perhaps followed by a line break or a little padding).
        if b"%%EOF" not in data[-1024:]:
            raise InvalidInput(
                N_("“{shown}” is an incomplete PDF: its end is missing (cut off during copying?)."), shown=shown
            )
        return FileKind.PDF
    if head.startswith(b"\xff\xd8\xff"):
        if not _jpeg_complete(data):
            raise InvalidInput(
                N_("“{shown}” is an incomplete or damaged JPEG image (cut off during copying?)."), shown=shown
            )
        return FileKind.JPEG
    if head.startswith(_PNG_SIGNATURE):
        if not _png_complete(data):
            raise InvalidInput(
                N_("“{shown}” is an incomplete or damaged PNG image (cut off during copying?)."), shown=shown
            )
        return FileKind.PNG
    if head.startswith(_ZIP_SIGNATURES):
        return "zip"
    if len(data) >= 132 and data[128:132] == b"DICM":
        return FileKind.DICOM
    raise InvalidInput(
        N_(
            "“{shown}” is not a file type we accept. Accepted: {accepted}. (The content is checked, not the file name.)"
        ),
        shown=shown,
        accepted=accepted,
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
        N_("“{shown}” is a damaged DICOM file: it could not be read completely (cut off during copying?)."), shown=shown
    )
    walk = _DicomWalk(data)
    try:
        dataset_start, transfer_syntax = _read_file_meta(walk)
    except _Damaged as exc:
        raise damaged from exc
    if transfer_syntax == _DEFLATED_TS:
        # pydicom would inflate the whole data set in memory without a limit: a bomb in disguise.
        raise InvalidInput(
            N_(
                "“{shown}” uses the deflated DICOM encoding, which we do not accept. Please ask the "
                "sender for an uncompressed or standard export."
            ),
            shown=shown,
        )
    try:
        _check_dataset(walk, dataset_start, transfer_syntax)
        # Values are judged here (a bad birth date is "cannot verify"), not by pydicom's validation,
        # which would only warn about them.
        with dicom_config.disable_value_validation():
            # Large values (the pixels) stay unread: only whether they are there matters here.
            ds = pydicom.dcmread(_readable(data), defer_size=1024)
            is_directory = str(ds.file_meta.get("MediaStorageSOPClassUID", "")) == _DICOMDIR_SOP_CLASS
            missing = [] if is_directory else _missing_elements(ds)
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
        raise InvalidInput(N_("“{shown}” is a DICOM file without any content."), shown=shown)
    if missing:
        # A file cut off before its image (the first few hundred bytes of one) reads as a complete
        # header: it is no prior imaging anybody can look at, nor one we could tell apart from others.
        raise InvalidInput(
            N_(
                "“{shown}” is an incomplete DICOM file: it has no {items}. Please upload the "
                "complete images (cut off during copying?)."
            ),
            shown=shown,
            items=Phrases(missing, N_(" and no ")),
        )
    return inspected, is_directory


def _readable(data):
    """A file-like view for pydicom: a memory map is one already (no copy), bytes get a BytesIO."""
    if hasattr(data, "seek"):
        data.seek(0)
        return data
    return io.BytesIO(data)


_PIXEL_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)  # Pixel Data, Float and Double Float Pixel Data


def _missing_elements(ds) -> list[str]:
    """What an image needs to be worth storing: its pixels, its own identity and its patient's."""
    missing = []
    if not any(tag in ds for tag in _PIXEL_TAGS):
        missing.append(N_("image (pixel data)"))
    if not (ds.get("SOPInstanceUID") or ds.file_meta.get("MediaStorageSOPInstanceUID")):
        missing.append(N_("image identifier (SOP Instance UID)"))
    if not (str(ds.get("PatientName") or "").strip() or str(ds.get("PatientID") or "").strip()):
        missing.append(N_("patient name or ID"))
    return missing


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
