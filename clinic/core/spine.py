"""Spinal levels as staff write them ("L4/5", "L5/S1", "C5/6", "Th12/L1", "C7/Th1") and the part of the
spine each one lies in: a plan for the cervical spine must not name a lumbar level (a wrong-level risk
on the worklist and the patient's letter)."""

from __future__ import annotations

import re

# A vertebra or a root: its letter (Th or T for thoracic) and its number; "L4/5" names L4 and, by its
# second number, L5, which lies in the same part.
_VERTEBRA = re.compile(r"(?<![A-Za-zÄÖÜäöüß])(TH|C|T|L|S)\s*-?\s*(\d{1,2})", re.IGNORECASE)
_PART = {"C": "cervical", "T": "thoracic", "TH": "thoracic", "L": "lumbar", "S": "sacral"}
# Each part with the neighbours of its junctions (C7/Th1, Th12/L1, L5/S1): a level across a junction
# fits either side.
_FITS = {
    "cervical": {("cervical", n) for n in range(1, 9)} | {("thoracic", 1)},
    "thoracic": {("thoracic", n) for n in range(1, 13)} | {("cervical", 7), ("cervical", 8), ("lumbar", 1)},
    "lumbar": {("lumbar", n) for n in range(1, 7)} | {("thoracic", 12), ("sacral", 1)},
    "sacral": {("sacral", n) for n in range(1, 6)} | {("lumbar", 5), ("lumbar", 6)},
}


def level_list(levels: str | None) -> list[str]:
    """The levels of a free-text list ("L4/5, L5/S1"), each as written."""
    return [part.strip() for part in (levels or "").replace(";", ",").split(",") if part.strip()]


def vertebrae(level: str) -> set[tuple[str, int]]:
    """The vertebrae a level names, as (part, number): "L4/5" → lumbar 4; "Th12/L1" → thoracic 12, lumbar 1."""
    return {(_PART[letter.upper()], int(number)) for letter, number in _VERTEBRA.findall(level)}


def outside(levels: str | None, region: str | None) -> list[str]:
    """The levels of the list that lie wholly outside the region ("L4/5" for the cervical spine). A level
    naming no vertebra ("caudal") and a region without a part of the spine ("other") are not judged."""
    fits = _FITS.get(region or "")
    if fits is None:
        return []
    return [level for level in level_list(levels) if (named := vertebrae(level)) and not named & fits]
