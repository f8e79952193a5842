"""File names for display and for downloads."""

from __future__ import annotations

import re
import unicodedata

from ...models.vocab import FileKind

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
