"""The letter's page: DIN 5008 form B, for a window envelope.

The address field sits 45 mm from the top and 20 mm from the left edge, 85 × 45 mm; the sender line is
the last line of its upper (notes) zone, the recipient's address fills its lower zone. The information
block (letter date, appointment, reference) is to the right of it, the text starts at 98.5 mm. Fold
marks at 105 and 210 mm, the punch mark at 148.5 mm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageTemplate

from ..models import Patient
from .common import PAGE_OF
from .fit import shrink, wrap
from .fonts import BOLD, REGULAR
from .layout import PAGE_HEIGHT, PAGE_WIDTH, PageNumber, frame, page_template, set_page_number
from .qr import QrCode
from .styles import GREY, RULE

LEFT = 25 * mm
RIGHT = 20 * mm
BODY_WIDTH = PAGE_WIDTH - LEFT - RIGHT
FIELD_LEFT, FIELD_TOP, FIELD_WIDTH, FIELD_HEIGHT = 20 * mm, 45 * mm, 85 * mm, 45 * mm
SENDER_BASELINE = FIELD_TOP + 15.5 * mm  # the last line of the 17.7 mm notes zone
ADDRESS_TOP = FIELD_TOP + 17.7 * mm  # the address zone: the lower 27.3 mm of the field
INFO_LEFT, INFO_VALUE, INFO_TOP = 125 * mm, 152 * mm, 50 * mm
ADDRESS_WIDTH = FIELD_WIDTH - 7 * mm  # 5 mm in from the field's left edge, 2 mm clear of its right
ADDRESS_SIZES = (10, 9.5, 9, 8.5, 8, 7.5, 7, 6.5, 6, 5.5, 5)
BODY_TOP = 98.5 * mm
BOTTOM = 22 * mm


def _y(from_top: float) -> float:
    return PAGE_HEIGHT - from_top


def address_lines(patient: Patient) -> list[str]:
    lines = [patient.full_name, patient.street or "", f"{patient.postal_code or ''} {patient.city or ''}".strip()]
    if patient.country and patient.country != "DE":
        lines.append(patient.country)
    return [line for line in lines if line]


def _sender_line(canvas: Canvas, clinic: Mapping[str, str]) -> None:
    text = f"{clinic.get('clinic_name', '')} · {clinic.get('clinic_address', '')}"
    size = 7.0
    while stringWidth(text, REGULAR, size) > FIELD_WIDTH - 5 * mm and size > 5:
        size -= 0.5
    canvas.setFont(REGULAR, size)
    canvas.drawString(FIELD_LEFT + 5 * mm, _y(SENDER_BASELINE), text)
    width = stringWidth(text, REGULAR, size)
    canvas.setLineWidth(0.3)
    canvas.line(FIELD_LEFT + 5 * mm, _y(SENDER_BASELINE) - 1.2, FIELD_LEFT + 5 * mm + width, _y(SENDER_BASELINE) - 1.2)


def _letterhead(canvas: Canvas, clinic: Mapping[str, str]) -> None:
    canvas.setFont(BOLD, 13)
    canvas.drawString(LEFT, _y(20 * mm), clinic.get("clinic_name", ""))
    canvas.setFont(REGULAR, 8)
    canvas.setFillColor(GREY)
    canvas.drawString(LEFT, _y(25 * mm), clinic.get("clinic_department", ""))
    right = PAGE_WIDTH - RIGHT
    for n, key in enumerate(("clinic_address", "clinic_phone", "clinic_email")):
        canvas.drawRightString(right, _y((16 + 4 * n) * mm), clinic.get(key, ""))
    canvas.setFillColor("black")


def _marks(canvas: Canvas) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    for from_top, length in ((105 * mm, 5 * mm), (148.5 * mm, 7 * mm), (210 * mm, 5 * mm)):
        canvas.line(4 * mm, _y(from_top), 4 * mm + length, _y(from_top))


def _address(canvas: Canvas, lines: list[str]) -> None:
    """The recipient in the address zone: at 10 pt while it fits (five lines, DIN 5008), else smaller,
    each line broken to the window's width: a long name never leaves the window or runs into the
    information block."""
    for size in ADDRESS_SIZES:
        wrapped = [piece for line in lines for piece in wrap(line, REGULAR, size, ADDRESS_WIDTH)]
        if _address_bottom(size, len(wrapped)) <= FIELD_TOP + FIELD_HEIGHT:
            break
    canvas.setFont(REGULAR, size)
    for n, line in enumerate(wrapped):
        canvas.drawString(FIELD_LEFT + 5 * mm, _y(ADDRESS_TOP + (5 + n * 4.6) * mm * size / 10), line)


def _address_bottom(size: float, count: int) -> float:
    """From the top of the page, the lowest point of ``count`` address lines at ``size`` (the descent)."""
    return ADDRESS_TOP + (5 + (count - 1) * 4.6) * mm * size / 10 + 0.25 * size


def _info_block(canvas: Canvas, rows: list[tuple[str, str]]) -> None:
    width = PAGE_WIDTH - RIGHT - INFO_VALUE
    for n, (label, value) in enumerate(rows):
        y = _y(INFO_TOP + n * 5 * mm)
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(INFO_LEFT, y, label)
        size = 9.0  # a long value (a clinic number of 20 characters) smaller, never off the page
        while stringWidth(value, REGULAR, size) > width and size > 5:
            size -= 0.5
        canvas.setFont(REGULAR, size)
        canvas.setFillColor("black")
        canvas.drawString(INFO_VALUE, y, value)


CODE_SIZE = 21 * mm
CODE_TOP = 75 * mm  # below the information block's five rows, above the text (98.5 mm)


def _code(canvas: Canvas, value: str, caption: tuple[str, ...]) -> None:
    code = QrCode(value, CODE_SIZE)
    code.wrapOn(canvas, CODE_SIZE, CODE_SIZE)
    code.drawOn(canvas, INFO_LEFT - 1.5 * mm, _y(CODE_TOP + CODE_SIZE))
    canvas.setFont(REGULAR, 7.5)
    canvas.setFillColor(GREY)
    for n, line in enumerate(caption):
        canvas.drawString(INFO_VALUE, _y(CODE_TOP + 3 * mm + n * 3.6 * mm), line)
    canvas.setFillColor("black")


def _running_head(canvas: Canvas, text: str, width: float) -> None:
    """Who and which appointment, at the right of later pages' top: a long name in up to three lines
    (smaller if need be), never over the clinic's name or off the page."""
    size, lines = shrink([text], REGULAR, width, (8, 7.5, 7, 6.5, 6), 3)
    canvas.setFont(REGULAR, size)
    for n, line in enumerate(lines):
        canvas.drawRightString(PAGE_WIDTH - RIGHT, _y(15 * mm + n * 1.2 * size), line)


