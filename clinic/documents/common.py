"""Headers and footers that several documents share."""

from __future__ import annotations

from collections.abc import Mapping

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .fit import shrink
from .fonts import BOLD, REGULAR
from .layout import PageNumber, set_page_number
from .styles import GREY, RULE

MARGIN = 20 * mm
PAGE_OF = {"de": "Seite {page} von {pages}", "en": "Page {page} of {pages}"}


def clinic_header(
    canvas: Canvas, clinic: Mapping[str, str], pagesize: tuple[float, float] = A4, margin: float = MARGIN
) -> None:
    """Clinic name and department at the top left, address and telephone at the right, a thin rule below."""
    width, height = pagesize
    canvas.saveState()
    canvas.setFont(BOLD, 10)
    canvas.drawString(margin, height - 14 * mm, clinic.get("clinic_name", ""))
    canvas.setFont(REGULAR, 7.5)
    canvas.setFillColor(GREY)
    canvas.drawString(margin, height - 17.5 * mm, clinic.get("clinic_department", ""))
    canvas.drawRightString(width - margin, height - 14 * mm, clinic.get("clinic_address", ""))
    canvas.drawRightString(width - margin, height - 17.5 * mm, clinic.get("clinic_phone", ""))
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(margin, height - 19.5 * mm, width - margin, height - 19.5 * mm)
    canvas.restoreState()


FOOTER_SIZES = (7, 6.5, 6, 5.5)
GAP = 4 * mm


def footer(
    canvas: Canvas,
    left: str,
    part: str,
    language: str,
    *,
    centre: str = "",
    pagesize: tuple[float, float] = A4,
    margin: float = MARGIN,
) -> None:
    """Small grey footer: an identifying text at the left, optional centre text, "Page X of Y" at the right.

    The left text (on a consent form the patient's name) ends before the centre text and the page number:
    a long one is broken into two lines, smaller if need be, the second below the first."""
    width = pagesize[0]
    y = 11 * mm
    right = width - margin - stringWidth(PAGE_OF[language].format(page=88, pages=88), REGULAR, 7) - GAP
    if centre:
        right = min(right, (width - stringWidth(centre, REGULAR, 7)) / 2 - GAP)
    size, lines = shrink([left], REGULAR, right - margin, FOOTER_SIZES, 2)
    canvas.saveState()
    canvas.setFillColor(GREY)
    canvas.setFont(REGULAR, size)
    for n, line in enumerate(lines):
        canvas.drawString(margin, y - n * 1.2 * size, line)
    if centre:
        canvas.setFont(REGULAR, 7)
        canvas.drawCentredString(width / 2, y, centre)
    canvas.restoreState()
    set_page_number(canvas, PageNumber(width - margin, y, PAGE_OF[language], part, size=7))
