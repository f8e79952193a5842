"""What a staff walk through the German screens found: English words, raw codes and English number formats
on German pages and PDFs. Each test renders the German page (or PDF) and looks for the German text and for
the absence of the English one; where the English screen changed too, it is checked as well."""

from __future__ import annotations

import datetime as dt
import html as markup
import io
import re
import zipfile
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import func, select

from clinic.core import clock
from clinic.core.timefmt import fmt_datetime, to_local
from clinic.documents import worklist
from clinic.documents.worklist_text import WORDS
from clinic.models import (
    AnticoagulantRule,
    Appointment,
    DocumentText,
    DrugOption,
    JobRun,
    PerformedStep,
    ProcedureRecord,
    Referral,
)
from clinic.models.vocab import Role
from clinic.services import appointments, documents, outbox, procedure_records, uploads
from clinic.services.uploads.limits import MB
from tests.admin.test_settings import VALID as CLINIC_SETTINGS
from tests.conftest import NOW, TODAY, ZONE, Browser
from tests.documents.helpers import text_of
from tests.factories import (
    add_to_waitlist,
    book,
    build_clinic,
    hold,
    make_patient,
    make_ready_referral,
    make_referral,
    make_user,
    record_details,
)
from tests.frontdesk.helpers import FLAGS_NO, GERMAN_INTAKE
from tests.radiology.day_helpers import day_appointment, to_observation, to_procedure
from tests.scheduling.helpers import chain_form, first_candidates


def _text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _staff(app, session, username: str, roles: set[str], language: str = "de") -> Browser:
    """A browser of its own, logged in as a new user whose screens are in ``language``."""
    make_user(session, username, roles, username.title(), language=language)
    session.commit()
    browser = Browser(app.test_client())
    assert browser.login(username).status_code == 302
    return browser


def _intake(**changes) -> dict:
    data = {
        **GERMAN_INTAKE,
        "preferred_language": "de",
        "physician_id": "0",
        "received_on": "2026-11-20",
        "region": "lumbar",
        **FLAGS_NO,
    }
    return {**data, **changes}


def test_a_wrong_email_address_is_refused_in_the_screens_language(app, session):
    build_clinic(session)
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    german = _text(desk.post("/desk/referrals/new", _intake(email="kaethe.brandt.example.org")))
    assert "Keine gültige E-Mail-Adresse: Bitte prüfen Sie die Schreibweise" in german
    assert "email address" not in german and "@-sign" not in german

    admin = _staff(app, session, "admin_de", {Role.ADMIN})
    refused = admin.post("/admin/settings", {**CLINIC_SETTINGS, "clinic_email": "info.nord.example"})
    assert refused.status_code == 422
    assert "Keine gültige E-Mail-Adresse" in _text(refused) and "email address" not in _text(refused)

    english = _staff(app, session, "desk_en", {Role.FRONT_DESK}, "en")
    shown = _text(english.post("/desk/referrals/new", _intake(email="kaethe.brandt.example.org")))
    assert "This is not a valid email address: An email address must have an @-sign." in shown
    assert "not one valid" not in shown


