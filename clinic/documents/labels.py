"""Words the documents print for coded values, in English and German."""

from __future__ import annotations

VOCAB: dict[str, dict[str, str]] = {
    "en": {
        "cervical": "cervical spine",
        "thoracic": "thoracic spine",
        "lumbar": "lumbar spine",
        "sacral": "sacrum",
        "other": "other",
        "left": "left",
        "right": "right",
        "bilateral": "both sides",
        "midline": "midline",
        "diagnostic": "diagnostic",
        "therapeutic": "therapeutic",
        "neurolytic": "neurolytic",
        "CT": "CT",
        "MRI": "MRI",
    },
    "de": {
        "cervical": "Halswirbelsäule",
        "thoracic": "Brustwirbelsäule",
        "lumbar": "Lendenwirbelsäule",
        "sacral": "Kreuzbein",
        "other": "andere",
        "left": "links",
        "right": "rechts",
        "bilateral": "beidseits",
        "midline": "Mitte",
        "diagnostic": "diagnostisch",
        "therapeutic": "therapeutisch",
        "neurolytic": "neurolytisch",
        "CT": "CT",
        "MRI": "MRT",
    },
}

SEX_SHORT = {"female": "F", "male": "M", "diverse": "D", "unknown": "–"}


def language_of(code: str | None) -> str:
    return "de" if code == "de" else "en"


def locale_of(language: str) -> str:
    return "de_DE" if language == "de" else "en_GB"


def word(value: str | None, language: str) -> str:
    """The printed word for a coded value; an empty value prints as a dash."""
    if not value:
        return "–"
    return VOCAB[language_of(language)].get(value, value)