def _footer(canvas: Canvas, clinic: Mapping[str, str], language: str, key: str) -> None:
    canvas.setFont(REGULAR, 7)
    canvas.setFillColor(GREY)
    parts = [clinic.get(k, "") for k in ("clinic_name", "clinic_address", "clinic_phone")]
    canvas.drawString(LEFT, 11 * mm, " · ".join(p for p in parts if p))
    set_page_number(canvas, PageNumber(PAGE_WIDTH - RIGHT, 11 * mm, PAGE_OF[language], key, size=7))


@dataclass(frozen=True)
class Letterhead:
    """What the page furniture prints: the clinic, the recipient, the information block."""

    clinic: Mapping[str, str]
    address: list[str]
    info_rows: list[tuple[str, str]]
    running_head: str  # at the top of later pages: who and which appointment
    language: str
    code: str | None = None  # the patient's link as a QR code below the information block (never in the window)
    code_caption: tuple[str, ...] = ()


def letter_templates(head: Letterhead, key: str = "letter") -> list[PageTemplate]:
    """The first page (letterhead, window, information block) and the pages after it."""

    def first_page(canvas, doc) -> None:
        _letterhead(canvas, head.clinic)
        _sender_line(canvas, head.clinic)
        _address(canvas, head.address)
        _info_block(canvas, head.info_rows)
        if head.code:
            _code(canvas, head.code, head.code_caption)
        _marks(canvas)
        _footer(canvas, head.clinic, head.language, key)

    def next_page(canvas, doc) -> None:
        name = head.clinic.get("clinic_name", "")
        canvas.setFont(BOLD, 9)
        canvas.drawString(LEFT, _y(15 * mm), name)
        _running_head(canvas, head.running_head, BODY_WIDTH - stringWidth(name, BOLD, 9) - 6 * mm)
        _marks(canvas)
        _footer(canvas, head.clinic, head.language, key)

    first = frame(LEFT, BOTTOM, BODY_WIDTH, PAGE_HEIGHT - BODY_TOP - BOTTOM, f"{key}-first")
    later = frame(LEFT, BOTTOM, BODY_WIDTH, PAGE_HEIGHT - 25 * mm - BOTTOM, f"{key}-later")
    return [page_template(key, [first], first_page), page_template(f"{key}-next", [later], next_page)]
