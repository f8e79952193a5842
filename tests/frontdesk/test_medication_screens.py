"""Screens of the medication plan (issue 14, finding 2; issue 21, item 9) and the structured target chosen at
triage (issue 14, finding 8)."""

from __future__ import annotations

import datetime as dt
import html as markup
import re

import pytest
from sqlalchemy import select

from clinic.core.errors import InvalidInput
from clinic.core.timefmt import to_local
from clinic.models import AnticoagulantRule, Referral
from clinic.services import hold_rules, medication, prereg_items
from tests.browser_fixtures import speak
from tests.conftest import NOW, ZONE, Browser, logged_in
from tests.factories import at_triage, book, build_clinic, make_ready_referral, make_referral, make_user


@pytest.fixture
def clinic(session):
    return build_clinic(session, texts=True)


def _booked(session, settings, clinic, medications=(("apixaban", "", None),)):
    referral = make_ready_referral(session, clinic, medications=list(medications))
    appointment = book(session, settings, referral, limit=1)
    session.commit()
    return appointment


def test_the_appointment_shows_a_plan_awaiting_confirmation_and_a_radiologist_confirms_it(
    session, settings, clinic, browser
):
    appointment = _booked(session, settings, clinic)
    path = f"/desk/appointments/{appointment.id}"
    browser.login("frontdesk")
    page = browser.get(path).get_data(as_text=True)
    assert "Awaits confirmation by telephone." in page and "rule not signed off" in page
    assert "Confirm this patient" not in page  # the front desk calls; a radiologist confirms
    calls = browser.get("/desk/medication-calls").get_data(as_text=True)
    assert appointment.patient.display_name in calls and "Apixaban" in calls

    browser.post("/logout", form_page=path)
    browser.login("rad1")
    page = browser.get(path).get_data(as_text=True)
    assert "Confirm this patient's medication plan" in page.replace("&#39;", "'")
    confirm = f"/radiology/referrals/{appointment.referral_id}/confirm-hold-plan"
    response = browser.post(confirm, {"appointment_id": str(appointment.id)}, form_page=path)
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    page = browser.get(path, follow_redirects=True).get_data(as_text=True)
    assert "Plan confirmed by Dr. Radiologist 1" in page and "Awaits confirmation" not in page
    assert "No medication plan waits for a call" in browser.get("/desk/medication-calls").get_data(as_text=True)
    session.expire_all()
    assert session.get(Referral, appointment.referral_id).hold_plan_confirmed_by_id == clinic.radiologists[0].id


def test_the_front_desk_cannot_confirm_a_plan(session, settings, clinic, browser):
    appointment = _booked(session, settings, clinic)
    browser.login("frontdesk")
    response = browser.post(
        f"/radiology/referrals/{appointment.referral_id}/confirm-hold-plan",
        form_page=f"/desk/appointments/{appointment.id}",
    )
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Referral, appointment.referral_id).hold_plan_confirmed_at is None


def test_the_hold_rule_screen_counts_the_rules_awaiting_sign_off(session, clinic, browser):
    session.commit()
    browser.login("admin")
    page = browser.get("/admin/hold-rules").get_data(as_text=True)
    total = len(medication.drug_names(session))  # drugs; rows are more
    assert total and "72 awaiting sign-off" in page and "72 of 72 rules still wait for a physician's sign-off" in page


