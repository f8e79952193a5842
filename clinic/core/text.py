"""Text helpers without Flask: search keys for names, and what text may contain."""

import unicodedata

from anyascii import anyascii

ALLOWED_CONTROLS = {"\t", "\n", "\r"}
CONTROL_CHARACTERS_MESSAGE = (
    "This contains invisible control characters (for example from a copy and paste). Please type it again."
)


def has_control_characters(text: str) -> bool:
    """NUL and the other control codes (Unicode category Cc) other than tab and line breaks, and lone
    surrogates (Cs), which no database can store as text."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in ALLOWED_CONTROLS for ch in text)


def search_key(text: str) -> str:
    """Fold a name for searching: accents and special letters to ASCII, case folded.

    "Müller" → "muller", "Łukasz" → "lukasz", "Søren" → "soren", "Strauß" → "strauss".
    """
    return " ".join(anyascii(text).casefold().split())
