"""A ZIP taken as the copy of a DICOM CD, unpacked under guard (paths, bombs, nesting), and the
check of a whole request before anything is stored."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from ...core.errors import DomainError, InvalidInput, TooLarge
from ...core.messages import N_, Phrase
from ...models.vocab import FileKind
from .content import (
    Inspected,
    _inspect_dicom,
    _inspected,
    _sniff,
)
from .incoming import Incoming
from .limits import (
    _CHUNK,
    _ZIP_SIGNATURES,
    ACCEPTED_IMAGING,
    RATIO_CHECK_MIN_BYTES,
    UploadLimits,
    _too_large_file,
    size_in_words,
)
from .names import display_name

# --- ZIP of a DICOM CD --------------------------------------------------------------------------------


@dataclass
class _Part:
    """One checked file, ready to be stored; ``load`` gives its bytes again (a ZIP entry is re-read),
    or ``path`` names the file that holds them (an upload streamed to disk)."""

    name: str
    inspected: Inspected
    sha256: str
    size: int
    load: Callable[[], bytes]
    path: Path | None = None


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
    shown: str, data: bytes | BinaryIO, limits: UploadLimits, budget: _Budget
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its file entries, once everything its central directory declares is checked:
    before a single byte is inflated. ``data`` is the bytes or an open file (read entry by entry)."""
    try:
        archive = zipfile.ZipFile(data if hasattr(data, "seek") else io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InvalidInput(N_("“{shown}” is a damaged ZIP archive and could not be read."), shown=shown) from exc
    if len(infos) > limits.max_zip_entries:
        raise TooLarge(
            N_("“{shown}” holds {count} entries; at most {limit} are accepted."),
            shown=shown,
            count=len(infos),
            limit=limits.max_zip_entries,
        )
    for info in infos:
        if _unsafe_entry_name(info.orig_filename) or _unsafe_entry_name(info.filename):
            raise InvalidInput(
                N_(
                    "“{shown}” was refused: it contains an entry with an unsafe path "
                    "({path}). A CD copy never needs absolute paths or “..”."
                ),
                shown=shown,
                path=f"{info.orig_filename[:80]!r}",
            )
    files = [info for info in infos if not info.is_dir()]
    declared = sum(info.file_size for info in files)
    if declared > limits.zip_total_bytes - budget.used:
        raise TooLarge(
            N_("“{shown}” would unpack to {size}, more than the {limit} allowed for one upload."),
            shown=shown,
            size=size_in_words(declared),
            limit=size_in_words(limits.zip_total_bytes),
        )
    for info in files:
        if info.flag_bits & 0x1:
            raise InvalidInput(N_("“{shown}” is password-protected; please upload an unprotected copy."), shown=shown)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_compression_ratio:
            raise TooLarge(
                N_(
                    "“{shown}” was refused: “{entry}” is compressed more than "
                    "{ratio}:1, the mark of a ZIP bomb rather than of medical images."
                ),
                shown=shown,
                entry=display_name(info.filename),
                ratio=limits.max_compression_ratio,
            )
    return archive, files


def _expand_zip(
    shown: str, data: bytes | BinaryIO, limits: UploadLimits, budget: _Budget, skipped: list[str]
) -> list[_Part]:
    """The DICOM files of a CD copy, each checked like a single upload; the rest goes to ``skipped``."""
    archive, files = _open_zip(shown, data, limits, budget)
    parts: list[_Part] = []
    for info in files:
        entry = f"{shown}/{display_name(info.filename)}"
        head = _inflate(shown, archive, info, limits, budget, head=132)
        if head.startswith(_ZIP_SIGNATURES):
            raise InvalidInput(
                N_("“{shown}” contains another ZIP archive (“{entry}”); please unpack it first."),
                shown=shown,
                entry=entry,
            )
        if len(head) < 132 or head[128:132] != b"DICM":
            skipped.append(entry)  # DICOM viewers, autorun.inf, READMEs: not part of the study
            continue
        if info.file_size > limits.max_file_bytes:
            raise _too_large_file(entry, info.file_size, limits)
        content = _inflate(shown, archive, info, limits, budget)
        inspected, is_directory = _inspect_dicom(entry, content)
        if is_directory:
            skipped.append(entry)
            continue
        reread = partial(_inflate, shown, archive, info, limits, None)
        parts.append(_Part(entry, inspected, hashlib.sha256(content).hexdigest(), len(content), reread))
    if not parts:
        raise InvalidInput(
            N_("“{shown}” contains no DICOM images. A ZIP is only accepted as a copy of a DICOM CD."), shown=shown
        )
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
                        N_(
                            "“{shown}” unpacks to more than the {size} allowed for one upload (a ZIP "
                            "bomb, or a CD too large for one upload)."
                        ),
                        shown=shown,
                        size=size_in_words(limits.zip_total_bytes),
                    )
    except NotImplementedError as exc:  # e.g. Deflate64, which Windows uses for large archives
        raise InvalidInput(
            N_("“{shown}” uses a compression method we cannot read; please zip it again with standard compression."),
            shown=shown,
        ) from exc
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise InvalidInput(
            N_("“{shown}” is a damaged ZIP archive: “{filename}” could not be read."),
            shown=shown,
            filename=info.filename,
        ) from exc
    if total > limits.max_file_bytes:
        raise _too_large_file(f"{shown}/{info.filename}", total, limits)
    return b"".join(chunks)