def test_an_upload_refusal_names_the_accepted_kinds_in_german(app, session):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    not_a_pdf = (io.BytesIO(b"Sehr geehrte Kollegen, ...\n" * 20), "befund.pdf")
    page = f"/desk/referrals/{referral.id}"
    refused = desk.post(f"{page}/imaging", {"files": not_a_pdf}, form_page=page, content_type="multipart/form-data")
    shown = _text(refused)
    assert refused.status_code == 400, shown
    assert "Angenommen: PDF, JPEG, PNG, DICOM oder eine ZIP-Datei einer DICOM-CD." in shown
    assert "or a ZIP" not in shown

    letter = (io.BytesIO(b"Sehr geehrte Kollegen, ...\n" * 20), "brief.pdf")
    form = {**_intake(), "letter": letter}
    refused = desk.post("/desk/referrals/new", form, content_type="multipart/form-data")
    assert "Angenommen: PDF, JPEG oder PNG." in _text(refused) and "JPEG or PNG" not in _text(refused)

    app.config["UPLOAD_MAX_ZIP_TOTAL_MB"] = 1  # a size in a refusal is written with the German decimal comma
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as cd:
        cd.writestr("IM000001", bytes(MB * 16 // 10))
    large = (io.BytesIO(packed.getvalue()), "cd.zip")
    refused = desk.post(f"{page}/imaging", {"files": large}, form_page=page, content_type="multipart/form-data")
    assert "„cd.zip“ würde sich zu 1,6 MB entpacken, mehr als die 1 MB," in _text(refused)


def test_a_booking_conflict_names_what_is_taken_in_german(app, session, settings):
    clinic = build_clinic(session)
    first, second = make_ready_referral(session, clinic), make_ready_referral(session, clinic)
    chosen = first_candidates(session, settings, first)[0]
    book(session, settings, second, chosen)  # someone else took the time meanwhile
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    page = f"/desk/referrals/{first.id}/book"
    taken = desk.post(page, chain_form(chosen), form_page=page)
    shown = _text(taken)
    assert taken.status_code == 409
    assert "ist nicht mehr frei: der Raum, die Radiologin/der Radiologe und der Liegeplatz sind belegt." in shown
    assert "the room" not in shown and "taken" not in shown

    english = _staff(app, session, "desk_en", {Role.FRONT_DESK}, "en")
    shown = _text(english.post(page, chain_form(chosen), form_page=page))
    assert "is no longer free: the room, the radiologist and the observation bed are taken." in shown


def test_booking_a_referral_that_is_not_ready_lists_what_is_missing_in_german(app, session, settings):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    chosen = first_candidates(session, settings, referral)[0]
    prereg = referral.preregistration
    prereg.contact_confirmed_at = prereg.contact_confirmed_by_id = None
    prereg.allergies_settled_at = prereg.allergies_settled_by_id = None
    referral.imaging_waived_at = referral.imaging_waived_by_id = referral.imaging_waiver_reason = None
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    page = f"/desk/referrals/{referral.id}/book"
    shown = _text(desk.post(page, chain_form(chosen), form_page=page))
    assert (
        "Für diese Überweisung kann noch kein Termin gebucht werden: Kontaktdaten und Versicherung: fehlt: "
        "Bestätigung, dass die Angaben mit dem Patienten geprüft wurden; Vorbefunde und Voraufnahmen: "
    ) in shown
    assert "; Allergien: noch nicht erfragt." in shown
    for english in ("Contact data", "missing:", "Prior imaging", "Allergies", "not asked yet"):
        assert english not in shown, english


def test_the_history_of_a_moved_appointment_reads_in_german(app, session, settings):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    first, later = first_candidates(session, settings, referral)[:2]
    appointment = book(session, settings, referral, first)
    appointments.reschedule(session, settings, None, appointment, later)
    old, new = (fmt_datetime(c.table_start, ZONE) for c in (first, later))
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    shown = _text(desk.get(f"/desk/appointments/{appointment.id}"))
    assert f"verschoben von {old} auf {new}" in shown and "moved from" not in shown
    assert "Gebucht → Gebucht" not in shown  # walk finding: a move said the status went from booked to booked

    english = _staff(app, session, "desk_en", {Role.FRONT_DESK}, "en")
    assert f"moved from {old} to {new}" in _text(english.get(f"/desk/appointments/{appointment.id}"))


def test_error_pages_and_the_login_prompt_follow_the_screens_language(app, session):
    build_clinic(session)
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    radiologist = _staff(app, session, "rad_de", {Role.RADIOLOGIST})
    bad_day = radiologist.get("/radiology/worklist?day=2026-13-45")
    assert bad_day.status_code == 400
    assert "Ein Datum wird als JJJJ-MM-TT geschrieben." in _text(bad_day) and "Dates are" not in _text(bad_day)
    # The calendar answers with its own page, the message at its date field (tests/frontdesk/test_calendar_dates.py).
    bad_day = desk.get("/desk/calendar?day=2026-13-45")
    assert bad_day.status_code == 400 and "Kein gültiges Datum." in _text(bad_day)
    wrong_method = desk.client.post("/desk/calendar")
    assert wrong_method.status_code == 405
    assert "Diese Art von Anfrage ist für diese Adresse nicht erlaubt." in _text(wrong_method)
    assert "method is not allowed" not in _text(wrong_method)

    stranger = app.test_client()
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    prompt = _text(stranger.get("/desk/", headers=german, follow_redirects=True))
    assert "Bitte melden Sie sich an, um fortzufahren." in prompt and "Please log in" not in prompt
    english = _text(app.test_client().get("/desk/", headers={"Accept-Language": "en"}, follow_redirects=True))
    assert "Please log in to continue." in english


def test_the_outbox_says_in_german_that_the_scheduler_has_no_mail_settings(app, session):
    build_clinic(session)
    session.add(JobRun(job="send_outbox", host="h", pid=1, started_at=NOW, result=outbox.NOT_CONFIGURED))
    admin = _staff(app, session, "admin_de", {Role.ADMIN})
    app.config["SMTP_HOST"] = "mail.example.org"  # the web server has the settings, the scheduler not
    shown = _text(admin.get("/admin/outbox"))
    said = "E-Mail nicht eingerichtet (SMTP_HOST ist leer): Nachrichten bleiben in der Warteschlange"
    assert f"Sein letzter Lauf meldet: {said}." in shown and shown.count(said) == 2  # the alert, the last run
    assert "mail not configured" not in shown and "messages stay queued" not in shown


def test_the_procedure_record_names_drugs_in_german_with_german_numbers(app, session, settings):
    clinic, appointment = day_appointment(session, settings)
    record = to_procedure(session, clinic, appointment)
    radiologist = clinic.radiologists[0]
    drugs = {d.name: d.id for d in session.scalars(select(DrugOption))}
    given = [(drugs["Triamcinolone"], Decimal("40.00")), (drugs["Ropivacaine"], Decimal("2.50"))]
    clock.pin(NOW + dt.timedelta(minutes=30))  # the record is written once the procedure is over
    procedure_records.update(
        session, radiologist, record, record_details(record, dlp_mgycm=Decimal("85.5"), drugs=given), zone=ZONE
    )
    clock.pin(NOW)
    scanned = {"ctdivol_mgy": Decimal("12.35"), "dlp_mgycm": Decimal("85.5"), "started_at": NOW, "ended_at": NOW}
    session.add(
        PerformedStep(
            sop_instance_uid="1.2.3",
            appointment_id=appointment.id,
            station_ae_title="CT1",
            status="completed",
            **scanned,
        )
    )
    anna = _staff(app, session, "anna", {Role.RADIOLOGIST})
    page = f"/radiology/appointments/{appointment.id}"
    form = _text(anna.get(page))
    assert "CT1</strong> · Abgeschlossen" in form and "CTDIvol 12,35 mGy · DLP 85,5 mGy·cm" in form
    for german, english in [("Triamcinolon (mg)", "Triamcinolone"), ("Kontrastmittel (ml)", "Contrast (ml)")]:
        assert german in form and english not in form
    # A text field read by the clinic's parser (a comma or a point): shown with the German comma.
    assert 'value="85,5"' in form

    clock.pin(NOW + dt.timedelta(minutes=30))  # signed once the procedure is over (its end is not in the future)
    procedure_records.sign(session, radiologist, record, zone=ZONE)
    clock.pin(NOW)
    signed = _text(anna.get(page))
    assert "Triamcinolon 40 mg; Ropivacain 2,5 ml" in signed and "85,5 mGy·cm" in signed
    assert "Triamcinolone" not in signed and "40.00" not in signed and "85.5" not in signed

    reports = _text(anna.get("/radiology/reports?from=2026-11-23&to=2026-11-23"))
    booked = appointment.table_minutes
    share = format_decimal(100 * booked / 480, "#,##0.0", locale="de_DE")  # CT 1 is open 08:00-16:00
    assert f"<td>{booked}</td><td>480</td><td>{share}\N{NO-BREAK SPACE}%" in reports
    assert "." not in share and f"{100 * booked / 480:.1f}%" not in reports


def test_german_screens_say_mrt_and_one_german_name_for_aspirin(app, session, settings):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, guidance="MRI", medications=[("aspirin", "secondary", None)])
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    plan = _text(desk.get(f"/desk/referrals/{referral.id}")).split('<h2 class="h6">Planung</h2>')[1][:1500]
    assert "· MRT</p>" in plan and "MRI" not in plan

    admin = _staff(app, session, "admin_de", {Role.ADMIN})
    rooms = _text(admin.get("/admin/rooms"))
    assert "<td>MRT</td>" in rooms and "<td>MRI</td>" not in rooms
    assert "MRT · Radiology" in _text(admin.get("/admin/sessions"))
    form = _text(admin.get("/admin/rooms/new"))
    assert '<option value="MRI">MRT</option>' in form

    rules = _text(admin.get("/admin/hold-rules"))
    assert "<strong>Acetylsalicylsäure (ASS)</strong>" in rules and "Aspirin (ASA)" not in rules
    aspirin = session.scalar(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "aspirin"))
    rule = _text(admin.get(f"/admin/hold-rules/{aspirin.id}"))
    assert '<h1 class="h3">Acetylsalicylsäure (ASS) <span' in rule and "Aspirin (ASA)" not in rule.split("<form")[0]


