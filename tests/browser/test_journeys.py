"""Browser: two patients' whole journeys through the screens only (issue 21, "Done when"), as the front desk,
a radiologist and a nurse would take them on a clinic day: referral with a letter, triage, pre-registration
with prior imaging, booking, letters and sheets, check-in, consent, start, procedure record, end,
observation, discharge and the follow-up call.

- A German-speaking patient for a PRT (periradicular therapy): German letter and sheet, checked in at the
  desk by the reference on the letter.
- An English-speaking patient for a lumbar sympathetic block in two stages: the diagnostic stage (positive:
  pain 8 → 2 at the table, and 70 % relief at the two-week call); then the radiologist re-plans her referral
  for the neurolytic stage (found through the patient search), which the desk books now that the diagnostic
  stage counts as positive (invariant 8); done and followed up.

Time passes as on a real day: the clinic's clock (``clinic.core.clock``) is moved to the appointment's morning, to
the end of the procedure, past the planned end of observation and to the follow-up call two weeks later
(the autouse fixture puts it back to NOW afterwards). The browser is never given a time of its own.

Left out on purpose, because other branches are fixing them (issue 21): the browser's back button after an
action, the desk's "Ready to book" list (the tests go through the referral page), signing before *End
procedure* (the record is signed after the end), discharging before the planned end of observation, the
"could not reach" follow-up, blood thinners with dose classes (both patients take none), reading the
observation board while it refreshes itself (each card's form is filled and sent at once), and English
documents' German clinic lines (only the patient's part of each document is checked).

Left out because they fail on main and nobody is fixing them yet (see /work/helpers/walk-findings.md of
2026-12-02, items 23 and 24): a *new* referral for the registered patient for the neurolytic stage. The
patient page's *New referral* opens the form for a new patient, and the form for a known patient
(*Use this patient* after the duplicate check) is refused with "Please correct the marked fields." and no
field marked. Once fixed, the second stage can come as its own referral from the referring physician.

With SCREENSHOT_DIR set, the front-desk home after check-in, the signed procedure record and the
observation board before discharge are saved as screenshots.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import select

from clinic.core import clock
from clinic.models import Appointment, FollowUp, Patient, Referral
from tests.browser_fixtures import hand_over, submit
from tests.factories import build_clinic

from .files import dicom_image, pdf_letter
from .records import through_the_whole_day

BERLIN = ZoneInfo("Europe/Berlin")
SECTIONS = ("i-contact", "i-med", "i-all", "i-cond", "i-esc", "i-lang")


def _at(day: dt.date, hh_mm: str) -> dt.datetime:
    """A clinic-local wall time as the UTC instant the clock is pinned to."""
    hour, minute = map(int, hh_mm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), BERLIN).astimezone(dt.UTC)


def _pdf_text(person, path: str) -> str:
    """Download a document as the screen's link does (the staff member's session) and read it back."""
    response = person.page.request.get(person.base + path)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf", path
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


# ---------------------------------------------------------------- front desk


def _new_referral(desk, letter, *, patient: dict, question: str, region: str, side: str) -> int:
    """Referral intake for a new patient, with the letter."""
    page = desk.go("/desk/referrals/new")
    for field, value in patient.items():
        if field in ("sex", "preferred_language"):
            page.select_option(f"#{field}", value)
        else:
            page.fill(f"#{field}", value)
    _referral_part(page, letter, question, region, side)
    content = submit(page, "button:has-text('Save referral')")
    assert re.search(r"/desk/referrals/\d+$", page.url), content
    assert "Waiting for a radiologist" in content and letter.name in content
    return int(page.url.rsplit("/", 1)[1])


def _referral_part(page, letter, question: str, region: str, side: str) -> None:
    page.fill("#physician_name", "Dr. Jürgens")
    page.fill("#physician_practice", "Orthopädie am Markt")
    page.fill("#clinical_question", question)
    page.select_option("#region", region)
    page.select_option("#side", side)
    page.fill("#symptom_duration_weeks", "12")
    page.check("#treatments-0")
    for radio in page.locator("input[type=radio][value=no]").all():
        radio.check()
    page.set_input_files("#letter", str(letter))


def _preregister(desk, referral_id: int, *, escort: str, language: str, files: list) -> None:
    """The checklist, each item settled on its own form; prior imaging uploaded once per patient."""
    page = desk.go(f"/desk/referrals/{referral_id}")
    for section in SECTIONS:
        page.click(f"[data-bs-target='#{section}']")
        page.locator(f"#{section}.show").wait_for()
        if section == "i-esc":
            page.fill("#escort-name", escort)
            page.fill("#escort-phone", "+49 40 555 0199")
        if section == "i-lang":
            page.select_option(f"#{section} select", language)
        content = submit(page, page.locator(f"#{section} button[type=submit]").last)
        assert "alert-success" in content, (section, content)
    if files:
        page.set_input_files("#files", [str(f) for f in files])
        content = submit(page, "#imaging button:has-text('Upload')")
        assert (
            "1 file stored" if len(files) == 1 else f"{len(files)} files stored"
        ) in content and "matches" in content
    assert page.locator("td .flag-missing").count() == 0, page.locator("table").first.inner_text()


def _book_first_time(desk, referral_id: int) -> tuple[int, str, dt.date, str, str]:
    """Find a time from the referral page and book the first candidate. Returns the appointment, its
    reference, the day, the table start and the table end (clinic wall times) as the page shows them."""
    page = desk.go(f"/desk/referrals/{referral_id}")
    page.click("text=Find a time")
    page.wait_for_url(re.compile(r"/book"))
    content = submit(page, page.locator("button[value=book]").first)
    assert re.search(r"/desk/appointments/\d+$", page.url), content
    booked = re.search(r"Booked: reference ([A-Z0-9]{4}-[A-Z0-9]{4})", content)
    assert booked, content
    table = re.search(r"(\d\d)\.(\d\d)\.(\d{4}) (\d\d:\d\d)–(\d\d:\d\d)", page.locator("main").inner_text())
    day = dt.date(int(table.group(3)), int(table.group(2)), int(table.group(1)))
    return int(page.url.rsplit("/", 1)[1]), booked.group(1), day, table.group(4), table.group(5)


# ---------------------------------------------------------------- radiologist


def _accept(
    doctor,
    name: str,
    *,
    procedure: str,
    stage: str | None,
    target: str | None,
    side: str,
    levels: str,
    here=False,
    said="Plan changed. The front desk books with the new plan.",
):
    """Accept from the triage queue; or (``here``) on the referral's triage page the radiologist has open,
    a new plan for an accepted referral."""
    page = doctor.page
    if here:
        assert re.search(r"/radiology/referrals/\d+$", page.url) and name in page.content()
        # An accepted referral shows its plan; the form opens from here (open already after a stage done).
        if not page.locator("#change-plan").evaluate("details => details.open"):
            page.click("#change-plan summary")
    else:
        page = doctor.go("/radiology/triage")
        page.locator("tr", has_text=name).locator("a").first.click()
        page.wait_for_url(re.compile(r"/radiology/referrals/\d+$"))
    page.select_option("#accept-procedure_type_id", label=procedure)
    page.select_option("#accept-side", label=side)
    if stage:
        page.select_option("#accept-stage", label=stage)
    if target:
        page.select_option("#accept-target", label=target)
    if levels:
        page.fill("#accept-levels", levels)
    if here:
        content = submit(page, "#change-plan button[type=submit]")
        assert said in content, content
    else:
        content = submit(page, "button:has-text('Accept')")
        assert "Accepted. The front desk can book" in content, content


def _procedure(doctor, appointment_id: int, day: dt.date, start: str, end: str, *, record: dict, drugs: dict):
    """Consent (printed, then signed), start, record, end, sign. The clock is at the table start."""
    path = f"/radiology/appointments/{appointment_id}"
    page = doctor.go(path)
    content = submit(page, "button:has-text('Start procedure')")
    assert "no signed consent" in content  # invariant 7: refused until the consent is recorded
    page = doctor.go(path)
    with doctor.context.expect_page() as pdf_tab:
        page.click("button:has-text('Print consent form')")
    pdf_tab.value.close()
    page = doctor.go(path)
    page.fill("#consent-explained_at", f"{day.isoformat()}T{_minus(start, 10)}")
    content = submit(page, "button:has-text('Patient has signed')")
    assert "Signed consent recorded" in content, content
    content = submit(page, "button:has-text('Start procedure')")
    assert "Procedure started" in content, content
    for field, value in {"complications": "keine", **record}.items():
        page.fill(f"#record-{field}", value)
    for row, (label, dose) in enumerate(drugs.items()):
        page.select_option(f"#record-drugs-{row}-drug_option_id", label=label)
        page.fill(f"#record-drugs-{row}-dose", dose)
    content = submit(page, "button:has-text('Save record')")
    assert "Procedure record saved" in content, content
    clock.pin(_at(day, end))
    content = submit(page, "button:has-text('End procedure')")
    assert "goes to observation" in content, content
    content = submit(page, "button:has-text('Sign the record')")
    assert "Record signed" in content, content
    assert page.locator("#record-pain_after").count() == 0  # only addenda from now on
    doctor.screenshot(f"journey-{_slug(page.locator('h1').first.inner_text())}-{day:%m%d}-record-signed")
    signed = page.locator("main").inner_text()
    assert f"{record['pain_before']} / {record['pain_after']}" in signed
    for label in drugs:
        assert label.split(" (")[0] in signed


def _slug(text: str) -> str:
    """A file name's part: the family name in plain letters."""
    folded = text.split(",")[0].lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    return re.sub(r"[^a-z]", "", folded)


