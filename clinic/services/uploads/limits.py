"""Upload limits and the constants shared by the upload checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...core.errors import TooLarge
from ...core.messages import N_, Phrase

MB = 1024 * 1024
# The kinds a refusal names, as phrases: a screen says them in its language ("oder", "ZIP-Datei").
ACCEPTED_IMAGING = Phrase(N_("PDF, JPEG, PNG, DICOM, or a ZIP of a DICOM CD"))
ACCEPTED_DOCUMENT = Phrase(N_("PDF, JPEG or PNG"))

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


def size_in_words(n: int) -> Phrase:
    """ "45.3 MB", "12 KB": a phrase whose number a screen writes in its language (45,3 MB)."""
    if n >= MB / 10:
        return Phrase(N_("{number} MB"), number=Decimal(n / MB).quantize(Decimal("0.1")))
    return Phrase(N_("{number} KB"), number=round(n / 1024))


def _too_large_file(shown: str, size: int, limits: UploadLimits) -> TooLarge:
    return TooLarge(
        N_("“{shown}” is {size}; the limit is {limit} per file."),
        shown=shown,
        size=size_in_words(size),
        limit=size_in_words(limits.max_file_bytes),
    )