def test_german_screens_name_procedures_in_german(app, session):
    clinic = build_clinic(session, texts=True)
    make_ready_referral(session, clinic, code="SYMP", stage="neurolytic", levels=None)  # no diagnostic stage yet
    admin = _staff(app, session, "admin_de", {Role.ADMIN})
    catalogue = _text(admin.get("/admin/procedures"))
    german, english = "Periradikuläre Therapie (PRT)", "Periradicular therapy (nerve-root injection)"
    assert f'<td>{german}<br><span class="small text-muted" lang="en">{english}</span></td>' in catalogue
    texts = _text(admin.get("/admin/texts"))
    assert german in texts and english not in texts
    version = session.scalar(select(DocumentText.id).where(DocumentText.procedure_type_id == clinic.pt("PRT").id))
    shown = _text(admin.get(f"/admin/texts/versions/{version}"))
    assert f"PRT: {german}" in shown and english not in shown

    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    blocked = _text(desk.get("/desk/")).split('id="not-bookable"')[1].split("</section>")[0]
    assert (
        "Sympathikolyse (Stufe Neurolytisch) braucht bei diesem Patienten zuvor einen dokumentiert positiven "
        "Eingriff: Sympathikolyse, Stufe Diagnostisch"
    ) in blocked
    assert "sympathetic block" not in blocked and "neurolytic" not in blocked


