"""Helpers for document tests: booking an appointment, reading PDFs back, rendering pages to PNG."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from clinic.documents.fonts import register_fonts
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


@dataclass(frozen=True)
class Drawn:
    """A string as drawn on a page: its text and its box in points (baseline to cap height)."""

    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Drawn, slack: float = 0.3) -> bool:
        return (
            self.x0 + slack < other.x1
            and other.x0 + slack < self.x1
            and self.y0 + slack < other.y1
            and other.y0 + slack < self.y1
        )


def drawn_strings(pdf: bytes) -> list[Drawn]:
    """Every non-empty string pypdf reads from the PDF with where it is drawn; its width is measured with
    the embedded font's metrics (the documents use DejaVu Sans and its bold face only)."""
    register_fonts()
    out: list[Drawn] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):

        def visit(text, cm, tm, font, size, number=number):
            text = text.strip("\n")
            if not text.strip() or not font:
                return
            name = str(font.get("/BaseFont", "")).split("+")[-1].lstrip("/")
            scale = tm[0] * cm[0]
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            width = stringWidth(text, name, size * scale)
            y0, y1 = y - 0.2 * size * scale, y + 0.72 * size * scale
            last = out[-1] if out else None
            if last and (last.page, last.x0, last.y0) == (number, x, y0):
                # A paragraph's line in pieces (bold and regular) comes with the line's start: one string.
                out[-1] = Drawn(number, last.text + text, x, y0, last.x1 + width, max(last.y1, y1))
                return
            out.append(Drawn(number, text, x, y0, x + width, y1))

        page.extract_text(visitor_text=visit)
    return out


def misdrawn(pdf: bytes) -> list[str]:
    """What overprints: strings that leave the page, and pairs of strings drawn over each other."""
    reader = PdfReader(io.BytesIO(pdf))
    boxes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    drawn = drawn_strings(pdf)
    problems = [
        f"off page {d.page + 1}: {d.text!r}"
        for d in drawn
        if d.x0 < 0 or d.y0 < 0 or d.x1 > boxes[d.page][0] or d.y1 > boxes[d.page][1]
    ]
    for n, a in enumerate(drawn):
        problems += [
            f"page {a.page + 1}: {a.text!r} over {b.text!r}"
            for b in drawn[n + 1 :]
            if a.page == b.page and a.overlaps(b)
        ]
    return problems


def squeezed(text: str) -> str:
    """Text without any whitespace: a name broken over lines (or inside a long word) reads as one."""
    return re.sub(r"\s+", "", text)
