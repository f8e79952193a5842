"""Does the DICOM header name this patient? Names and birth dates compared with the record."""

from __future__ import annotations

import re

from ...core.messages import N_, Phrase, Phrases
from ...core.text import search_key
from ...models import Patient
from ...models.vocab import FileKind, IdentityCheck
from .content import (
    Inspected,
)

# --- patient identity ---------------------------------------------------------------------------------

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _name_keys(name: str) -> set[str]:
    """The forms under which a name counts as the same: folded by ``search_key`` ("Müller" → "muller")
    and by German transliteration ("Müller" → "mueller"), both without spaces, hyphens or apostrophes.
    So "MÜLLER", "Muller" and "MUELLER" all match a patient "Müller", but "Muller" does not match a
    patient "Mueller" (no umlaut to bridge them: they may well be different families)."""
    return {re.sub(r"[^a-z0-9]", "", search_key(form)) for form in (name, name.translate(_GERMAN))} - {""}


def _same_name(a: str, b: str) -> bool:
    return bool(_name_keys(a) & _name_keys(b))


def _same_given_name(in_file: str, on_record: str) -> bool:
    """Equal, or the same first given name ("JUERGEN KARL" against "Jürgen"): many senders add or
    drop middle names. Hyphenated names stay whole: "Hans-Peter" is not "Hans"."""
    if _same_name(in_file, on_record):
        return True
    return _same_name(in_file.split()[0], on_record.split()[0]) if in_file.split() and on_record.split() else False


def _check_name(written: str | None, patient: Patient) -> tuple[str, str | None]:
    """("match" | "mismatch" | "unknown", note) for a DICOM PN value "FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX"."""
    alphabetic = (written or "").split("=")[0]  # ideographic and phonetic forms follow after "="
    components = [c.strip() for c in alphabetic.split("^")]
    family = components[0]
    given = components[1] if len(components) > 1 else ""
    if not family and not given:
        return "unknown", N_("No patient name in the file.")
    if "^" not in alphabetic:
        # One component only: some senders write "FAMILY GIVEN" (or "GIVEN FAMILY") without a caret.
        whole = (f"{patient.family_name} {patient.given_name}", f"{patient.given_name} {patient.family_name}")
        if any(_same_name(family, form) for form in whole):
            return "match", None
        if _same_name(family, patient.family_name):
            return "unknown", N_("No given name in the file.")
        return "mismatch", N_("The name in the file differs from the patient's.")
    notes = []
    if family and not _same_name(family, patient.family_name):
        notes.append(N_("The family name in the file differs from the patient's."))
    if given and not _same_given_name(given, patient.given_name):
        notes.append(N_("The given name in the file differs from the patient's."))
    if notes:
        return "mismatch", " ".join(notes)
    if not family:
        return "unknown", N_("No family name in the file.")
    if not given:
        return "unknown", N_("No given name in the file.")
    return "match", None


def _check_birth_date(inspected: Inspected, patient: Patient) -> tuple[str, str | None]:
    if not inspected.patient_birth_date_text:
        return "unknown", N_("No birth date in the file.")
    if inspected.patient_birth_date is None:
        return "unknown", N_("The birth date in the file is not a valid date.")
    if inspected.patient_birth_date != patient.birth_date:
        return "mismatch", N_("The birth date in the file differs from the patient's.")
    return "match", None


def check_identity(inspected: Inspected, patient: Patient) -> tuple[IdentityCheck, str | None]:
    """Does the patient named in a DICOM header look like ``patient``? A value missing from the file is
    "cannot verify", never a match; any value present and different is a mismatch."""
    if inspected.kind is not FileKind.DICOM:
        return IdentityCheck.NOT_APPLICABLE, None
    results = [_check_name(inspected.patient_name, patient), _check_birth_date(inspected, patient)]
    if any(status == "mismatch" for status, _note in results):
        outcome = IdentityCheck.MISMATCH
        notes = [note for status, note in results if status == "mismatch"]
    elif any(status == "unknown" for status, _note in results):
        outcome = IdentityCheck.CANNOT_VERIFY
        notes = [note for status, note in results if status == "unknown"]
    else:
        return IdentityCheck.MATCH, None
    return outcome, " ".join(n for n in notes if n)[:300] or None


# Every note ``check_identity`` writes (English, stored with the file, joined by a space): a screen shows a
# stored note in its language through ``note_phrases``.
NOTES = (
    N_("No patient name in the file."),
    N_("No given name in the file."),
    N_("The name in the file differs from the patient's."),
    N_("The family name in the file differs from the patient's."),
    N_("The given name in the file differs from the patient's."),
    N_("No family name in the file."),
    N_("No birth date in the file."),
    N_("The birth date in the file is not a valid date."),
    N_("The birth date in the file differs from the patient's."),
)


def note_phrases(note: str | None) -> str | None:
    """A stored identity note as marked phrases (``Phrases``), so that a screen shows it in its language; a
    note of other words (written before, or by hand) is shown as it is."""
    if not note:
        return note
    parts, rest = [], note.strip()
    while rest:
        known = next((n for n in NOTES if rest.startswith(n)), None)
        if known is None:
            return note
        parts.append(Phrase(known))
        rest = rest[len(known) :].lstrip()
    return Phrases(parts, " ")
