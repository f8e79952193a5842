"""Paragraph styles shared by every document: one family (DejaVu Sans), a few sizes."""

from __future__ import annotations

from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from .fonts import BOLD, REGULAR, register_fonts

GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#e6e6e6")
RULE = colors.HexColor("#999999")


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=13, spaceAfter=4)
    return {
        "body": body,
        "title": ParagraphStyle("title", body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=8),
        "heading": ParagraphStyle(
            "heading", body, fontName=BOLD, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3, keepWithNext=1
        ),
        "bullet": ParagraphStyle("bullet", body, leftIndent=12, bulletIndent=2, spaceAfter=2),
        "small": ParagraphStyle("small", body, fontSize=7.5, leading=9.5, spaceAfter=0, textColor=GREY),
        "small_right": ParagraphStyle(
            "small_right", body, fontSize=7.5, leading=9.5, spaceAfter=0, textColor=GREY, alignment=TA_RIGHT
        ),
        "small_centre": ParagraphStyle(
            "small_centre", body, fontSize=7.5, leading=9.5, spaceAfter=0, textColor=GREY, alignment=TA_CENTER
        ),
        "cell": ParagraphStyle("cell", body, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", body, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0),
        "label": ParagraphStyle("label", body, fontSize=8, leading=10, spaceAfter=0, textColor=GREY),
        "value": ParagraphStyle("value", body, fontName=BOLD, fontSize=10, leading=12.5, spaceAfter=0),
    }
