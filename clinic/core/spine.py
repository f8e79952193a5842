"""Spinal levels as staff write them ("L4/5", "L5/S1", "C5/6", "Th12/L1", "C7/Th1") and the part of the
spine each one lies in: a plan for the cervical spine must not name a lumbar level (a wrong-level risk
on the worklist and the patient's letter). A level that is no level ("blah") is refused; levels are stored
in one spelling ("l4-l5" → "L4/5"), each once."""

from __future__ import annotations

import re

from .messages import N_

# A level that is no level (``unreadable``), said at the levels field of triage and of the procedure record.
NOT_A_LEVEL = N_("{levels}: not a spinal level; write it like L4/5, L5/S1 or Th12/L1.")

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
    """The levels of a free-text list ("L4/5, L5/S1", "L4/5; L5/S1" or "L4/5 L5/S1"), each as written. Between
    commas or semicolons, a part that is one level ("L4 - L5", "L 4/5") stays one; a part that is wholly levels
    with spaces between them ("L4/5 L5/S1") gives each; anything else ("L4/5 links", "L4/5 DROP") stays one
    part as written, for ``unreadable`` to refuse."""
    parts = [part.strip() for part in (levels or "").replace(";", ",").split(",") if part.strip()]
    return [level for part in parts for level in _spaced(part) or [part]]


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


# A level as staff write it, whole: a vertebra or a root ("L5", "S1"), or two ("L4/5", "L4-L5", "Th12/L1",
# "L3-5" for a range). Upper or lower case, "/", "-" or "–" between, spaces allowed; or nothing between when
# the second names its letter ("L5S1", "l4l5", "Th12L1"). "L4 L5" stays two roots (``_spaced``).
_LEVEL = re.compile(
    r"(TH|C|T|L|S)\s*(\d{1,2})"
    r"(?:(?:\s*[/\-–]\s*|(?=(?:TH|C|T|L|S)\d))(?:(TH|C|T|L|S)\s*)?(\d{1,2}))?",
    re.IGNORECASE,
)
# The words that name a place without a vertebra, deliberately not judged by ``outside``: a caudal epidural
# goes through the sacral hiatus (the target says so); stored in one spelling.
_WORDS = {"caudal": "caudal", "kaudal": "caudal"}
_LETTER = {"cervical": "C", "thoracic": "Th", "lumbar": "L", "sacral": "S"}
_NUMBERS = {"cervical": range(1, 9), "thoracic": range(1, 13), "lumbar": range(1, 7), "sacral": range(1, 6)}
_ORDER = {"cervical": 0, "thoracic": 1, "lumbar": 2, "sacral": 3}
# The segments across a junction (C7/Th1, a C8 root, Th12/L1, L5/S1, a transitional L6).
_JUNCTIONS = {
    (("cervical", 7), ("thoracic", 1)),
    (("cervical", 8), ("thoracic", 1)),
    (("thoracic", 12), ("lumbar", 1)),
    (("lumbar", 5), ("sacral", 1)),
    (("lumbar", 6), ("sacral", 1)),
}


def normal_level(level: str) -> str | None:
    """One level in the clinic's one spelling ("l4-l5" and "l4l5" → "L4/5", "T12/l1" → "Th12/L1", "L3-5" → "L3–5", a
    range), or None when it is no level ("blah", "xyz", "L9", "L5/4", "L4/5 links": the side has a field)."""
    text = level.strip()
    if text.casefold() in _WORDS:
        return _WORDS[text.casefold()]
    match = _LEVEL.fullmatch(text)
    if match is None:
        return None
    first = (_PART[match[1].upper()], int(match[2]))
    if first[1] not in _NUMBERS[first[0]]:
        return None
    name = f"{_LETTER[first[0]]}{first[1]}"
    if match[4] is None:
        return name
    second = (_PART[(match[3] or match[1]).upper()], int(match[4]))
    if second[1] not in _NUMBERS[second[0]] or (_ORDER[second[0]], second[1]) <= (_ORDER[first[0]], first[1]):
        return None
    segment = second == (first[0], first[1] + 1) or (first, second) in _JUNCTIONS
    end = str(second[1]) if second[0] == first[0] else f"{_LETTER[second[0]]}{second[1]}"
    return f"{name}{'/' if segment else '–'}{end}"


_WORD = re.compile(r"(caudal|kaudal)(?![^\s])", re.IGNORECASE)


def _spaced(part: str) -> list[str] | None:
    """The levels of a part written with spaces between them ("L4/5 L5/S1"), or None when the part is one
    level as it stands or is not wholly levels. Each level is read as far as it goes ("L4 - L5 S1": "L4 - L5"
    and "S1") and must end at a space or the end; "L4/5L5/S1" is not split."""
    if normal_level(part) is not None:
        return None
    found, at = [], 0
    while at < len(part):
        match = _WORD.match(part, at) or _LEVEL.match(part, at)
        if match is None or (match.end() < len(part) and not part[match.end()].isspace()):
            return None
        if normal_level(match[0]) is None:
            return None
        found.append(match[0])
        at = match.end()
        while at < len(part) and part[at].isspace():
            at += 1
    return found if len(found) > 1 else None


def unreadable(levels: str | None) -> list[str]:
    """The levels of the list that are no level (``normal_level``), as written."""
    return [level for level in level_list(levels) if normal_level(level) is None]


def normalised(levels: str | None) -> str | None:
    """The list in the clinic's one spelling, each level once, in the order written ("l4/5, L4/5" → "L4/5");
    an unreadable level stays as written (refuse it first: ``unreadable``); None when the list is empty."""
    spelled = [normal_level(level) or level for level in level_list(levels)]
    return ", ".join(dict.fromkeys(spelled)) or None