def _worklist(session, settings, **plan):
    """A German worklist PDF of CT 1 for today, with one patient booked there."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, **plan)
    appointment = book(session, settings, referral, room_id=clinic.rooms["CT 1"].id)
    pdf = documents.worklist_pdf(session, TODAY, clinic.rooms["CT 1"], ZONE)
    return clinic, appointment, pdf


def test_the_worklist_pdf_gives_the_sex_in_the_german_letter(session, settings):
    _clinic, appointment, pdf = _worklist(session, settings)
    patient = appointment.patient
    assert patient.sex == "female"
    cells = f"{patient.clinic_number} {patient.age_on(TODAY)}"
    assert f"{cells} W " in text_of(pdf) and f"{cells} F " not in text_of(pdf)
    english = documents.worklist_pdf(session, TODAY, appointment.room, ZONE, language="en")
    assert f"{cells} F " in text_of(english)


def test_a_caudal_injection_shows_its_target_once_and_every_worklist_cell_fits_its_column(app, session, settings):
    plan = {"code": "EPI", "region": "sacral", "side": "bilateral", "levels": "caudal", "target": "caudal"}
    _clinic, appointment, pdf = _worklist(session, settings, **plan)
    rows = _text(_staff(app, session, "anna", {Role.RADIOLOGIST}).get(f"/radiology/worklist?day={TODAY}"))
    cell = rows.split("Kaudal (Hiatus sacralis)</strong>")[1].split("</td>")[0]
    assert rows.count("Kaudal (Hiatus sacralis)") == 1 and "caudal" not in cell

    assert "Kreuzbein beidseits –" in text_of(pdf) and "caudal" not in text_of(pdf)
    for language in ("de", "en"):
        plans = {appointment.id: documents.hold_plan_for(session, appointment, language)}
        table = worklist.worklist_table([appointment], TODAY, ZONE, plans, language)
        header, cells = table._cellvalues
        assert [" ".join(cell.split("\n")) for cell in header] == [WORDS[language][key] for key, _ in worklist.COLUMNS]
        shown = {"de": ["Kreuzbein", "beidseits", "–"], "en": ["sacrum", "both sides", "–"]}[language]
        assert [cell.replace("\n", " ") for cell in cells[6:9]] == shown  # region, side, levels: whole words
        for row in table._cellvalues:
            for (key, width), cell in zip(worklist.COLUMNS, row, strict=True):
                for line in cell.split("\n"):
                    font = worklist.BOLD if row is table._cellvalues[0] or key == "patient" else worklist.REGULAR
                    used = stringWidth(line, font, worklist.SIZE)
                    assert used <= width * mm - 2 * worklist.PAD, (language, key, line)


def test_the_referrals_plan_names_the_code_once_and_spaces_its_parts(app, session):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, code="PRT", levels="L5")
    symp = make_ready_referral(
        session, clinic, code="SYMP", stage="diagnostic", levels=None, side="midline", target="impar"
    )
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    plan = _text(desk.get(f"/desk/referrals/{referral.id}")).split('<h2 class="h6">Planung</h2>')[1][:700]
    assert "<strong>Periradikuläre Therapie (PRT)</strong></p>" in plan and "(PRT) (PRT)" not in plan
    assert "Lendenwirbelsäule · Links · L5 · CT</p>" in plan
    plan = _text(desk.get(f"/desk/referrals/{symp.id}")).split('<h2 class="h6">Planung</h2>')[1][:700]
    assert "(Sympathikusblockade)</strong> (SYMP)</p>" in plan
    assert "Lendenwirbelsäule · Mitte · <strong>Ganglion impar</strong> · Stufe Diagnostisch · CT</p>" in plan


def test_no_stray_separators_beside_missing_values(app, session):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, medications=[("rivaroxaban", "", dt.date(2026, 11, 20))])
    uploads.create_study(
        session, None, patient=referral.patient, modality="MR", body_region="LWS", facility="Radiologie Altona"
    )
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    patient = _text(desk.get(f"/patients/{referral.patient_id}"))
    assert "MR LWS · Radiologie Altona</span>" in patient and "· ·" not in patient
    page = _text(desk.get(f"/desk/referrals/{referral.id}"))
    assert "Rivaroxaban, letzte Einnahme 20.11.2026" in page and "Rivaroxaban ," not in page


def test_the_start_page_names_what_is_missing_whole(app, session):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    prereg = referral.preregistration
    prereg.contact_confirmed_at = prereg.contact_confirmed_by_id = None
    prereg.allergies_settled_at = prereg.allergies_settled_by_id = None
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    listed = _text(desk.get("/desk/")).split('id="pre-registration-open"')[1].split("</section>")[0]
    assert "<summary>2 fehlen: Kontaktdaten und Versicherung; Allergien</summary>" in listed
    whole = "Kontaktdaten und Versicherung: fehlt: Bestätigung, dass die Angaben mit dem Patienten geprüft wurden"
    assert f"<li>{whole}</li>" in listed and "<li>Allergien: noch nicht erfragt</li>" in listed
    assert "..." not in listed


def test_the_demo_clinic_writes_its_texts_in_german(app, session):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    session.expire_all()
    written = [
        *session.scalars(select(Appointment.cancel_reason).where(Appointment.cancel_reason.is_not(None))),
        *session.scalars(select(Referral.clinical_question)),
        *session.scalars(select(Referral.triage_note).where(Referral.triage_note.is_not(None))),
        *session.scalars(select(Referral.decline_reason).where(Referral.decline_reason.is_not(None))),
        *session.scalars(select(Referral.info_request).where(Referral.info_request.is_not(None))),
        *session.scalars(select(Referral.imaging_waiver_reason).where(Referral.imaging_waiver_reason.is_not(None))),
        *session.scalars(select(ProcedureRecord.approach).where(ProcedureRecord.approach.is_not(None))),
    ]
    english = re.compile(r"\b(the|please|called|not well|pain|requested|available|branch|posterior)\b", re.I)
    assert written and not [text for text in written if english.search(text)]
    assert session.scalar(select(func.count(Referral.id)).where(Referral.planned_levels == "caudal")) == 0

    desk = Browser(app.test_client())
    assert desk.login("frontdesk", "demo").status_code == 302
    start = _text(desk.get("/desk/"))
    assert "Patient hat angerufen: fühlt sich nicht wohl genug" in start and "Patient called" not in start


def test_the_history_of_a_held_then_confirmed_appointment_reads_in_german(app, session, settings):
    """Walk F-04 / F-10: "— confirmed from a hold" was English on the German history; rows written before
    read in German too (the stored note stays English for the API)."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    held = hold(session, settings, referral)
    appointment = appointments.confirm_hold(session, settings, None, held.token)
    assert appointment.events[0].note == "confirmed from a hold"
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    shown = _text(desk.get(f"/desk/appointments/{appointment.id}"))
    assert "aus einer Vormerkung gebucht" in shown and "confirmed from a hold" not in shown

    english = _staff(app, session, "desk_en", {Role.FRONT_DESK}, "en")
    assert "confirmed from a hold" in _text(english.get(f"/desk/appointments/{appointment.id}"))


