"""Browser: issue 21's data, labels and documents (items 6-10, 14, 18): what staff see on the screens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.core.timefmt import to_local
from clinic.models import AuditEvent, ImagingStudy, StoredFile, StudyFile
from tests.browser_fixtures import hand_over, submit
from tests.conftest import NOW, TODAY, ZONE
from tests.factories import book, build_clinic, make_ready_referral


def _study_file(session, study, name: str, status: str, n: int) -> StudyFile:
    stored = StoredFile(sha256=f"{n:064x}", size=10, content_type="application/dicom")
    session.add(stored)
    session.flush()
    study_file = StudyFile(
        stored_file_id=stored.id,
        original_name=name,
        kind="dicom",
        identity_status=status,
        identity_note="The family name in the file differs from the patient's." if status == "mismatch" else None,
        dicom_patient_name="SCHMIDT^HANS" if status == "mismatch" else "MUELLER^JUERGEN",
        uploaded_at=NOW,
    )
    study.files.append(study_file)
    return study_file


def test_a_wrong_patient_file_is_set_aside_and_checklist_and_worklist_agree(session, settings, staff):
    """Issue 21, item 7: a wrong-patient DICOM kept the worklist red while the checklist showed green, and
    could never be removed. Staff set it aside (kept, no longer counted) with a reason; both screens turn
    green together; the setting aside is audited."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, imaging_waiver=None)  # the patient's own file settles it
    study = ImagingStudy(patient_id=referral.patient_id, referral_id=referral.id, modality="MR")
    session.add(study)
    _study_file(session, study, "IM0001.dcm", "match", 1)
    appointment = book(session, settings, referral)
    day = to_local(appointment.table_start, ZONE).date()
    wrong = _study_file(session, study, "IM0002.dcm", "mismatch", 2)  # a file that came with the booking letter
    referral_id, wrong_id = hand_over(session, referral, wrong)

    doctor = staff("rad1")
    worklist = doctor.go(f"/radiology/worklist?day={day.isoformat()}")
    assert worklist.locator(".flag-warn", has_text="Imaging").count() == 1

    desk = staff("frontdesk")
    page = desk.go(f"/desk/referrals/{referral_id}")
    imaging_row = page.locator("tr", has_text="Prior imaging")
    assert imaging_row.locator(".flag-ok").count() == 0  # the same rule as the worklist: not green
    assert "1 file names a different patient" in imaging_row.inner_text()

    form = page.locator("form.set-aside")
    assert form.count() == 1  # only for the file that does not match
    assert "Say why this file is set aside" in submit(page, form.locator("button"))  # refused: a reason is needed

    form = page.locator("form.set-aside")
    form.locator("input[name=reason]").fill("CD of another patient (Hans Schmidt) in the envelope")
    assert "IM0002.dcm set aside as wrong patient" in submit(page, form.locator("button"))
    assert "set aside: wrong patient" in page.content()
    assert page.locator("form.set-aside").count() == 0
    imaging_row = page.locator("tr", has_text="Prior imaging")
    assert imaging_row.locator(".flag-missing").count() == 0 and "1 file uploaded" in imaging_row.inner_text()

    worklist = doctor.go(f"/radiology/worklist?day={day.isoformat()}")
    assert worklist.locator(".flag-ok", has_text="Imaging").count() == 1
    assert worklist.locator(".flag-warn", has_text="Imaging").count() == 0

    kept = session.get(StudyFile, wrong_id)
    assert kept is not None and kept.set_aside_reason.startswith("CD of another patient")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "imaging.set_aside"))
    assert event.actor_name == "frontdesk" and event.object_id == str(wrong_id)
    assert desk.console_errors == [] and doctor.console_errors == []


def test_a_hold_override_shows_at_the_table_with_who_and_why(session, settings, staff):
    """Issue 21, item 8: the worklist and the procedure screen showed a green medication hold although a
    radiologist had overridden it. Both show the override, who made it and why; never a plain green."""
    from clinic.services import triage

    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, medications=[("apixaban", "", TODAY - dt.timedelta(days=6))])
    triage.override_hold(
        session, clinic.radiologists[0], referral, TODAY, "Cardiology wants no pause; low risk", today=TODAY
    )
    appointment = book(session, settings, referral)
    day = to_local(appointment.table_start, ZONE).date()
    who = clinic.radiologists[0].full_name
    [appointment_id] = hand_over(session, appointment)

    doctor = staff("rad1")
    worklist = doctor.go(f"/radiology/worklist?day={day.isoformat()}")
    override = worklist.locator(".hold-override")
    assert override.count() == 1
    assert who in override.inner_text() and "Cardiology wants no pause; low risk" in override.inner_text()
    assert worklist.locator(".flag-ok", has_text="Medication hold").count() == 0
    assert worklist.locator(".flag-warn:not(.hold-override)", has_text="Medication hold overridden").count() == 1

    page = doctor.go(f"/radiology/appointments/{appointment_id}")
    override = page.locator(".hold-override")
    assert who in override.inner_text() and "Cardiology wants no pause; low risk" in override.inner_text()
    assert doctor.console_errors == []


