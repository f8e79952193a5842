"""Browser: a patient on a phone with a fresh link answers the questionnaire, uploads a DICOM image, the
front desk confirms the answers, the patient books a time, downloads the .ics and moves the appointment.
Every portal page is checked with axe-core (axe-playwright-python ships it; nothing is fetched) and
must have no serious or critical violation."""

from __future__ import annotations

import datetime as dt
import re

from axe_playwright_python.sync_playwright import Axe
from icalendar import Calendar
from sqlalchemy import select

from clinic.models import Appointment, PortalAnswer, StudyFile
from clinic.models.portal import AnswerStatus
from tests.browser_fixtures import submit
from tests.factories import accept_referral, build_clinic, make_patient, make_referral
from tests.portal.helpers import link_for, open_portal

from .files import dicom_image

BIRTH = dt.date(1961, 7, 4)
SERIOUS = {"serious", "critical"}


class Accessibility:
    """axe-core over each page the patient sees; collects what it finds."""

    def __init__(self):
        self.axe = Axe()
        self.found: list[str] = []
        self.pages = 0

    def check(self, page, name: str) -> None:
        results = self.axe.run(page)
        self.pages += 1
        for violation in results.response["violations"]:
            if violation["impact"] in SERIOUS:
                targets = [n["target"] for n in violation["nodes"]][:3]
                self.found.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")


def _accepted_referral(session):
    clinic = build_clinic(session, texts=True)
    open_portal(session)
    patient = make_patient(session, family_name="Krause", given_name="Dieter", birth_date=BIRTH)
    referral = accept_referral(session, clinic, make_referral(session, patient))
    _link, token = link_for(session, referral)
    return referral, token


def test_patient_journey_through_the_link(session, chromium, live_server, staff, tmp_path):
    referral, token = _accepted_referral(session)
    referral_id = referral.id
    session.commit()
    session.close()  # SQLite: the server needs the write lock
    image = tmp_path / "IM0001"
    image.write_bytes(dicom_image("KRAUSE^DIETER", BIRTH))
    axe = Accessibility()

    phone = chromium.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        accept_downloads=True,
    )
    page = phone.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 4" not in m.text else None)
    base = f"{live_server}/p/{token}"

    # A fresh link asks for the date of birth.
    page.goto(base)
    axe.check(page, "birth date")
    page.fill("#day", "4")
    page.fill("#month", "7")
    page.fill("#year", "1961")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home$"))
    assert "Guten Tag, Dieter Krause" in page.content()
    axe.check(page, "home")

    # The questionnaire, item by item.
    def answer(item: str, fill=None) -> None:
        page.goto(f"{base}/answers/{item}")
        if fill:
            fill()
        axe.check(page, f"answer {item}")
        page.click("button:has-text('An die Praxis senden')")
        page.wait_for_url(re.compile(r"/home"))
        assert "Die Anmeldung prüft Ihre Angaben" in page.content(), item

    answer("contact", lambda: page.fill("#phone", "+49 40 555 0202"))
    answer("medication", lambda: page.check("#none"))
    answer("allergies", lambda: page.check("input[value=contrast]"))
    answer("conditions", lambda: page.check("input[value=diabetes]"))
    answer("escort", lambda: page.fill("#name", "Helga Krause"))
    answer("language")
    assert page.locator(".status-waiting").count() == 6

    # A DICOM image from an earlier MRI.
    page.goto(f"{base}/imaging")
    axe.check(page, "imaging")
    page.set_input_files("#files", str(image))
    page.click("button:has-text('Senden')")
    page.wait_for_url(re.compile(r"/home"))
    assert "1 Datei erhalten" in page.content()
    assert "Sie können einen Termin wählen, sobald" in page.content()  # not before the desk has confirmed

    # The front desk confirms each answer with one click.
    desk = staff("frontdesk")
    desk_page = desk.go(f"/desk/referrals/{referral_id}")
    assert "Answers from the patient, to confirm" in desk_page.content()
    for _ in range(6):
        confirmed = submit(desk_page, desk_page.locator("#portal button:has-text('Confirm')").first)
        assert "taken into the checklist" in confirmed
    assert desk_page.locator(".flag-missing").count() == 0
    desk.screenshot("portal-desk-confirmed")

    # The patient books: a few earliest times, held while confirming.
    page.goto(f"{base}/home")
    page.click("a.btn:has-text('Termin wählen')")
    page.wait_for_url(re.compile(r"/times"))
    axe.check(page, "times")
    offered = page.locator("ul.times button")
    assert 1 <= offered.count() <= 6
    first_time = offered.first.inner_text()
    offered.first.click()
    page.wait_for_url(re.compile(r"/confirm$"))
    axe.check(page, "confirm")
    assert first_time.split(",")[0] in page.content()
    page.click("button:has-text('Diesen Termin buchen')")
    page.wait_for_url(re.compile(r"/home"))
    assert "Ihr Termin ist gebucht" in page.content()
    axe.check(page, "home booked")

    # The .ics download.
    with page.expect_download() as download_info:
        page.click("text=In meinen Kalender eintragen (.ics)")
    ics = Calendar.from_ical(download_info.value.path().read_bytes())
    event = ics.walk("VEVENT")[0]
    assert str(event.get("summary")).startswith("Termin: ")

    # Moving the appointment to a later time.
    page.click("text=Auf einen anderen Termin verschieben")
    page.wait_for_url(re.compile(r"/move$"))
    axe.check(page, "move")
    submit(page, page.locator("ul.times button").last)  # the review answers at the same address
    axe.check(page, "move review")
    page.click("button:has-text('Auf diesen Termin verschieben')")
    page.wait_for_url(re.compile(r"/home"))
    assert "Ihr Termin wurde verschoben" in page.content()
    page.goto(f"{base}/cancel")
    axe.check(page, "cancel")
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    session.expire_all()
    appointment = session.scalar(select(Appointment))
    assert appointment.referral_id == referral_id and appointment.status == "booked"
    assert event.decoded("dtstart") < appointment.table_start  # the .ics was of the old time
    answers = session.scalars(select(PortalAnswer)).all()
    assert len(answers) == 6 and {a.status for a in answers} == {AnswerStatus.CONFIRMED}
    [study_file] = session.scalars(select(StudyFile)).all()
    assert study_file.identity_status == "match"
    assert axe.pages >= 12
    assert axe.found == [], "\n".join(axe.found)
    # The checker itself finds what it should: an input without a label is a critical violation.
    page.set_content(
        '<html lang="de"><head><title>x</title></head><body><main><input type="text"></main></body></html>'
    )
    axe.check(page, "control")
    assert axe.found and "label" in axe.found[0]
    assert errors == []
    phone.close()