def test_a_cancellation_online_and_its_day_read_true_on_the_desk(app, session, settings):
    """Walk F-16: the desk's start page said "Abgesagt am <the appointment's date>"; it says the day of the
    appointment and the day it was cancelled. A cancellation online reads in German (F-10)."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    later = first_candidates(session, settings, referral, first_day=TODAY + dt.timedelta(days=7))[0]
    appointment = book(session, settings, referral, later)
    appointments.cancel(session, settings, None, appointment, "by the patient online: Ich bin erkältet")
    session.commit()
    planned = to_local(later.table_start, ZONE).strftime("%d.%m.%Y")
    desk = _staff(app, session, "desk_de", {Role.FRONT_DESK})
    home = _text(desk.get("/desk/"))
    expected = f"Termin vom {planned} abgesagt am {TODAY:%d.%m.%Y}: vom Patienten online: Ich bin erkältet"
    assert expected in home, home
    assert f"Abgesagt am {planned}" not in home
    shown = _text(desk.get(f"/desk/appointments/{appointment.id}"))
    assert "vom Patienten online: Ich bin erkältet" in shown and "by the patient online" not in shown

    english = _staff(app, session, "desk_en", {Role.FRONT_DESK}, "en")
    assert f"Appointment of {planned} cancelled on {TODAY:%d.%m.%Y}: by the patient online" in _text(
        english.get("/desk/")
    )


def test_a_drug_without_its_dose_is_refused_at_the_dose_in_german(app, session, settings):
    """Walk finding: "drug without dose" in the procedure record was said in a banner with the drug's English
    name ("Triamcinolone") on the German screen. The German screen says it at the dose field, in German,
    nothing saved; the service's own refusal (the API's) names the drug in the screen's language too."""
    from flask_babel import force_locale

    from clinic.core.errors import InvalidInput
    from clinic.i18n import refusal

    clinic, appointment = day_appointment(session, settings)
    record = to_procedure(session, clinic, appointment)
    triamcinolone = session.scalar(select(DrugOption).where(DrugOption.name == "Triamcinolone"))
    anna = _staff(app, session, "anna", {Role.RADIOLOGIST})
    clock.pin(NOW + dt.timedelta(minutes=30))
    page = f"/radiology/appointments/{appointment.id}"
    data = {
        "record-started_at": "2026-11-23T07:00",
        "record-side": "left",
        "record-guidance": "CT",
        "record-drugs-0-drug_option_id": str(triamcinolone.id),
        "record-drugs-0-dose": "",
    }
    answer = anna.post(f"{page}/record", data, form_page=page)
    shown = _text(answer)
    assert answer.status_code == 422
    at = shown.index('id="record-drugs-0-dose"')
    dose = shown[shown.rindex("<input", 0, at) : shown.index("</div>", at)]
    assert "is-invalid" in dose and "Bitte die Dosis dieses Medikaments angeben." in dose, dose
    assert "Triamcinolone" not in shown and "give a dose" not in shown
    session.refresh(record)
    assert not record.drugs
    with pytest.raises(InvalidInput) as refused:
        procedure_records.update(
            session, None, record, record_details(record, drugs=[(triamcinolone.id, None)]), zone=ZONE
        )
    with app.test_request_context("/"), force_locale("de"):
        said = refusal(refused.value)
    assert "für Triamcinolon eine Dosis" in said and "Triamcinolone" not in said, said


