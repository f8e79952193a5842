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
# Words of the whole file, every target's and guidance's lines included; what one appointment prints is
# shorter. The page limits themselves are checked on the rendered PDFs (tests/documents).
WORD_LIMITS = {"information": (450, 950), "consent": (280, 560)}
CONTACT_PLACEHOLDERS = {"clinic_name", "clinic_phone", "clinic_address", "emergency_number", "out_of_hours_number"}
ALLOWED_PLACEHOLDERS = CONTACT_PLACEHOLDERS | {"guidance"}
CONDITION = re.compile(r"^(?:#+ |- )?\[([A-Za-z -]+)\] ")
GUIDANCE_TAGS = {"CT", "MRI"}
TARGET_TAGS = {
    "SYMP": {"stellate", "thoracic-chain", "celiac", "lumbar-chain", "hypogastric", "impar"},
    "FACET": {"intra-articular", "medial-branch"},
    "EPI": {"interlaminar", "caudal"},
}

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
    for name in CONTACT_PLACEHOLDERS:
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


def _conditions(text: str) -> list[set[str]]:
    return [set(m.group(1).split()) for line in text.splitlines() if (m := CONDITION.match(line))]


@pytest.mark.parametrize(("code", "kind", "lang"), FILES, ids=IDS)
def test_conditions_name_only_this_procedures_targets_and_guidance(code, kind, lang):
    allowed = GUIDANCE_TAGS | TARGET_TAGS.get(code, set())
    for tags in _conditions(_read(code, kind, lang)):
        assert tags <= allowed, tags - allowed


@pytest.mark.parametrize("code", sorted(TARGET_TAGS))
def test_every_target_is_described_in_both_languages(code):
    """Issue 14, finding 8: a structured target chooses what the sheet and the consent form print, so each
    target must have its own lines, and English and German carry the same conditions in the same order."""
    for kind in KINDS:
        english, german = (_conditions(_read(code, kind, lang)) for lang in LANGS)
        assert english == german, kind
        named = set().union(*english) - GUIDANCE_TAGS
        assert named == TARGET_TAGS[code], (kind, TARGET_TAGS[code] - named)


@pytest.mark.parametrize(("code", "kind", "lang"), FILES, ids=IDS)
def test_guidance_is_never_hard_wired_to_ct(code, kind, lang):
    """Issue 14, finding 7: "under CT guidance" / "unter CT-Kontrolle" comes from {guidance}; CT-only lines
    (X-rays) are marked [CT], lines about the other guidance as an alternative are marked [CT] or [MRI]."""
    ct_section = False
    for line in _read(code, kind, lang).splitlines():
        if line.startswith("## "):
            ct_section = line.startswith("## [CT]")
        if "[CT]" in line or "[MRI]" in line or ct_section:
            continue
        assert not re.search(r"CT-Kontrolle|CT guidance|by CT|CT-Tisch|CT table|Röntgenstrahlen|X-rays", line), line


@pytest.mark.parametrize(("code", "kind", "lang"), DE_FILES, ids=DE_IDS)
def test_german_reads_as_german(code, kind, lang):
    """Issue 14, finding 11: Taubheitsgefühl (Taubheit is deafness), no English words, one name for RFA."""
    text = "\n".join(CONDITION.sub("", line) for line in _read(code, kind, lang).splitlines())
    assert not re.search(r"\bTaubheit\b", text)
    assert not re.search(r"\b(caudal|Medial-Branch|medial branch|Wohin)\b", text)
    assert "Horner-Zeichen" not in text and "Klebeelektrode" not in text
    if code == "RFA":
        assert "Radiofrequenz-Denervation (Thermokoagulation)" in text and "Radiofrequenzablation" not in text


