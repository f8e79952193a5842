"""The small text format of the clinic's document texts (see clinic/content/texts/README.md) as flowables.

``## Heading`` starts a section, blank lines separate paragraphs, ``- `` starts a bullet, ``**bold**``
is the only inline markup, and ``{clinic_name}``-style placeholders are filled from the clinic's
settings. A heading, bullet or paragraph that starts with a condition such as ``[MRI]`` or
``[celiac hypogastric]`` is printed only for an appointment with that guidance or one of those
targets (a document for no particular appointment prints every target). Anything else is printed as
it was typed (escaped), so an admin's preview shows mistakes instead of failing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph, Spacer

from ..models.vocab import Modality, Target
from .styles import styles

PLACEHOLDER = re.compile(r"\{(\w+)\}")
BOLD = re.compile(r"\*\*(.+?)\*\*")
PLACEHOLDERS = ("clinic_name", "clinic_phone", "clinic_address", "emergency_number", "out_of_hours_number")
PHONES = ("emergency_number", "out_of_hours_number")  # short: the clinic's own long number may break
NO_BREAK = "\u00a0"
CONDITION = re.compile(r"^\[([A-Za-z -]+)\]\s*")
GUIDANCE_TAGS = set(Modality.values())
TARGET_TAGS = {t.replace("_", "-") for t in Target.values()}
GUIDANCE_WORDS = {"de": {"CT": "CT", "MRI": "MRT"}, "en": {"CT": "CT", "MRI": "MRI"}}


@dataclass(frozen=True)
class Applies:
    """What a document is printed for: the planned guidance and target (None: any)."""

    guidance: str | None = None
    target: str | None = None

    def admits(self, tags: set[str]) -> bool:
        guidance = tags & GUIDANCE_TAGS
        targets = {t.replace("-", "_") for t in tags - GUIDANCE_TAGS}
        if guidance and self.guidance is not None and self.guidance not in guidance:
            return False
        return not (targets and self.target is not None and self.target not in targets)


def condition(line: str) -> tuple[set[str] | None, str]:
    """The tags a line starts with (None when it starts with no known condition) and the rest."""
    match = CONDITION.match(line)
    if not match:
        return None, line
    tags = set(match.group(1).split())
    if not tags or not tags <= GUIDANCE_TAGS | TARGET_TAGS:
        return None, line  # not a condition: printed as typed, so a typo shows in the preview
    return tags, line[match.end() :]


@dataclass
class Section:
    heading: str | None
    paragraphs: list[str | list[str]] = field(default_factory=list)  # text, or the items of a bullet list

    def matches(self, *words: str) -> bool:
        heading = (self.heading or "").casefold()
        return any(word in heading for word in words)


def parse(body: str, applies: Applies = Applies()) -> list[Section]:
    """Sections of a text, with the lines whose condition does not apply to ``applies`` left out."""
    sections = [Section(None)]
    lines: list[str] = []
    skipping_section = False
    skipping_paragraph = False

    def end_paragraph() -> None:
        if lines:
            sections[-1].paragraphs.append(" ".join(lines))
            lines.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            end_paragraph()
            tags, heading = condition(line.lstrip("#").strip())
            skipping_section = tags is not None and not applies.admits(tags)
            sections.append(Section(heading))
            if skipping_section:
                sections.pop()
            continue
        if skipping_section:
            continue
        if not line:
            end_paragraph()
            skipping_paragraph = False
            continue
        tags, rest = condition(line[2:].strip() if line.startswith("- ") else line)
        if tags is not None and not applies.admits(tags):
            if not line.startswith("- "):
                end_paragraph()
                skipping_paragraph = True
            continue
        if line.startswith("- "):
            end_paragraph()
            skipping_paragraph = False
            current = sections[-1].paragraphs
            if not current or not isinstance(current[-1], list):
                current.append([])
            current[-1].append(rest)
        elif not skipping_paragraph:
            lines.append(rest)
    end_paragraph()
    return [s for s in sections if s.heading or s.paragraphs]


def inline(text: str, values: Mapping[str, str]) -> str:
    """Reportlab paragraph markup for one line: placeholders filled, XML escaped, **bold** made bold."""
    filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    return BOLD.sub(r"<b>\1</b>", escape(filled))


def placeholder_values(clinic: Mapping[str, str], guidance: str = "CT", language: str = "de") -> dict[str, str]:
    """The clinic's contact details, and ``{guidance}``: the planned guidance as the patient reads it."""
    values = {key: clinic.get(key, "") for key in PLACEHOLDERS}
    for key in PHONES:  # a number is never broken across lines: "116 117" read as two numbers (walk 23)
        values[key] = values[key].replace(" ", NO_BREAK)
    values["guidance"] = GUIDANCE_WORDS["de" if language == "de" else "en"].get(guidance, guidance)
    return values


def section_flowables(section: Section, values: Mapping[str, str]) -> list[Flowable]:
    style = styles()
    out: list[Flowable] = []
    if section.heading:
        out.append(Paragraph(inline(section.heading, values), style["heading"]))
    for block in section.paragraphs:
        if isinstance(block, list):
            out.extend(Paragraph(inline(item, values), style["bullet"], bulletText="•") for item in block)
            out.append(Spacer(1, 2))
        else:
            out.append(Paragraph(inline(block, values), style["body"]))
    return out


def flowables(sections: list[Section], values: Mapping[str, str]) -> list[Flowable]:
    return [f for section in sections for f in section_flowables(section, values)]