def test_a_name_too_long_is_refused_with_a_message_never_cut_silently(session, staff):
    """Issue 21, item 14: a 5,000-character name was cut to 100 by the browser (maxlength) without a word.
    The server refuses it with a message, keeps what was typed, and stores nothing."""
    from clinic.models import Patient

    build_clinic(session)
    hand_over(session)
    desk = staff("frontdesk")
    page = desk.go("/desk/referrals/new")
    assert page.locator("#family_name").get_attribute("maxlength") is None
    page.fill("#family_name", "Q" * 5000)
    page.fill("#given_name", "Anna")
    page.fill("#birth_date", "1960-01-02")
    page.fill("#clinical_question", "L5 radiculopathy")
    assert "cannot be longer than 100 characters" in submit(page, "text=Save referral")
    assert len(page.locator("#family_name").input_value()) == 5000  # what was typed is kept
    assert session.scalar(select(Patient.id)) is None


def test_screens_show_labels_not_codes(session, settings, staff):
    """Issue 21, item 14: "nsaids", "diagnostic" and the like were printed as stored on the screens."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, code="SYMP", side="right", levels=None, stage="diagnostic")
    referral.treatments_tried = "nsaids,physiotherapy"
    referral.symptom_duration_weeks = 10
    appointment = book(session, settings, referral)
    day = to_local(appointment.table_start, ZONE).date()
    referral_id, appointment_id = hand_over(session, referral, appointment)

    doctor = staff("rad1")
    triage = doctor.go(f"/radiology/referrals/{referral_id}").inner_text("main")
    assert "nsaids" not in triage and "Anti-inflammatory painkillers" in triage and "10 weeks" in triage
    desk = staff("frontdesk")
    text = desk.go(f"/desk/referrals/{referral_id}").inner_text("main")
    assert "nsaids" not in text and "Anti-inflammatory painkillers" in text
    # The patient's language, named in the screen's language (an English front desk here).
    assert "German" in desk.page.locator("tr", has_text="Language for printed sheets").inner_text()
    for path in (f"/radiology/worklist?day={day.isoformat()}", f"/radiology/appointments/{appointment_id}"):
        text = doctor.go(path).inner_text("main")
        assert "Diagnostic" in text and " diagnostic" not in text, path


def test_consent_history_says_which_print_belongs_to_the_current_time(session, settings, staff):
    """Issue 21, item 18: after a reschedule the consent history listed identical "Printed" lines. Each
    print now says the appointment time it was printed for, and whether that is the current time."""
    from clinic.models import Consent
    from clinic.services import consents

    clinic = build_clinic(session, texts=True)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral)
    first_start = appointment.table_start
    consents.print_consent(session, clinic.radiologists[0], appointment, ZONE)
    earlier = session.scalar(select(Consent))
    assert earlier.printed_for_start == first_start
    earlier.printed_for_start = first_start - dt.timedelta(days=2)  # as if printed before a reschedule
    consents.print_consent(session, clinic.radiologists[0], appointment, ZONE)
    [appointment_id] = hand_over(session, appointment)

    doctor = staff("rad1")
    page = doctor.go(f"/radiology/appointments/{appointment_id}")
    lines = page.locator(".consent-print")
    assert lines.count() == 2
    assert lines.nth(0).locator(".consent-stale").count() == 1 and "earlier time" in lines.nth(0).inner_text()
    assert lines.nth(1).locator(".consent-current").count() == 1 and "latest print" in lines.nth(1).inner_text()
    assert lines.nth(0).inner_text() != lines.nth(1).inner_text()


def test_an_old_study_shows_its_age_and_a_note(session, staff):
    """Issue 21, item 18: a CT from 2004 was accepted with no note of its age. Every study shows its age;
    one older than the clinic's limit (a setting, 5 years unless changed) carries a note."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    for modality, day in (("CT", dt.date(2004, 3, 1)), ("MR", dt.date(2026, 9, 1))):
        session.add(
            ImagingStudy(patient_id=referral.patient_id, referral_id=referral.id, modality=modality, study_date=day)
        )
    [referral_id] = hand_over(session, referral)

    desk = staff("frontdesk")
    page = desk.go(f"/desk/referrals/{referral_id}")
    old = page.locator(".card", has_text="01.03.2004")
    assert "22 years old" in old.inner_text() and old.locator(".study-old").count() == 1
    assert "older than 5 years" in old.locator(".study-old").inner_text()
    recent = page.locator(".card", has_text="01.09.2026")
    assert "less than a year old" in recent.inner_text() and recent.locator(".study-old").count() == 0
    doctor = staff("rad1")
    triage = doctor.go(f"/radiology/referrals/{referral_id}")
    assert triage.locator(".study-old").count() == 1 and "22 years old" in triage.inner_text("main")


def test_a_long_name_wraps_inside_the_worklist_table(session, settings, staff):
    """Issue 21, item 14: a long name (100 characters, no space) never widens a table past the page."""
    from tests.factories import make_patient

    clinic = build_clinic(session)
    patient = make_patient(session, family_name="Q" * 100, given_name="W" * 100)
    appointment = book(session, settings, make_ready_referral(session, clinic, patient))
    day = to_local(appointment.table_start, ZONE).date()
    hand_over(session)
    doctor = staff("rad1")
    doctor.context.pages[0].set_viewport_size({"width": 1000, "height": 800})
    page = doctor.go(f"/radiology/worklist?day={day.isoformat()}")
    widths = page.evaluate(
        "() => { const t = document.querySelector('main table');"
        " return [t.scrollWidth, document.querySelector('main').clientWidth, document.documentElement.scrollWidth]; }"
    )
    assert widths[0] <= widths[1] and widths[2] <= 1000, widths
