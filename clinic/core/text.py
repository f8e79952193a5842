"""Text helpers without Flask: search keys for names, and what text may contain."""

import re
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


# German umlauts are written both ways ("Müller", "Mueller"). search_key already turns "ü" into "u"; folding
# the spelled-out "ue" to "u" as well makes both spellings one key. Applied to stored names and typed queries
# alike, so it only ever widens a match ("Michael" and "Michal" share a key: a hint, never an identity check).
_DIGRAPHS = re.compile(r"ae|oe|ue")
_NOT_NAME = re.compile(r"[^a-z0-9]+")
NAME_WORDS_LENGTH = 400


def name_key(text: str) -> str:
    """The key under which names are compared and searched: ``search_key`` with German digraphs folded.

    "Müller", "Mueller" and "MULLER" → "muller"; "Strauß" and "Strauss" → "strauss"; "Zoë" → "zoe".
    """
    return _DIGRAPHS.sub(lambda m: m.group(0)[0], search_key(text))


def name_parts(text: str) -> list[str]:
    """Every part of a name, folded: "Meyer-Lüdenscheidt" → ["meyer", "ludenscheidt"]."""
    return [part for part in _NOT_NAME.split(name_key(text)) if part]


def name_words(*names: str) -> str:
    """The parts of all names in one string, each after a space, for "% part%" searches on any database:
    ("Meyer-Lüdenscheidt", "Anna Karla") → " meyer ludenscheidt anna karla"."""
    words = ""
    for name in names:
        for part in name_parts(name):
            if len(words) + 1 + len(part) > NAME_WORDS_LENGTH:
                return words
            words += " " + part
    return words
