"""The check-in code: a QR code carrying the appointment reference.

Encoded by reportlab's own QR module (``reportlab.graphics.barcode.qr``); drawn here as one filled
path of merged runs instead of the widget's one shape per module, which costs a few milliseconds
less per consent form and gives the same picture.
"""

from __future__ import annotations

import itertools

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from .fonts import BOLD, REGULAR
from .styles import GREY


class QrCode(Flowable):
    """A square QR code ``size`` points wide with a quiet zone of ``border`` modules. Level M survives
    a crease or a smudge on paper."""

    def __init__(self, value: str, size: float, level: str = "M", border: int = 4):
        super().__init__()
        encoder = QrCodeWidget(value, barLevel=level).qr
        encoder.make()
        self.modules: list[list[bool]] = [[bool(m) for m in row] for row in encoder.modules]
        self.size = size
        self.border = border
        self.hAlign = "CENTER"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        box = self.size / (len(self.modules) + 2 * self.border)
        path = self.canv.beginPath()
        for r, row in enumerate(self.modules):
            top = self.size - (r + self.border + 1) * box
            column = 0
            for dark, run in itertools.groupby(row):
                length = len(list(run))
                if dark:
                    path.rect((column + self.border) * box, top, length * box, box)
                column += length
        self.canv.drawPath(path, stroke=0, fill=1)


class TitleWithCode(Flowable):
    """A title at the left and the check-in code (QR code, caption, reference) at the top right.

    Drawn directly rather than as a table of flowables: this block is on every consent form."""

    def __init__(self, title: Flowable, value: str, caption: str, size: float):
        super().__init__()
        self.title = title
        self.code = QrCode(value, size)
        self.value = value
        self.caption = caption
        self.size = size
        self.code_height = size + 9 * mm
        self.title_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        _w, self.title_height = self.title.wrap(availWidth - self.size - 8 * mm, availHeight)
        self.height = max(self.title_height, self.code_height)
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        self.title.drawOn(canvas, 0, self.height - self.title_height)
        left = self.width - self.size
        self.code.drawOn(canvas, left, self.height - self.size)
        centre = left + self.size / 2
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(centre, self.height - self.size - 3.5 * mm, self.caption)
        canvas.setFont(BOLD, 8.5)
        canvas.setFillColor("black")
        canvas.drawCentredString(centre, self.height - self.size - 7.5 * mm, self.value)
        canvas.restoreState()