def test_medication_entry_offers_only_the_doses_the_rules_know(session, clinic, browser):
    """Issue 21, item 9: one choice per drug (and per dose class where the rules depend on the dose)."""
    referral = make_ready_referral(session, clinic)
    session.commit()
    choices = medication.drug_choices(session)
    assert choices["apixaban|"] == "Apixaban"
    assert not any(value.startswith("apixaban|") and value != "apixaban|" for value in choices)
    assert {"heparin|iv", "heparin|sc"} <= set(choices) and "heparin|" not in choices
    assert choices["lmwh|therapeutic"] == "Low-molecular-weight heparin (e.g. enoxaparin): therapeutic dose"

    browser.login("frontdesk")
    path = f"/desk/referrals/{referral.id}"
    page = browser.get(path).get_data(as_text=True)
    assert 'value="apixaban|"' in page and 'value="heparin|sc"' in page and "apixaban|therapeutic" not in page
    added = browser.post(f"{path}/medication", {"med-drug_code": "lmwh|therapeutic"}, form_page=path)
    assert added.status_code == 302
    refused = browser.post(f"{path}/medication", {"med-drug_code": "heparin|"}, form_page=path)
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    session.expire_all()
    entries = session.get(Referral, referral.id).preregistration.medications
    assert [(m.drug_code, m.dose_class) for m in entries] == [("lmwh", "therapeutic")]
    page = browser.get(path).get_data(as_text=True)
    # No last dose recorded: no time (a day's notice and the 24-hour hold from now would read Wednesday
    # 25 November 07:00, the clock, not the patient's doses: walk finding), but when it will be known.
    assert "Earliest procedure" in page and "set once the last dose is recorded" in page and "injection" in page
    assert "25.11.2026 07:00" not in page


def test_a_dose_the_rules_do_not_tell_apart_is_accepted(session, clinic):
    """ "Apixaban, therapeutic dose" is sensible: its rules cover every dose, so that rule applies."""
    referral = make_referral(session)
    entry = prereg_items.add_medication(
        session, None, referral, drug_code="apixaban", dose_class="therapeutic", last_dose_on=None
    ).entry
    plan = medication.plan_for(session, referral.preregistration, clinic.pt("PRT"), "lumbar")
    assert entry.dose_class == "therapeutic" and plan.items[0].hold_hours == 72
    with pytest.raises(InvalidInput, match="say which dose"):
        prereg_items.add_medication(session, None, referral, drug_code="heparin", dose_class="", last_dose_on=None)


@pytest.mark.parametrize(
    ("code", "target", "status", "message"),
    [
        ("SYMP", "", 422, "Sympathetic block needs the target (stellate ganglion, thoracic sympathetic chain"),
        ("FACET", "", 422, "Facet joint block needs the target (intra-articular injection, medial branch block)"),
        ("EPI", "stellate", 422, "Epidural steroid injection cannot aim at “Stellate ganglion”"),
        ("SYMP", "celiac", 302, None),
    ],
)
def test_triage_chooses_a_structured_target(session, clinic, browser, code, target, status, message):
    _, referral, path = at_triage(session, browser, clinic)
    data = {
        "accept-procedure_type_id": str(clinic.pt(code).id),
        "accept-region": "lumbar",
        "accept-side": "bilateral" if code == "SYMP" else "left",
        "accept-levels": "" if code == "SYMP" else "L4/5",
        "accept-stage": "diagnostic" if code in ("SYMP", "FACET") else "",
        "accept-guidance": "CT",
        "accept-priority": "routine",
        "accept-target": target,
    }
    response = browser.post(f"{path}/accept", data, form_page=path)
    assert response.status_code == status
    session.expire_all()
    saved = session.get(Referral, referral.id)
    if message:
        assert message in response.get_data(as_text=True).replace("&#39;", "'")
        assert saved.status == "received"
    else:
        assert (saved.status, saved.planned_target) == ("accepted", "celiac")
        page = browser.get(f"/desk/referrals/{referral.id}").get_data(as_text=True)
        assert "Celiac plexus" in page


def _plan_text(page: str) -> str:
    section = page.split('id="medication-plan"')[1].split("</section>")[0]
    return markup.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)))


ENGLISH_WORDS = re.compile(r"\b(hold|hours|days|no rule|shared assessment|prescriber|bleeding class|prevention|dose)\b")


