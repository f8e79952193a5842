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
    # Body text at 11 pt: patients read these at home, many of them older (issue 14, legibility).
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=11, leading=13.8, spaceAfter=2.5)
    return {
        "body": body,
        "title": ParagraphStyle("title", body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=5),
        "heading": ParagraphStyle(
            "heading", body, fontName=BOLD, fontSize=12, leading=15, spaceBefore=4, spaceAfter=1.5, keepWithNext=1
        ),
        "bullet": ParagraphStyle("bullet", body, leftIndent=12, bulletIndent=2, spaceAfter=1),
        "small": ParagraphStyle("small", body, fontSize=7.5, leading=9.5, spaceAfter=0, textColor=GREY),
        "small_right": ParagraphStyle(
            "small_right", body, fontSize=7.5, leading=9.5, spaceAfter=0, textColor=GREY, alignment=TA_RIGHT
        ),
        "small_centre": ParagraphStyle(
            "small_centre", body, fontSize=7.5, leading=9.5, spaceAfter=0, textColor=GREY, alignment=TA_CENTER
        ),
        "cell": ParagraphStyle("cell", body, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", body, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0),
        "label": ParagraphStyle("label", body, fontSize=9, leading=11, spaceAfter=0, textColor=GREY),
        "value": ParagraphStyle("value", body, fontName=BOLD, fontSize=11, leading=13.5, spaceAfter=0),
    }