def _minus(hh_mm: str, minutes: int) -> str:
    moment = dt.datetime.combine(dt.date(2000, 1, 1), dt.time(*map(int, hh_mm.split(":")))) - dt.timedelta(
        minutes=minutes
    )
    return moment.strftime("%H:%M")


def _follow_up(caller, name: str, *, pain: str, relief: str, kind: str = "2 weeks") -> None:
    page = caller.go("/radiology/follow-ups")
    row = page.locator("tr", has_text=name)
    assert kind in row.inner_text()
    row.locator("a:has-text('Record')").click()
    page.wait_for_url(re.compile(r"/radiology/follow-ups/\d+$"))
    page.fill("#pain_score", pain)
    page.fill("#relief_percent", relief)
    content = submit(page, "button:has-text('Save outcome')")
    assert "Outcome recorded" in content, content
    assert name not in page.locator("main").inner_text()  # off the list of calls to make


# ---------------------------------------------------------------- nurse


def _observe_and_discharge(nurse, name: str, day: dt.date) -> None:
    board = nurse.go("/observation/")
    card = board.locator(".card", has_text=name)
    planned_end = re.search(r"planned end (\d\d:\d\d)", card.inner_text()).group(1)
    card.locator("input[name=systolic]").fill("132")
    card.locator("input[name=diastolic]").fill("84")
    card.locator("input[name=pulse]").fill("76")
    card.locator("input[name=pain_score]").fill("2")
    card.locator("select[name=motor]").select_option("normal")
    card.locator("select[name=sensory]").select_option("normal")
    content = submit(board, card.locator("button:has-text('Save check')"))
    assert f"Check recorded for {name}" in content, content
    clock.pin(_at(day, planned_end) + dt.timedelta(minutes=1))  # the planned observation time has passed
    board = nurse.go("/observation/")
    card = board.locator(".card", has_text=name)
    card.locator("input[name=systolic]").fill("128")
    card.locator("input[name=diastolic]").fill("80")
    card.locator("input[name=pulse]").fill("72")
    submit(board, card.locator("button:has-text('Save check')"))
    card = board.locator(".card", has_text=name)
    for item in ("stable", "can_walk", "escort_present", "instructions_given"):
        card.locator(f"input[name={item}]").check()
    content = submit(board, card.locator("button:has-text('Update checklist')"))
    assert "Discharge checklist updated" in content, content
    card = board.locator(".card", has_text=name)
    nurse.screenshot(f"journey-{_slug(name)}-{day:%m%d}-observation-board")
    content = submit(board, card.locator("button:has-text('Discharge')"))
    assert f"{name} discharged" in content, content
    assert board.locator(".card", has_text=name).count() == 0


