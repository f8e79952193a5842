"""Browser: referral → triage → pre-registration → upload → book → check-in, by German staff and by
English staff (issue 17: the same flow in both languages, every button found by its translated words);
and two desks racing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from clinic.models import Appointment, ProcedureType, Referral, StudyFile
from tests.browser_fixtures import speak, submit
from tests.factories import build_clinic, make_ready_referral

from .files import dicom_image, pdf_letter


@pytest.mark.parametrize("language", ["de", "en"])
def test_referral_to_check_in(session, staff, tmp_path, language):
    build_clinic(session, texts=True)
    session.commit()
    say = speak(session, language)
    prt = session.scalar(select(ProcedureType).where(ProcedureType.code == "PRT"))
    prt_label = f"PRT: {prt.name(language)}"
    session.close()  # SQLite: a test session reading now would hold the write lock the server needs
    letter = tmp_path / "ueberweisung.pdf"
    letter.write_bytes(pdf_letter())
    report = tmp_path / "mrt-befund.pdf"
    report.write_bytes(pdf_letter("MRT LWS: Bandscheibenvorfall L4/5 links"))
    image = tmp_path / "IM0001"
    image.write_bytes(dicom_image("GROSSMANN^LUKASZ", dt.date(1955, 6, 30)))

    desk = staff("frontdesk")
    page = desk.go("/desk/referrals/new")
    page.fill("#family_name", "Großmann")
    page.fill("#given_name", "Łukasz")
    page.fill("#birth_date", "1955-06-30")
    page.select_option("#sex", "male")
    for field, value in {
        "phone": "+49 40 123",
        "street": "Mühlenweg 4",
        "postal_code": "20095",
        "city": "Hamburg",
        "insurance_name": "AOK",
        "insurance_number": "A998877",
        "physician_name": "Dr. Jürgens",
        "clinical_question": "L5-Radikulopathie links, MRT: Prolaps L4/5",
    }.items():
        page.fill(f"#{field}", value)
    page.select_option("#region", "lumbar")
    page.select_option("#side", "left")
    page.check("#treatments-1")
    for radio in page.locator("input[type=radio][value=no]").all():
        radio.check()
    page.set_input_files("#letter", str(letter))
    desk.screenshot(f"01-referral-form-{language}")
    page.click(f"button:has-text('{say('Save referral')}')")
    page.wait_for_url(re.compile(r"/desk/referrals/\d+$"))
    referral_id = int(page.url.rsplit("/", 1)[1])
    assert f'<html lang="{language}">' in page.content()
    assert say("Waiting for a radiologist's triage.") in page.locator("main").inner_text()

    radiologist = staff("rad1")
    triage = radiologist.go("/radiology/triage")
    triage.click("text=Großmann, Łukasz")
    triage.select_option("#accept-procedure_type_id", label=prt_label)
    triage.select_option("#accept-side", "left")
    triage.fill("#accept-levels", "L4/5")
    submit(triage, f"button:has-text('{say('Accept')}')")
    assert say("Accepted. The front desk can book once the pre-registration is complete.") in triage.inner_text("main")

    page = desk.go(f"/desk/referrals/{referral_id}")
    for section in ("i-contact", "i-med", "i-all", "i-cond", "i-esc", "i-lang"):
        page.click(f"[data-bs-target='#{section}']")
        page.locator(f"#{section}.show").wait_for()
        if section == "i-esc":
            page.fill("#escort-name", "Maria Großmann")
        assert "alert-success" in submit(page, page.locator(f"#{section} button[type=submit]").last), section
    page.set_input_files("#files", [str(report), str(image)])
    submit(page, f"#imaging button:has-text('{say('Upload')}')")
    assert say.plural("%(num)d file stored.", "%(num)d files stored.", 2) in page.inner_text("main")
    assert page.locator(f".badge:has-text('{say('matches')}')").count() == 1  # the DICOM image; a PDF has no identity
    desk.screenshot(f"02-preregistration-complete-{language}")
    assert page.locator(".flag-missing").count() == 0

    page.click(f"text={say('Find a time')}")
    page.wait_for_url(re.compile(r"/book"))
    desk.screenshot(f"03-candidates-{language}")
    page.locator("button[value=book]").first.click()
    page.wait_for_url(re.compile(r"/desk/appointments/\d+$"))
    assert say.start_of("Booked: reference %(reference)s. Print the letter and the information sheet.") in (
        page.inner_text("main")
    )
    submit(page, f"button:has-text('{say('Check in')}')")
    assert say("%(patient)s is checked in.", patient="Großmann, Łukasz") in page.inner_text("main")
    desk.screenshot(f"04-checked-in-{language}")
    assert desk.console_errors == []

    session.expire_all()
    appointment = session.scalar(select(Appointment))
    assert appointment.status == "checked_in" and appointment.referral_id == referral_id
    assert len(session.scalars(select(StudyFile)).all()) == 2
    assert len(session.get(Referral, referral_id).documents) == 1


def test_two_desks_race_for_the_same_time(session, staff):
    clinic = build_clinic(session)
    first, second = make_ready_referral(session, clinic).id, make_ready_referral(session, clinic).id
    session.commit()
    session.close()  # SQLite: a test session reading now would hold the write lock the server needs
    anna, ben = staff("frontdesk"), staff("frontdesk")
    page_a = anna.go(f"/desk/referrals/{first}/book")
    page_b = ben.go(f"/desk/referrals/{second}/book")
    offered_a = page_a.locator("input[name=table_start]").first.get_attribute("value")
    offered_b = page_b.locator("input[name=table_start]").first.get_attribute("value")
    assert offered_a == offered_b, "both desks see the same first time"
    page_a.locator("button[value=book]").first.click()
    page_a.wait_for_url(re.compile(r"/desk/appointments/\d+$"))
    content = submit(page_b, page_b.locator("button[value=book]").first)  # the page is stale: that time is gone
    assert content.count("no longer free") == 1 and "Here are the next free times." in content
    ben.screenshot("05-race-lost")
    page_b.locator("button[value=book]").first.click()
    page_b.wait_for_url(re.compile(r"/desk/appointments/\d+$"))
    session.expire_all()
    booked = session.scalars(select(Appointment).order_by(Appointment.id)).all()
    assert len(booked) == 2
    assert not (booked[0].room_id == booked[1].room_id and booked[0].table_start == booked[1].table_start)
