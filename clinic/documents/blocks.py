"""Small building blocks: key/value tables, the ruled questions box, signature lines."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table, TableStyle
from reportlab.platypus import Paragraph as _Paragraph

from .fit import wrap
from .fonts import REGULAR
from .styles import LIGHT, RULE, styles

PAD = 6
WIDE_SIZE = 9


class Paragraph(_Paragraph):
    """reportlab's Paragraph, its lines broken once per width. A section kept together (``KeepTogether``)
    is wrapped to measure it and again when the frame places it, at the same width: the second breaking
    of every line was a tenth of a letter's time (issue 20). The lines depend on the width alone (the text
    and style do not change once made), so the PDF is the same byte for byte."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self.__dict__.get("_wrapped_width") == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_width = availWidth
        return size


class RuledBox(Flowable):
    """A framed box with writing lines, for the patient's questions during the information talk."""

    def __init__(self, lines: int = 6, spacing: float = 8 * mm):
        super().__init__()
        self.lines = lines
        self.spacing = spacing
        self.width = 0.0
        self.height = lines * spacing + 2 * mm

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.rect(0, 0, self.width, self.height)
        canvas.setLineWidth(0.3)
        for n in range(1, self.lines):
            y = self.height - n * self.spacing - 1 * mm
            canvas.line(4 * mm, y, self.width - 4 * mm, y)
        canvas.restoreState()


# How much smaller than its style a value of the facts table may be set, in points, least first: a word wider
# than its column (German compounds: "(Sympathikusblockade)") is set smaller before it is cut (walk 27: the
# consent printed "Sympathikusblockad / e").
SMALLER_BY = (0.0, 1.0, 2.0)


def whole_words(text: str, font: str, sizes: Sequence[float], width: float) -> tuple[float, list[str]]:
    """``text`` broken at spaces into lines no wider than ``width``, at the first of ``sizes`` (largest first)
    at which its longest word fits; a word wider than ``width`` even at the last size is cut (``fit.wrap``)."""
    longest = max(text.split() or [""], key=lambda w: stringWidth(w, font, sizes[-1]))
    for size in sizes:
        if stringWidth(longest, font, size) <= width:
            return size, simpleSplit(text, font, size, width)
    return sizes[-1], wrap(text, font, sizes[-1], width)


def facts_table(rows: list[tuple[str, str, str, str]], width: float, wide: tuple[str, str] | None = None) -> Table:
    """Label/value pairs in two columns, labels small and grey, values bold; ``wide`` is a last row
    whose value spans the width. Plain text, broken to the column width here: a handful of cells
    that need no markup are much cheaper as strings than as paragraphs."""
    style = styles()
    label, value = style["label"], style["value"]
    widths = [0.19 * width, 0.31 * width, 0.19 * width, 0.31 * width]

    def fit(text: str, column_width: float, font: str = value.fontName, size: float = value.fontSize) -> str:
        return "\n".join(wrap(text, font, size, column_width - 2 * PAD))  # a long name too: never into the label

    data: list[list[str]] = []
    sizes = [value.fontSize - less for less in SMALLER_BY]
    smaller = []  # (column, row, size) of a value set smaller so that its words stay whole
    for row, (a, b, c, d) in enumerate(rows):
        cells = [a, b, c, d]
        for column in (1, 3):
            size, lines = whole_words(cells[column], value.fontName, sizes, widths[column] - 2 * PAD)
            cells[column] = "\n".join(lines)
            if size != value.fontSize:
                smaller.append((column, row, size))
        data.append(cells)
    commands = [
        ("FONT", (0, 0), (-1, -1), label.fontName, label.fontSize, label.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), label.textColor),
        ("FONT", (1, 0), (1, -1), value.fontName, value.fontSize, value.leading),
        ("FONT", (3, 0), (3, -1), value.fontName, value.fontSize, value.leading),
        ("TEXTCOLOR", (1, 0), (-1, -1), colors.black),
        ("TEXTCOLOR", (2, 0), (2, -1), label.textColor),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for column, row, size in smaller:
        commands.append(
            ("FONT", (column, row), (column, row), value.fontName, size, value.leading * size / value.fontSize)
        )
    if wide:
        data.append([wide[0], fit(wide[1], sum(widths[1:]), REGULAR, WIDE_SIZE), "", ""])
        commands += [("SPAN", (1, -1), (3, -1)), ("FONT", (1, -1), (3, -1), REGULAR, WIDE_SIZE, WIDE_SIZE + 2.5)]
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle(commands))
    return table


def signature_lines(
    labels: list[str], width: float, prefill: list[str] | None = None, height: float = 14 * mm
) -> Table:
    """Lines to sign on, side by side, each with its label underneath (and optional plain text above)."""
    style = styles()
    body, label = style["body"], style["label"]
    count = len(labels)
    gap = 8 * mm
    col = (width - gap * (count - 1)) / count
    above = prefill or [""] * count
    data: list[list] = [[], []]
    widths: list[float] = []
    for n in range(count):
        if n:
            data[0].append("")
            data[1].append("")
            widths.append(gap)
        data[0].append(above[n])
        data[1].append("\n".join(simpleSplit(labels[n], label.fontName, label.fontSize, col)))
        widths.append(col)
    table = Table(data, colWidths=widths, rowHeights=[height, None])
    commands = [
        ("FONT", (0, 0), (-1, 0), body.fontName, body.fontSize, body.leading),
        ("FONT", (0, 1), (-1, 1), label.fontName, label.fontSize, label.leading),
        ("TEXTCOLOR", (0, 1), (-1, 1), label.textColor),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, 1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
    commands += [("LINEABOVE", (2 * n, 1), (2 * n, 1), 0.7, colors.black) for n in range(count)]
    table.setStyle(TableStyle(commands))
    return table
