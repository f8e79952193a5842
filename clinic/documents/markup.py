"""The small text format of the clinic's document texts (see clinic/content/texts/README.md) as flowables.

``## Heading`` starts a section, blank lines separate paragraphs, ``- `` starts a bullet, ``**bold**``
is the only inline markup, and ``{clinic_name}``-style placeholders are filled from the clinic's
settings. Anything else is printed as it was typed (escaped), so an admin's preview shows mistakes
instead of failing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph, Spacer

from .styles import styles

PLACEHOLDER = re.compile(r"\{(\w+)\}")
BOLD = re.compile(r"\*\*(.+?)\*\*")
PLACEHOLDERS = ("clinic_name", "clinic_phone", "clinic_address", "emergency_number")


@dataclass
class Section:
    heading: str | None
    paragraphs: list[str | list[str]] = field(default_factory=list)  # text, or the items of a bullet list

    def matches(self, *words: str) -> bool:
        heading = (self.heading or "").casefold()
        return any(word in heading for word in words)


def parse(body: str) -> list[Section]:
    sections = [Section(None)]
    lines: list[str] = []

    def end_paragraph() -> None:
        if lines:
            sections[-1].paragraphs.append(" ".join(lines))
            lines.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            end_paragraph()
            sections.append(Section(line.lstrip("#").strip()))
        elif line.startswith("- "):
            end_paragraph()
            current = sections[-1].paragraphs
            if not current or not isinstance(current[-1], list):
                current.append([])
            current[-1].append(line[2:].strip())
        elif not line:
            end_paragraph()
        else:
            lines.append(line)
    end_paragraph()
    return [s for s in sections if s.heading or s.paragraphs]


def inline(text: str, values: Mapping[str, str]) -> str:
    """Reportlab paragraph markup for one line: placeholders filled, XML escaped, **bold** made bold."""
    filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    return BOLD.sub(r"<b>\1</b>", escape(filled))


def placeholder_values(clinic: Mapping[str, str]) -> dict[str, str]:
    return {key: clinic.get(key, "") for key in PLACEHOLDERS}


def section_flowables(section: Section, values: Mapping[str, str]) -> list[Flowable]:
    style = styles()
    out: list[Flowable] = []
    if section.heading:
        out.append(Paragraph(inline(section.heading, values), style["heading"]))
    for block in section.paragraphs:
        if isinstance(block, list):
            out.extend(Paragraph(inline(item, values), style["bullet"], bulletText="•") for item in block)
            out.append(Spacer(1, 3))
        else:
            out.append(Paragraph(inline(block, values), style["body"]))
    return out


def flowables(sections: list[Section], values: Mapping[str, str]) -> list[Flowable]:
    return [f for section in sections for f in section_flowables(section, values)]
