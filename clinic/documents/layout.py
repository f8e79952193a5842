"""Page machinery shared by the documents: parts, page templates, deferred page numbers, the build.

A document is a list of ``Part``s (letter, information sheet, consent form, worklist), each with its own
page templates and story, so that a print pack is one build of several parts. Output is byte-identical
for the same input: reportlab's invariant mode fixes the creation date and file id, and the metadata
is passed in, never taken from the clock.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate

from .fonts import REGULAR, register_fonts
from .styles import GREY

PAGE_WIDTH, PAGE_HEIGHT = A4
CREATOR = "clinic (interventional pain clinic scheduling)"

OnPage = Callable[[Canvas, BaseDocTemplate], None]


@dataclass(frozen=True)
class Meta:
    title: str
    author: str
    subject: str
    language: str = "de"

    @property
    def lang_tag(self) -> str:
        return "de-DE" if self.language == "de" else "en-GB"


@dataclass
class Part:
    """One document inside a PDF: its page templates (the first one starts the part) and its story."""

    templates: list[PageTemplate]
    story: list[Flowable] = field(default_factory=list)

    @property
    def first_template(self) -> str:
        return self.templates[0].id


@dataclass(frozen=True)
class PageNumber:
    """Where a page's "Page X of Y" goes; X and Y count the pages of its own part."""

    x: float
    y: float
    template: str  # e.g. "Seite {page} von {pages}"
    part: str
    size: float = 7.5
    align: str = "right"


def set_page_number(canvas: Canvas, mark: PageNumber) -> None:
    canvas._page_number_mark = mark


class NumberedCanvas(Canvas):
    """Keeps every page until the end, then writes "Page X of Y" once the page counts are known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._page_states: list[dict] = []
        self._page_number_mark: PageNumber | None = None

    def showPage(self) -> None:
        self._page_states.append(dict(self.__dict__))
        self._page_number_mark = None
        self._startPage()

    def save(self) -> None:
        marks = [state["_page_number_mark"] for state in self._page_states]
        numbers = _number_runs(marks)
        for state, mark, (page, pages) in zip(self._page_states, marks, numbers, strict=True):
            self.__dict__.update(state)
            if mark is not None:
                self._draw_page_number(mark, page, pages)
            super().showPage()
        super().save()

    def _draw_page_number(self, mark: PageNumber, page: int, pages: int) -> None:
        self.saveState()
        self.setFont(REGULAR, mark.size)
        self.setFillColor(GREY)
        text = mark.template.format(page=page, pages=pages)
        if mark.align == "right":
            self.drawRightString(mark.x, mark.y, text)
        elif mark.align == "centre":
            self.drawCentredString(mark.x, mark.y, text)
        else:
            self.drawString(mark.x, mark.y, text)
        self.restoreState()


def _number_runs(marks: list[PageNumber | None]) -> list[tuple[int, int]]:
    """(page, pages) for each page, counted within runs of consecutive pages of the same part."""
    keys = [m.part if m else None for m in marks]
    result: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            run = i - start
            result.extend((n + 1, run) for n in range(run))
            start = i
    return result


def frame(x: float, y: float, width: float, height: float, frame_id: str) -> Frame:
    return Frame(x, y, width, height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=frame_id)


def page_template(
    template_id: str, frames: list[Frame], on_page: OnPage, pagesize: tuple[float, float] = A4
) -> PageTemplate:
    return PageTemplate(id=template_id, frames=frames, onPage=on_page, pagesize=pagesize)


def build_pdf(parts: list[Part], meta: Meta) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    templates = [t for part in parts for t in part.templates]
    doc = BaseDocTemplate(
        buffer,
        pagesize=templates[0].pagesize or A4,
        pageTemplates=templates,
        invariant=1,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        creator=CREATOR,
        lang=meta.lang_tag,
        initialFontName=REGULAR,
        pageCompression=1,
    )
    story: list[Flowable] = []
    for index, part in enumerate(parts):
        if index:
            story += [NextPageTemplate(part.first_template), PageBreak()]
        story += part.story
    doc.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