# --- checking a request -------------------------------------------------------------------------------


def _check_request(files: list[tuple[str, bytes | Incoming]], limits: UploadLimits) -> tuple[list[_Part], list[str]]:
    """Every file checked, every ZIP unpacked (and counted), before anything is stored. A file may be
    bytes or an upload streamed to disk (``Incoming``), which is read piece by piece."""
    total = sum(item.size if isinstance(item, Incoming) else len(item) for _name, item in files)
    if total > limits.max_request_bytes:
        raise TooLarge(
            N_("These files add up to {size}; the limit is {limit} per upload. Please upload them in smaller batches."),
            size=size_in_words(total),
            limit=size_in_words(limits.max_request_bytes),
        )
    budget = _Budget(limits.zip_total_bytes)
    parts: list[_Part] = []
    skipped: list[str] = []
    for name, item in files:
        shown = display_name(name)
        data = item.view() if isinstance(item, Incoming) else item
        # A CD copy is bounded by the request limit; each DICOM file in it by the per-file limit.
        if not bytes(data[:4]).startswith(_ZIP_SIGNATURES) and len(data) > limits.max_file_bytes:
            raise _too_large_file(shown, len(data), limits)
        kind = _sniff(shown, data, ACCEPTED_IMAGING)
        if kind == "zip":
            if isinstance(item, Incoming):
                parts.extend(_expand_zip(shown, item.reader(), limits, budget, skipped))
            else:
                parts.extend(_expand_zip(shown, data, limits, budget, skipped))
            continue
        assert isinstance(kind, FileKind)
        inspected = _inspected(shown, data, kind)
        if isinstance(item, Incoming):
            parts.append(_Part(shown, inspected, item.sha256, item.size, _unloadable, path=item.path))
        else:
            parts.append(_Part(shown, inspected, hashlib.sha256(data).hexdigest(), len(data), _loader(data)))
    return parts, skipped


def _unloadable() -> bytes:
    raise RuntimeError("a streamed upload is stored from its file, never loaded whole")


def _loader(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _nothing_stored(error: DomainError, count: int) -> DomainError:
    refusal = Phrase(error.template, **error.params)
    if count == 1:
        return type(error)(N_("{refusal} Nothing was stored."), details=error.details, code=error.code, refusal=refusal)
    return type(error)(
        N_("{refusal} None of the {count} files was stored."),
        details=error.details,
        code=error.code,
        refusal=refusal,
        count=count,
    )
