"""Documents built from transient objects only (no database), for the cross-process determinism test.

Run as ``python -m tests.documents.specimen``: prints the sha256 of each document, one per line.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from clinic.defaults import TEXTS_DIR, parse_text_file
from clinic.documents import LetterContext, render_consent, render_information_sheet, render_letter, render_worklist
from clinic.models import Appointment, DocumentText, Patient, ProcedureType, Room
from clinic.models.vocab import BleedingClass
from clinic.services.medication import HoldPlan
from clinic.services.settings import DEFAULTS

ZONE = "Europe/Berlin"  # as conftest.ZONE; this module also runs alone in a subprocess, without the test harness


def _text(procedure_type: ProcedureType, kind: str) -> DocumentText:
    title, body = parse_text_file(TEXTS_DIR / f"{procedure_type.code}.{kind}.de.md")
    return DocumentText(kind=kind, language="de", version=1, title=title, body=body, procedure_type=procedure_type)


def specimen_pdfs() -> dict[str, bytes]:
    pt = ProcedureType(code="PRT", name_en="Periradicular therapy", name_de="Periradikuläre Therapie", modality="CT")
    patient = Patient(clinic_number="P-1", birth_date=dt.date(1960, 1, 1), sex="female", preferred_language="de")
    patient.set_names("Weiß-Dupré", "Zoë")
    patient.street, patient.postal_code, patient.city = "Łódzka 3", "50667", "Köln"
    start = dt.datetime(2026, 11, 24, 7, 20, tzinfo=dt.UTC)
    appointment = Appointment(
        reference="K7QX-4M2P",
        patient=patient,
        procedure_type=pt,
        room=Room(name="CT 1"),
        region="lumbar",
        side="left",
        levels="L4/5",
        guidance="CT",
        status="booked",
        table_start=start,
        table_end=start + dt.timedelta(minutes=20),
        obs_end=start + dt.timedelta(minutes=50),
    )
    issued = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    letter = LetterContext(appointment, HoldPlan(BleedingClass.INTERMEDIATE), DEFAULTS, ZONE, 30, issued.date(), issued)
    return {
        "consent": render_consent(appointment, _text(pt, "consent"), DEFAULTS, ZONE),
        "information": render_information_sheet(_text(pt, "information"), DEFAULTS),
        "letter": render_letter(letter),
        "worklist": render_worklist([appointment], "CT 1", dt.date(2026, 11, 24), ZONE, DEFAULTS, {}),
    }


def digests() -> dict[str, str]:
    return {name: hashlib.sha256(pdf).hexdigest() for name, pdf in specimen_pdfs().items()}


if __name__ == "__main__":
    for name, digest in sorted(digests().items()):
        print(name, digest)
