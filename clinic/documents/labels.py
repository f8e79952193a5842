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
        "stellate": "stellate ganglion",
        "thoracic_chain": "thoracic sympathetic chain",
        "celiac": "celiac plexus",
        "lumbar_chain": "lumbar sympathetic chain",
        "hypogastric": "superior hypogastric plexus",
        "impar": "ganglion impar",
        "intra_articular": "intra-articular injection (into the joint)",
        "medial_branch": "medial branch block",
        "interlaminar": "interlaminar",
        "caudal": "caudal (through the sacral hiatus)",
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
        "stellate": "Ganglion stellatum (Stellatumblockade)",
        "thoracic_chain": "thorakaler Grenzstrang",
        "celiac": "Plexus coeliacus",
        "lumbar_chain": "lumbaler Grenzstrang",
        "hypogastric": "Plexus hypogastricus superior",
        "impar": "Ganglion impar",
        "intra_articular": "intraartikuläre Injektion (in das Gelenk)",
        "medial_branch": "Ramus-medialis-Blockade",
        "interlaminar": "interlaminär",
        "caudal": "kaudal (über den Hiatus sacralis)",
    },
}

# The sex in one letter, for the worklist's narrow column: German W/M/D, as the screens' labels (Weiblich, …).
SEX_SHORT = {
    "en": {"female": "F", "male": "M", "diverse": "D", "unknown": "–"},
    "de": {"female": "W", "male": "M", "diverse": "D", "unknown": "–"},
}


def language_of(code: str | None) -> str:
    return "de" if code == "de" else "en"


def locale_of(language: str) -> str:
    return "de_DE" if language == "de" else "en_GB"


def word(value: str | None, language: str) -> str:
    """The printed word for a coded value; an empty value prints as a dash."""
    if not value:
        return "–"
    return VOCAB[language_of(language)].get(value, value)