# ---------------------------------------------------------------- the day, by both


def _checked_in_by_the_nurse(nurse, appointment_id: int, name: str, day: dt.date, start: str) -> None:
    """Half an hour before the table time, the nurse checks the patient in on the radiology page."""
    clock.pin(_at(day, start) - dt.timedelta(minutes=30))
    page = nurse.go(f"/radiology/appointments/{appointment_id}")
    content = submit(page, "button:has-text('Check in')")
    assert f"{name} is checked in" in content, content


def _procedure_and_observation(
    doctor, nurse, appointment_id: int, name: str, day: dt.date, start: str, end: str, *, record: dict, drugs: dict
) -> None:
    """At the table time the radiologist does and records the procedure; the nurse observes and discharges."""
    clock.pin(_at(day, start))
    _procedure(doctor, appointment_id, day, start, end, record=record, drugs=drugs)
    _observe_and_discharge(nurse, name, day)


def _reliefs(session, appointment_id: int) -> list[int]:
    """The relief each follow-up call recorded (0 for one not made yet), smallest first."""
    follow_ups = session.scalars(select(FollowUp).where(FollowUp.appointment_id == appointment_id)).all()
    return sorted(f.relief_percent or 0 for f in follow_ups)


# ---------------------------------------------------------------- the journeys


