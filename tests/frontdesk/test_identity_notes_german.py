"""Staff walk 3b, finding 5: the DICOM identity check's notes on the referral page were English on German
screens ("The family name in the file differs from the patient's."): stored in English, shown translated."""

from __future__ import annotations

from clinic.models import ImagingStudy, StoredFile, StudyFile
from clinic.services.uploads.identity import note_phrases
from tests.conftest import NOW
from tests.factories import build_clinic, german_desk, make_referral


def test_the_identity_notes_are_german_on_german_screens(session, browser):
    build_clinic(session)
    referral = make_referral(session)
    study = ImagingStudy(patient_id=referral.patient_id, referral_id=referral.id, modality="MR")
    session.add(study)
    notes = [
        (
            "a",
            "mismatch",
            "The family name in the file differs from the patient's. "
            "The birth date in the file differs from the patient's.",
        ),
        ("b", "cannot_verify", "No birth date in the file."),
    ]
    for digit, status, note in notes:
        stored = StoredFile(sha256=digit * 64, size=10, content_type="application/dicom")
        session.add(stored)
        session.flush()
        study.files.append(
            StudyFile(
                stored_file_id=stored.id,
                original_name=f"{digit}.dcm",
                kind="dicom",
                identity_status=status,
                identity_note=note,
                dicom_patient_name="SCHMIDT^HANS",
                uploaded_at=NOW,
            )
        )
    german_desk(session, browser)
    page = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
    assert "Der Nachname in der Datei weicht von dem des Patienten ab. Das Geburtsdatum in der Datei weicht" in page
    assert "Kein Geburtsdatum in der Datei." in page
    assert "differs from the patient" not in page and "No birth date" not in page


def test_a_stored_note_is_read_back_as_its_phrases_and_other_words_stay_as_they_are():
    joined = "No given name in the file. No birth date in the file."
    assert [str(p) for p in note_phrases(joined).parts] == ["No given name in the file.", "No birth date in the file."]
    assert note_phrases("typed by hand") == "typed by hand" and note_phrases(None) is None