def test_the_medication_plan_reads_in_german_with_the_same_hours_and_moments(session, settings, clinic, app):
    """Walk finding: the medication plan was partly English on German screens (the rule "hold 5 days (120
    hours) and check INR", the bleeding class, the dose, the drugs' English names). Every phrase is in the
    screen's language now; the hours and the moments (last dose, restart) are the same in both languages."""
    make_user(session, "empfang", {"front_desk"}, "Erika Empfang", language="de")
    make_user(session, "radiologe", {"radiologist"}, "Rita Radiologin", language="de")
    medications = (
        ("aspirin", "primary", None),
        ("lmwh", "prophylactic", dt.date(2026, 11, 20)),
        ("warfarin", "", None),
        ("apixaban", "", None),
    )
    appointment = _booked(session, settings, clinic, medications)
    german, english, doctor = logged_in(app, "empfang", "frontdesk", "radiologe")

    for path in (f"/desk/referrals/{appointment.referral_id}", f"/desk/appointments/{appointment.id}"):
        de, en = (
            _plan_text(german.get(path).get_data(as_text=True)),
            _plan_text(english.get(path).get_data(as_text=True)),
        )
        # four blood thinners: the PRT is handled one tier higher (procedures.md §1.1), and the heading says why
        assert "Blutungsrisiko hoch" in de and "bleeding class high" in en
        assert "eine Stufe höher: mehrere Blutverdünner" in de and "one tier higher: several blood thinners" in en
        assert "Acetylsalicylsäure (ASS) (Primärprävention)" in de and "Aspirin (ASA) (primary prevention)" in en
        assert "Niedermolekulares Heparin (z. B. Enoxaparin) (prophylaktische Dosis)" in de
        assert "5 Tage (120 Stunden) pausieren und INR prüfen" in de and "hold 5 days (120 hours) and check INR" in en
        assert "3 Tage (72 Stunden) pausieren" in de and "hold 3 days (72 hours)" in en
        assert "12 Stunden pausieren" in de and "hold 12 hours" in en
        assert "6 Tage (144 Stunden) pausieren" in de and "hold 6 days (144 hours)" in en  # aspirin at high
        assert not ENGLISH_WORDS.search(de), ENGLISH_WORDS.search(de)
        moments = re.compile(r"\d\d\.\d\d\.\d{4}(?: \d\d:\d\d)?")
        assert moments.findall(de) == moments.findall(en)  # the same dates and times, whatever the language

    calls = german.get("/desk/medication-calls").get_data(as_text=True)
    assert "Warfarin: 5 Tage (120 Stunden) pausieren und INR prüfen" in calls and "Aspirin (ASA)" not in calls
    day = to_local(appointment.table_start, ZONE).date().isoformat()
    worklist = markup.unescape(doctor.get(f"/radiology/worklist?day={day}").get_data(as_text=True))
    assert "Acetylsalicylsäure (ASS)" in worklist and "Aspirin (ASA)" not in worklist


def test_drug_names_in_checklists_and_refusals_follow_the_screens_language(session, settings, clinic, app):
    """Staff walk: the drugs named in the medication item of the checklist (front desk start page, booking
    page) and in a radiologist's refusal were English on German screens ("Aspirin (ASA)"); they are named as
    the rules table names them in the screen's language, as the procedure record does."""
    from sqlalchemy import delete

    from clinic.models import AnticoagulantRule

    referral = make_ready_referral(session, clinic, medications=[("aspirin", "secondary", None)])
    # No rule for aspirin at this procedure's bleeding class (PRT: intermediate); the other classes name it.
    session.execute(
        delete(AnticoagulantRule).where(
            AnticoagulantRule.drug_code == "aspirin", AnticoagulantRule.bleeding_class == "intermediate"
        )
    )
    make_user(session, "desk_de", {"front_desk"}, "Frieda Empfang", language="de")
    make_user(session, "rad_de", {"radiologist"}, "Dr. Renate Röntgen", language="de")
    session.commit()

    desk = Browser(app.test_client())
    desk.login("desk_de")
    for path in ("/desk/", f"/desk/referrals/{referral.id}/book"):
        page = markup.unescape(desk.get(path).get_data(as_text=True))
        assert "keine Pausierungsregel für Acetylsalicylsäure (ASS)" in page, path
        assert "Aspirin (ASA)" not in page, path

    radiologist = Browser(app.test_client())
    radiologist.login("rad_de")
    back = f"/desk/referrals/{referral.id}"
    refused = radiologist.post(
        f"/radiology/referrals/{referral.id}/confirm-hold-plan", {}, form_page=back, follow_redirects=True
    )
    page = markup.unescape(refused.get_data(as_text=True))
    assert (
        "Für Acetylsalicylsäure (ASS) ist bei diesem Eingriff keine Pausierungsregel hinterlegt" in page
        and "Aspirin (ASA)" not in page
    )

    english = Browser(app.test_client())
    english.login("frontdesk")
    page = markup.unescape(english.get(f"/desk/referrals/{referral.id}/book").get_data(as_text=True))
    assert "no hold rule for Aspirin (ASA)" in page