def test_german_patient_prt_from_referral_to_follow_up(session, staff, tmp_path):
    build_clinic(session, texts=True)
    hand_over(session)
    letter = tmp_path / "ueberweisung-groessner.pdf"
    letter.write_bytes(pdf_letter("Überweisung: PRT L5/S1 links, Ischialgie seit 3 Monaten"))
    report = tmp_path / "mrt-befund.pdf"
    report.write_bytes(pdf_letter("MRT LWS: Bandscheibenvorfall L5/S1 links mit Kontakt zur Wurzel S1"))
    image = tmp_path / "IM0001"
    image.write_bytes(dicom_image("GRÖSSNER^JÜRGEN", dt.date(1958, 3, 27)))
    name = "Größner, Jürgen"

    desk = staff("frontdesk")
    referral_id = _new_referral(
        desk,
        letter,
        patient={
            "family_name": "Größner",
            "given_name": "Jürgen",
            "birth_date": "1958-03-27",
            "sex": "male",
            "preferred_language": "de",
            "phone": "+49 40 123 4567",
            "email": "j.groessner@example.de",
            "street": "Mühlenkamp 7",
            "postal_code": "22303",
            "city": "Hamburg",
            "insurance_name": "AOK Rheinland/Hamburg",
            "insurance_number": "A123456789",
        },
        question="Ischialgie links S1, MRT: Prolaps L5/S1 links. Bitte PRT.",
        region="lumbar",
        side="left",
    )

    doctor = staff("rad1")
    _accept(
        doctor,
        name,
        procedure="PRT: Periradicular therapy (nerve-root injection)",
        stage=None,
        target=None,
        side="Left",
        levels="L5/S1",
    )

    _preregister(desk, referral_id, escort="Helga Größner", language="de", files=[report, image])
    appointment_id, reference, day, start, end = _book_first_time(desk, referral_id)

    # The letter and the sheet in the patient's language, read back from the PDFs.
    letter_text = _pdf_text(desk, f"/desk/appointments/{appointment_id}/letter.pdf")
    assert "Sehr geehrter Herr Größner" in letter_text and reference in letter_text
    assert f"{day:%d.%m.%Y}" in letter_text and start in letter_text
    sheet = _pdf_text(desk, f"/desk/appointments/{appointment_id}/information.pdf")
    assert "PRT-INFO-DE" in sheet

    # The procedure day: the desk checks him in with the reference printed on his letter.
    clock.pin(_at(day, start) - dt.timedelta(minutes=30))
    page = desk.go("/desk/")
    page.fill("#reference", reference)
    content = submit(page, "form:has(#reference) button[type=submit]")
    assert f"{name} is checked in ({reference})" in content, content
    desk.screenshot("journey-de-desk-home-checked-in")
    nurse = staff("nurse")
    _procedure_and_observation(
        doctor,
        nurse,
        appointment_id,
        name,
        day,
        start,
        end,
        record={"levels": "L5/S1", "approach": "transforaminal", "pain_before": "7", "pain_after": "3"},
        drugs={"Triamcinolone (mg)": "40", "Ropivacaine (ml)": "2"},
    )

    # Two weeks later: the follow-up call.
    clock.pin(_at(day + dt.timedelta(days=14), "10:00"))
    _follow_up(doctor, name, pain="2", relief="70")

    for person in (desk, doctor, nurse):
        assert person.console_errors == []
    session.expire_all()
    patient = session.scalar(select(Patient))
    assert patient.preferred_language == "de"
    appointment, record = through_the_whole_day(session, appointment_id)
    assert appointment.referral_id == referral_id
    assert (record.pain_before, record.pain_after) == (7, 3)
    assert _reliefs(session, appointment_id) == [0, 70]
    assert len(session.get(Referral, referral_id).documents) == 1