@pytest.mark.parametrize(("code", "kind", "lang"), [f for f in FILES if f[1] == "consent"])
def test_consent_declarations_stand_up_under_german_law(code, kind, lang):
    """Issue 14, finding 9 (§630d, §630e BGB): withdrawal at any time, a copy received, the talk with a
    physician; nothing that assumes signing on the day (driving belongs to the day's checklist)."""
    declarations = _read(code, kind, lang).split("\n## ")[-1]
    if lang == "en":
        assert "withdraw my consent at any time" in declarations and "before the procedure" not in declarations
        assert "received a copy" in declarations and "A physician explained" in declarations
        assert "drive" not in declarations and "today" not in declarations
    else:
        assert "jederzeit ohne Angabe von Gründen widerrufen" in declarations and "vor dem Eingriff" not in declarations
        assert "Kopie dieses Bogens erhalten" in declarations and "Ärztin oder ein Arzt hat mir" in declarations
        assert "Auto" not in declarations and "heute" not in declarations


@pytest.mark.parametrize(("code", "lang"), [(c, lang) for c in ("PRT", "EPI") for lang in LANGS])
def test_epidural_steroid_use_outside_its_licence_is_named(code, lang):
    """Clinical facts §1.4: corticosteroids are not FDA-approved for epidural use; the FDA warned in 2014."""
    consent = _read(code, "consent", lang)
    assert ("off-label" in consent) if lang == "en" else ("Off-Label" in consent)
    assert "FDA" in consent and "2014" in consent


@pytest.mark.parametrize(("code", "kind", "lang"), INFO_FILES, ids=INFO_IDS)
def test_sheets_name_warning_signs_before_the_appointment_and_eating(code, kind, lang):
    """Issue 14, findings 5 and 6 (clinical facts §5 items 1-4; §2.1, §2.3)."""
    text = _read(code, kind, lang)
    if lang == "en":
        assert "**Warning signs:**" in text and "the same day" in text and "do not wait for your appointment" in text
        assert "**Eating:**" in text
        assert "{out_of_hours_number}" in text
    else:
        assert "**Warnzeichen:**" in text and "noch am selben Tag" in text and "warten Sie nicht" in text
        assert "**Essen:**" in text


def test_rfa_numbness_is_possible_not_expected_and_table_time_matches_the_catalogue():
    """Issue 14, finding 10: RFA 30-45 minutes on the table (the catalogue: 30 for one level, 5 more per
    level); leg numbness after RFA is possible, not expected."""
    from clinic.defaults import CATALOGUE

    rfa = next(row for row in CATALOGUE if row["code"] == "RFA")
    table, per_level = rfa["table_minutes"], rfa["extra_minutes_per_level"]
    assert (table, table + 3 * per_level) == (30, 45)
    english, german = _read("RFA", "information", "en"), _read("RFA", "information", "de")
    assert "30 to 45 minutes" in english and "30 bis 45 Minuten" in german
    assert "is expected" not in english and "zu erwarten" not in german
    assert "Numbness or weakness for some hours is possible" in english


def test_prt_success_figure_is_the_clinics_own_experience():
    """Issue 14, finding 10 (clinical facts §6): 60-80 in 100 is the clinic's experience, apart from the
    one-to-three-sessions claim of other practices."""
    english, german = _read("PRT", "information", "en"), _read("PRT", "information", "de")
    assert "In our clinic's experience, about 60 to 80 in 100" in english
    assert "Nach unserer Erfahrung in der Praxis haben etwa 60 bis 80 von 100" in german
    for text in (english, german):
        line = next(line for line in text.splitlines() if "60 to 80" in line or "60 bis 80" in line)
        assert "session" not in line and "Sitzung" not in line


@pytest.mark.parametrize("lang", LANGS)
def test_sympathetic_block_sheet_says_who_decides_and_arranges_the_clotting_test(lang):
    """Walk finding: the sheet said a clotting test is usually needed beforehand while nothing arranged it,
    so the patient did not know who would. Clinical facts §3 (sympathetic blocks): coagulation labs usually
    required (deep target); the sheet now says we decide and arrange it with the patient."""
    text = _read("SYMP", "information", lang)
    if lang == "en":
        assert "usually needed beforehand" not in text
        assert "We will tell you whether you need one and arrange it with you." in text
    else:
        assert "Meist ist vorher eine Gerinnungskontrolle nötig." not in text
        assert "nötig: Wir sagen Ihnen, ob Sie eine brauchen, und vereinbaren sie mit Ihnen." in text
