"""Format and content checks for the patient-facing texts in clinic/content/texts.

Plain pytest: no app, no database. One parametrised case per file.
"""

import re
from pathlib import Path

import pytest

TEXTS_DIR = Path(__file__).resolve().parents[2] / "clinic" / "content" / "texts"

CODES = ("PRT", "FACET", "SYMP", "RFA", "EPI")
KINDS = ("information", "consent")
LANGS = ("en", "de")

SECTION_COUNT = {"information": 8, "consent": 5}
WORD_LIMITS = {"information": (550, 750), "consent": (300, 500)}
ALLOWED_PLACEHOLDERS = {"clinic_name", "clinic_phone", "clinic_address", "emergency_number"}

FILES = [(code, kind, lang) for code in CODES for kind in KINDS for lang in LANGS]
IDS = [f"{code}.{kind}.{lang}" for code, kind, lang in FILES]
INFO_FILES = [f for f in FILES if f[1] == "information"]
INFO_IDS = [f"{code}.{kind}.{lang}" for code, kind, lang in INFO_FILES]
DE_FILES = [f for f in FILES if f[2] == "de"]
DE_IDS = [f"{code}.{kind}.{lang}" for code, kind, lang in DE_FILES]


def _path(code: str, kind: str, lang: str) -> Path:
    return TEXTS_DIR / f"{code}.{kind}.{lang}.md"


def _read(code: str, kind: str, lang: str) -> str:
    return _path(code, kind, lang).read_text(encoding="utf-8")


def _word_count(text: str) -> int:
    """Words of the text itself: heading marks, bullet marks and bold marks do not count."""
    text = re.sub(r"^#{1,2} ", "", text, flags=re.MULTILINE)
    text = re.sub(r"^- ", "", text, flags=re.MULTILINE)
    text = text.replace("**", "")
    return len(text.split())


@pytest.mark.parametrize(("code", "kind", "lang"), FILES, ids=IDS)
def test_file_exists(code, kind, lang):
    assert _path(code, kind, lang).is_file()


@pytest.mark.parametrize(("code", "kind", "lang"), FILES, ids=IDS)
def test_title_line(code, kind, lang):
    lines = _read(code, kind, lang).splitlines()
    assert lines[0].startswith("# ")
    assert len(lines[0]) > 2
    assert not any(line.startswith("# ") for line in lines[1:]), "only one title line"


@pytest.mark.parametrize(("code", "kind", "lang"), FILES, ids=IDS)
def test_section_count(code, kind, lang):
    lines = _read(code, kind, lang).splitlines()
    sections = [line for line in lines if line.startswith("## ")]
    assert len(sections) == SECTION_COUNT[kind]
    assert lines[1] == "", "blank line after the title"


@pytest.mark.parametrize(("code", "kind", "lang"), FILES, ids=IDS)
def test_only_allowed_markup(code, kind, lang):
    for number, line in enumerate(_read(code, kind, lang).splitlines(), start=1):
        where = f"line {number}: {line[:60]!r}"
        if line.startswith("#"):
            assert line.startswith(("# ", "## ")) and not line.startswith("###"), where
        assert not line.startswith((" ", "\t")), f"no indentation or nested lists, {where}"
        assert not re.match(r"^(\* |\+ |\d+[.)] )", line), f"bullets start with '- ', {where}"
        assert not re.search(r"[<>|`]|!\[|\]\(", line), f"no HTML, tables, code or images, {where}"
        assert line.count("**") % 2 == 0, f"unbalanced bold, {where}"
        assert "*" not in line.replace("**", ""), f"only **bold** is allowed, {where}"
        assert "_" not in re.sub(r"\{[a-z_]+\}", "", line), f"no underscore markup, {where}"


@pytest.mark.parametrize(("code", "kind", "lang"), FILES, ids=IDS)
def test_only_allowed_placeholders(code, kind, lang):
    text = _read(code, kind, lang)
    used = set(re.findall(r"\{([^{}]*)\}", text))
    assert used <= ALLOWED_PLACEHOLDERS, used - ALLOWED_PLACEHOLDERS
    # No stray braces outside well-formed placeholders.
    assert "{" not in re.sub(r"\{[a-z_]+\}", "", text)
    assert "}" not in re.sub(r"\{[a-z_]+\}", "", text)


@pytest.mark.parametrize(("code", "kind", "lang"), INFO_FILES, ids=INFO_IDS)
def test_contact_placeholders_in_information_sheets(code, kind, lang):
    text = _read(code, kind, lang)
    for name in ALLOWED_PLACEHOLDERS:
        assert "{" + name + "}" in text


@pytest.mark.parametrize(("code", "kind", "lang"), DE_FILES, ids=DE_IDS)
def test_german_uses_real_umlauts(code, kind, lang):
    assert re.search("[äöüÄÖÜß]", _read(code, kind, lang))


@pytest.mark.parametrize(("code", "kind", "lang"), FILES, ids=IDS)
def test_no_ninety_percent_claim(code, kind, lang):
    # The "facet joints cause ~90% of back pain" claim must never be printed;
    # the simplest safe rule is that "90" does not occur at all.
    assert "90" not in _read(code, kind, lang)


@pytest.mark.parametrize(("code", "kind", "lang"), FILES, ids=IDS)
def test_word_count_within_limits(code, kind, lang):
    low, high = WORD_LIMITS[kind]
    count = _word_count(_read(code, kind, lang))
    assert low <= count <= high, f"{count} words, allowed {low}-{high}"