def test_a_weak_password_is_refused_in_german_words_only(app, session):
    """zxcvbn's own warnings are English: the German admin screen said "...zu leicht zu erraten: This is
    similar to a commonly used password", and without a warning the same words twice (walk 20)."""
    build_clinic(session)
    admin = _staff(app, session, "chefin", {"admin"})
    form = {
        "username": "mschulz",
        "full_name": "Mira Schulz",
        "email": "",
        "roles": ["front_desk"],
    }
    seen = []
    for password in ("passwort1234", "qwertzuiop123", "password1234", "1234567890ab"):
        refused = admin.post("/admin/users/new", {**form, "password": password, "password_again": password})
        assert refused.status_code == 422
        page = _text(refused)
        sentence = re.search(r"Dieses Passwort ist zu leicht zu erraten[^<]*", page).group(0)
        assert not re.search(r"\b(This|is|are|easy|guess|password)\b", sentence), sentence
        assert sentence.count("zu leicht zu erraten") == 1, sentence
        seen.append(sentence)
    assert any(": es ähnelt einem häufig verwendeten Passwort" in s for s in seen), seen


# Seeded content a German screen must not show in English: the hold rules' notes and the drugs' English names
# (where the German differs), the drugs a record may list, the printed texts' English titles, the catalogue's
# English names and the texts' first change note. Text an element marks as English (lang="en": the catalogue's
# second name, a rule's English note beside the German) is meant to be read as English and is left out.
def _seeded_english() -> set[str]:
    from clinic.defaults import CATALOGUE, DRUG_OPTIONS, FIRST_VERSION_NOTE, HOLD_RULES, TEXTS_DIR
    from clinic.models.catalogue import short_name
    from clinic.models.vocab import Language

    english = {rule.note for rule in HOLD_RULES if rule.note}
    english |= {rule.drug_name_en for rule in HOLD_RULES if rule.drug_name_en != rule.drug_name_de}
    english |= {name for name, _unit in DRUG_OPTIONS if name != "Ethanol"}  # Ethanol: the same in German
    english |= {path.read_text(encoding="utf-8").splitlines()[0][2:] for path in TEXTS_DIR.glob("*.en.md")}
    english |= {row["name_en"] for row in CATALOGUE} | {short_name(row["name_en"]) for row in CATALOGUE}
    return english | {FIRST_VERSION_NOTE[Language.EN]}