def test_a_signed_shared_assessment_and_a_drug_without_rule_say_why_the_call_is_needed(
    session, settings, clinic, browser
):
    """Walk finding (re-walk, 4 December): with ASS's shared-assessment rule signed off, the appointment said
    the rule was "not signed off by a physician (or there is none)"; a drug without a rule (phenprocoumon) had
    "no routine pause" as its restart, though such a drug is usually paused. Each reason now says what it is."""
    for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "aspirin")):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)
    appointment = _booked(session, settings, clinic, medications=(("aspirin", "secondary", None),))
    # Recorded after the booking (a drug without a rule stops the booking until a radiologist decides).
    prereg_items.add_medication(
        session, None, appointment.referral, drug_code="phenprocoumon", dose_class="", last_dose_on=None
    )
    session.commit()
    browser.login("frontdesk")
    page = markup.unescape(browser.get(f"/desk/appointments/{appointment.id}").get_data(as_text=True))
    assert "here. Aspirin (ASA): a shared assessment with the prescriber, decided for each patient" in page
    assert "Phenprocoumon (Marcumar): the rule is not signed off by a physician (or there is none)" in page
    assert "(ASA): the rule is not signed off" not in page
    assert re.search(r"Awaits confirmation by telephone\.</strong>\s+<span>", page)  # a space after the heading
    row = page[page.index("<td>Phenprocoumon (Marcumar)") :]
    row = row[: row.index("</tr>")]
    assert "to be agreed by telephone" in row and "no routine pause" not in row


def test_the_refusal_for_a_drug_without_a_rule_reads_as_german(session, settings, clinic, browser):
    """Walk finding (4 December): confirming a plan with a drug that has no hold rule was refused with
    "Keine Regel erfasst Phenprocoumon (Marcumar) für diesen Eingriff", which is not German. It now says
    that no hold rule is on file for the drug, with the same two ways on."""
    appointment = _booked(session, settings, clinic)
    prereg_items.add_medication(
        session, None, appointment.referral, drug_code="phenprocoumon", dose_class="", last_dose_on=None
    )
    session.commit()
    speak(session, "de")
    browser.login("rad1")
    refused = browser.post(
        f"/radiology/referrals/{appointment.referral_id}/confirm-hold-plan",
        {"appointment_id": str(appointment.id), "back_to": "radiology"},
        form_page=f"/radiology/appointments/{appointment.id}",
    )
    assert refused.status_code == 302
    page = markup.unescape(browser.get(refused.headers["Location"]).get_data(as_text=True))
    assert "Für Phenprocoumon (Marcumar) ist bei diesem Eingriff keine Pausierungsregel hinterlegt: Legen Sie" in page
    assert "Keine Regel erfasst" not in page
    session.expire_all()
    assert session.get(Referral, appointment.referral_id).hold_plan_confirmed_at is None
