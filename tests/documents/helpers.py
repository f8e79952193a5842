"""Helpers for document tests: booking an appointment, reading PDFs back, rendering pages to PNG."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import TODAY, require_or_skip
from tests.factories import book, make_ready_referral


def book_for(session, settings, clinic, patient=None, *, first_day=TODAY, candidate=None, room=None, **referral):
    """Book the first free time from ``first_day`` (or ``candidate``) for a new ready referral.

    ``referral`` is what ``make_ready_referral`` takes: the plan, and the pre-registration's answers
    (``allergies``, ``conditions``, ``medications``, ...); ``room`` asks the finder for that room."""
    ref = make_ready_referral(session, clinic, patient, **referral)
    room_id = room.id if room else None
    return book(session, settings, ref, candidate, first_day=first_day, days=28, limit=1, room_id=room_id)


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    """All text of a PDF with runs of whitespace made one space, so wrapped lines read as one."""
    return re.sub(r"\s+", " ", " ".join(pages(pdf)))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        (round(float(p.mediabox.width) / 72 * 25.4), round(float(p.mediabox.height) / 72 * 25.4)) for p in reader.pages
    ]


def render_png(pdf: bytes, directory: Path, name: str, dpi: int = 50) -> list[Path]:
    """Pages as PNG files through poppler's pdftoppm (Debian: poppler-utils)."""
    require_or_skip(None if shutil.which("pdftoppm") else "pdftoppm (poppler-utils) is not installed")
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(source), str(directory / name)], check=True, timeout=60)
    return sorted(directory.glob(f"{name}-*.png"))


def decode_qr(png: Path) -> list[str]:
    """Every QR code zxing-cpp finds on an image."""
    try:
        import zxingcpp
        from PIL import Image
    except ImportError as missing:
        require_or_skip(f"QR decoding needs zxing-cpp and pillow ({missing.name} is missing)")
    with Image.open(png) as image:
        return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