MARKED_ENGLISH = re.compile(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', re.S)
TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)


def _walk(browser: Browser, start: list[str]) -> dict[str, str]:
    """The text of each page in ``start`` and of the first page of each kind it links to (the first referral,
    appointment, rule ...), tags stripped; the English version of a printed text is left out (it is English)."""
    shown: dict[str, str] = {}
    queue = list(dict.fromkeys(start))
    for path in queue:
        if path in shown or "logout" in path or path.endswith("/en"):
            continue
        response = browser.get(path)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        page = response.get_data(as_text=True)
        shown[path] = " ".join(markup.unescape(TAGS.sub(" ", MARKED_ENGLISH.sub(" ", page))).split())
        if path in start:
            kinds: dict[str, str] = {}
            for link in re.findall(r'href="(/[^"#?]*/\d+(?:/[^"#?]*)?)"', page):
                kinds.setdefault(re.sub(r"\d+", "N", link), link)
            queue += [link for link in kinds.values() if link not in queue]
    return shown


def test_no_seeded_content_reads_in_english_on_the_german_screens(app, session, settings):
    """Staff walk (de-DE), every role: the pages of the menu and the first of each kind they list. The hold rules'
    notes were English only (the admin's rule form), and the German texts' version history said "Initial
    text, written from the clinical facts file."."""
    clinic = build_clinic(session, texts=True)
    day_appointment(session, settings, clinic, to=to_observation)
    day_appointment(session, settings, clinic, to=to_procedure)
    day_appointment(session, settings, clinic)
    make_referral(session, make_patient(session))
    aspirin = make_ready_referral(
        session, clinic, medications=[("aspirin", "primary", None), ("clopidogrel", "", None)]
    )
    make_ready_referral(session, clinic, code="FACET", stage="diagnostic", medications=[("apixaban", "", None)])
    make_ready_referral(session, clinic, medications=[("warfarin", "", None), ("lmwh", "therapeutic", None)])
    make_ready_referral(session, clinic, code="SYMP", stage="neurolytic", levels=None)
    hold(session, settings, make_ready_referral(session, clinic, side="left"))
    add_to_waitlist(session, aspirin)
    english = _seeded_english()
    found, walked = [], 0
    for username, role in [("desk_de", Role.FRONT_DESK), ("rad_de", Role.RADIOLOGIST), ("nurse_de", Role.NURSE)]:
        browser = _staff(app, session, username, {role})
        menu = re.findall(r'<a class="nav-link[^"]*" href="(/[^"#]*)"', browser.get("/", follow_redirects=True).text)
        shown = _walk(browser, menu)
        walked += len(shown)
        found += [(username, path, words) for path, text in shown.items() for words in english if words in text]
    admin = _staff(app, session, "admin_de", {Role.ADMIN})
    shown = _walk(admin, re.findall(r'href="(/admin/[^"#?]*)"', admin.get("/admin/").text))
    assert "/admin/hold-rules/N" in {re.sub(r"\d+", "N", path) for path in shown}
    walked += len(shown)
    found += [("admin_de", path, words) for path, text in shown.items() for words in english if words in text]
    assert walked > 40 and found == []


