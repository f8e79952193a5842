"""Text helpers without Flask: search keys for names."""

from anyascii import anyascii


def search_key(text: str) -> str:
    """Fold a name for searching: accents and special letters to ASCII, case folded.

    "Müller" → "muller", "Łukasz" → "lukasz", "Søren" → "soren", "Strauß" → "strauss".
    """
    return " ".join(anyascii(text).casefold().split())
