"""Plain text fitted to a fixed place on the canvas (a table cell, the address window, a footer): broken
into lines that fit the width, a word wider than the width too, and made smaller where only so many lines
fit. Names, addresses and the like come from the patient's forms (a family name may be 100 characters
long): drawn as one string they ran into the next label and off the page (walk 25)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth


def cut(text: str, font: str, size: float, width: float) -> list[str]:
    """A word wider than ``width`` (Leutheusser-Schnarrenberger in a narrow cell, a value typed without
    spaces) in pieces that fit, broken after a hyphen or slash where it has one: text never runs into the
    next column."""
    if stringWidth(text, font, size) <= width:
        return [text]
    pieces, piece = [], ""
    for segment in re.split(r"(?<=[-/])", text):
        if piece and stringWidth(piece + segment, font, size) > width:
            pieces.append(piece)
            piece = ""
        for character in segment:
            if piece and stringWidth(piece + character, font, size) > width:
                pieces.append(piece)
                piece = ""
            piece += character
    return [*pieces, piece]


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``: broken at spaces, and long words cut (``cut``)."""
    return [piece for part in simpleSplit(text, font, size, width) for piece in cut(part, font, size, width)]


def whole_words(text: str, font: str, size: float, width: float) -> bool:
    """Whether every word of ``text``, and each part of a double name (after its hyphen), fits ``width`` at
    ``size``: wrapping it breaks lines between words only."""
    return all(
        stringWidth(part, font, size) <= width for word in text.split() for part in re.split(r"(?<=[-/])", word) if part
    )


def fit_words(text: str, font: str, sizes: Sequence[float], width: float) -> tuple[float, list[str]]:
    """``text`` wrapped at the first of ``sizes`` (largest first) at which no word has to be broken inside
    (``whole_words``): a little smaller rather than "Sonnenschei / n," in a narrow column (walk, 5 December). A
    word wider than ``width`` even at the smallest size is cut at the first size (``wrap``)."""
    for size in sizes:
        if whole_words(text, font, size, width):
            return size, wrap(text, font, size, width)
    return sizes[0], wrap(text, font, sizes[0], width)


def shrink(lines: Sequence[str], font: str, width: float, sizes: Sequence[float], most: int) -> tuple[float, list[str]]:
    """The first of ``sizes`` (largest first) at which ``lines``, each wrapped to ``width``, take at most
    ``most`` lines; at the last size the wrapped lines however many they are: text is never cut off."""
    wrapped: list[str] = []
    size = sizes[-1]
    for size in sizes:
        wrapped = [piece for line in lines for piece in wrap(line, font, size, width)]
        if len(wrapped) <= most:
            break
    return size, wrapped