def test_english_patient_symp_diagnostic_then_neurolytic(session, staff, tmp_path):
    build_clinic(session, texts=True)
    hand_over(session)
    letter = tmp_path / "referral-walker.pdf"
    letter.write_bytes(pdf_letter("Referral: CRPS left foot, lumbar sympathetic block please"))
    image = tmp_path / "IM0001"
    image.write_bytes(dicom_image("WALKER^JANE", dt.date(1960, 4, 12)))
    name = "Walker, Jane"
    walker = {
        "family_name": "Walker",
        "given_name": "Jane",
        "birth_date": "1960-04-12",
        "sex": "female",
        "preferred_language": "en",
        "phone": "+49 40 765 4321",
        "email": "jane.walker@example.org",
        "street": "Elbchaussee 12",
        "postal_code": "22763",
        "city": "Hamburg",
        "insurance_name": "Techniker Krankenkasse",
        "insurance_number": "T987654321",
    }
    symp = "SYMP: Sympathetic block (diagnostic or neurolytic)"

    desk = staff("frontdesk")
    first_referral = _new_referral(
        desk,
        letter,
        patient=walker,
        question="CRPS of the left foot after a fracture, 6 months. Lumbar sympathetic block?",
        region="lumbar",
        side="left",
    )
    doctor = staff("rad1")
    _accept(doctor, name, procedure=symp, stage="Diagnostic", target="Lumbar sympathetic chain", side="Left", levels="")
    _preregister(desk, first_referral, escort="Tom Walker", language="en", files=[image])
    first, reference, day, start, end = _book_first_time(desk, first_referral)

    letter_text = _pdf_text(desk, f"/desk/appointments/{first}/letter.pdf")
    assert "Dear Ms Walker" in letter_text and reference in letter_text
    assert "lumbar" in letter_text and "sympathetic chain" in letter_text and "diagnostic" in letter_text
    assert "SYMP-INFO-EN" in _pdf_text(desk, f"/desk/appointments/{first}/information.pdf")

    # Diagnostic stage: the nurse checks her in; pain 8 before and 2 after the test block.
    nurse = staff("nurse")
    _checked_in_by_the_nurse(nurse, first, name, day, start)
    _procedure_and_observation(
        doctor,
        nurse,
        first,
        name,
        day,
        start,
        end,
        record={"approach": "posterolateral, left", "pain_before": "8", "pain_after": "2"},
        drugs={"Bupivacaine (ml)": "10", "Contrast (ml)": "3"},
    )
    # The diagnostic block's result is recorded on the day (issue 21, item 13): the same-day call.
    _follow_up(doctor, name, pain="2", relief="75", kind="Same day")

    # Two weeks later: the call confirms the relief, and the physician refers her for neurolysis.
    later = day + dt.timedelta(days=14)
    clock.pin(_at(later, "09:00"))
    _follow_up(doctor, name, pain="3", relief="70")
    # The neurolytic stage is planned on the same referral (the referral asked for a sympathetic block,
    # diagnostic or neurolytic). A new referral for a registered patient cannot be saved on main today
    # (walk finding 24), so the radiologist re-plans this one: patient search, the patient, the referral,
    # its triage page.
    page = doctor.go("/patients/")
    page.fill("input[name=q]", "walker")
    submit(page, "main button:has-text('Search')")
    page.click(f"text={name}")
    page.wait_for_url(re.compile(r"/patients/\d+$"))
    page.locator(f"tr[data-href='/desk/referrals/{first_referral}']").click()
    page.wait_for_url(re.compile(rf"/desk/referrals/{first_referral}$"))
    page.click("main a:has-text('Triage')")
    page.wait_for_url(re.compile(rf"/radiology/referrals/{first_referral}$"))
    second_referral = first_referral
    _accept(
        doctor,
        name,
        procedure=symp,
        stage="Neurolytic",
        target="Lumbar sympathetic chain",
        side="Left",
        levels="",
        here=True,
        said="Plan saved after the stage done. The front desk can book it.",  # the outcome decided
    )
    page = desk.go(f"/desk/referrals/{second_referral}")
    assert page.locator("td .flag-missing").count() == 0  # the pre-registration still holds
    second, reference, day, start, end = _book_first_time(desk, second_referral)
    assert "neurolytic" in _pdf_text(desk, f"/desk/appointments/{second}/letter.pdf")

    # Neurolytic stage.
    _checked_in_by_the_nurse(nurse, second, name, day, start)
    _procedure_and_observation(
        doctor,
        nurse,
        second,
        name,
        day,
        start,
        end,
        record={"approach": "posterolateral, left", "pain_before": "7", "pain_after": "3"},
        drugs={"Bupivacaine (ml)": "5", "Ethanol (ml)": "3", "Contrast (ml)": "3"},
    )
    clock.pin(_at(day + dt.timedelta(days=14), "09:00"))
    _follow_up(doctor, name, pain="3", relief="60")

    for person in (desk, doctor, nurse):
        assert person.console_errors == []
    session.expire_all()
    stages = [
        (a.stage, a.status, a.referral_id)
        for a in session.scalars(select(Appointment).order_by(Appointment.table_start)).all()
    ]
    assert stages == [("diagnostic", "discharged", first_referral), ("neurolytic", "discharged", first_referral)]
    for appointment_id, reliefs in ((first, [0, 70, 75]), (second, [0, 60])):
        through_the_whole_day(session, appointment_id)
        assert _reliefs(session, appointment_id) == reliefs