def test_a_new_room_and_bed_start_in_the_clinics_unit_or_a_german_word(app, session):
    """The new room's form offered the unit "Radiology", the new bed's "Observation", in English on German
    screens and whatever the clinic's own units were called."""
    from clinic.defaults import seed_defaults
    from clinic.models import ObservationBed, Room

    seed_defaults(session)
    german = _staff(app, session, "admin_de", {Role.ADMIN})
    english = _staff(app, session, "admin_en", {Role.ADMIN}, "en")
    unit = re.compile(r'name="unit"[^>]*value="([^"]*)"')
    assert unit.findall(german.get("/admin/rooms/new").text) == ["Radiologie"]
    assert unit.findall(german.get("/admin/beds/new").text) == ["Überwachung"]
    assert unit.findall(english.get("/admin/rooms/new").text) == ["Radiology"]

    session.add_all([Room(name=f"CT {n}", modality="CT", unit="Radiologie Nord", sort_order=n) for n in (1, 2)])
    session.add(Room(name="MRT", modality="MRI", unit="MRT-Zentrum", sort_order=3))
    session.add(ObservationBed(label="Liege 1", unit="Tagesklinik", sort_order=1))
    session.commit()
    assert unit.findall(german.get("/admin/rooms/new").text) == ["Radiologie Nord"]
    assert unit.findall(english.get("/admin/beds/new").text) == ["Tagesklinik"]
