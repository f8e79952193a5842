"""The procedure day through the API: check-in → consent → procedure → observation → discharge, the
no-show, the worklist and the printed documents."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.core import clock
from clinic.models import Consent, FollowUp
from tests.conftest import NOW


def test_the_whole_day_of_one_appointment(session, world, api_as):
    appointment_id = world.appointments["booked"].id
    nurse, radiologist, desk = api_as("nurse"), api_as("radiologist"), api_as("frontdesk")
    path = f"/appointments/{appointment_id}"

    checked_in = nurse.post(f"{path}/check-in")
    assert (checked_in.status_code, checked_in.get_json()["status"]) == (200, "checked_in")

    no_consent = radiologist.post(f"{path}/start")
    assert (no_consent.status_code, no_consent.get_json()["error"]["code"]) == (422, "no_consent")
    doctor = world.clinic.radiologists[0].id
    talk = {"explained_by_id": doctor, "explained_at": "2026-11-21T09:00:00+01:00"}
    not_printed = radiologist.post(f"{path}/consent", json={"taken_by_id": doctor, **talk})
    assert (not_printed.status_code, not_printed.get_json()["error"]["code"]) == (422, "consent_not_printed")

    form = desk.post(f"{path}/consent-form.pdf")
    assert form.status_code == 200 and form.mimetype == "application/pdf" and form.data.startswith(b"%PDF")
    printed = session.scalars(select(Consent).where(Consent.appointment_id == appointment_id)).one()

    not_a_radiologist = radiologist.post(
        f"{path}/consent", json={"taken_by_id": world.clinic.staff["nurse"].id, **talk}
    )
    assert not_a_radiologist.status_code == 400
    no_talk = radiologist.post(f"{path}/consent", json={"taken_by_id": doctor})
    assert no_talk.status_code == 400  # the information talk is part of the record
    clock.pin(NOW + dt.timedelta(hours=1))  # the patient has read and signed the form meanwhile
    talk_after_signing = radiologist.post(
        f"{path}/consent",
        json={
            "taken_by_id": doctor,
            "explained_by_id": doctor,
            "explained_at": "2026-11-23T08:00:00+01:00",
            "signed_at": "2026-11-23T07:40:00+01:00",
        },
    )
    assert (talk_after_signing.status_code, talk_after_signing.get_json()["error"]["details"]) == (
        400,
        {"field": "explained_at"},
    )
    signed = radiologist.post(
        f"{path}/consent",
        json={"taken_by_id": world.clinic.radiologists[1].id, "signed_at": "2026-11-23T07:40:00+01:00", **talk},
    )
    assert signed.status_code == 200, signed.get_json()
    [consent] = signed.get_json()["consents"]
    assert (consent["id"], consent["signed_at"]) == (printed.id, "2026-11-23T06:40:00Z")
    assert (consent["explained_by_id"], consent["explained_at"]) == (doctor, "2026-11-21T08:00:00Z")

    started = radiologist.post(f"{path}/start")
    assert (started.status_code, started.get_json()["status"]) == (200, "in_procedure")
    ended = radiologist.post(f"{path}/end")
    assert (ended.status_code, ended.get_json()["status"]) == (200, "in_observation")

    items = {"stable": True, "can_walk": True, "escort_present": True, "instructions_given": True}
    early = nurse.post(f"{path}/discharge", json=items)  # at once: before the planned end, no checks
    error = early.get_json()["error"]
    assert (early.status_code, error["code"]) == (422, "discharge_early")
    assert "no blood pressure and pulse recorded" in error["details"]["gaps"]
    discharged = nurse.post(f"{path}/discharge", json={**items, "reason": "Transferred to the ward"})
    assert discharged.status_code == 200, discharged.get_json()
    body = discharged.get_json()
    assert body["status"] == "discharged"
    assert [e["to_status"] for e in body["events"]] == [
        "booked",
        "checked_in",
        "in_procedure",
        "in_observation",
        "discharged",
    ]
    assert session.scalars(select(FollowUp).where(FollowUp.appointment_id == appointment_id)).all()


def test_steps_only_go_forward(world, api_as):
    radiologist = api_as("radiologist")
    consented = world.appointments["consented"]
    assert radiologist.post(f"/appointments/{consented.id}/start").status_code == 200
    again = radiologist.post(f"/appointments/{consented.id}/start")
    assert (again.status_code, again.get_json()["error"]["code"]) == (422, "invalid_state")
    assert again.get_json()["error"]["message"] == (  # the API speaks English: the statuses' English labels
        "This appointment is in procedure; it must be checked in to become in procedure."
    )
    assert api_as("frontdesk").post(f"/appointments/{world.appointments['checked_in'].id}/no-show").status_code == 422


def test_a_past_appointment_never_checked_in_is_a_no_show(world, api_as):
    response = api_as("frontdesk").post(f"/appointments/{world.appointments['past'].id}/no-show")
    assert (response.status_code, response.get_json()["status"]) == (200, "no_show")
    early = api_as("frontdesk").post(f"/appointments/{world.appointments['booked'].id}/no-show")
    assert early.status_code == 422


def test_worklist_by_day_and_room(world, api_as):
    radiologist = api_as("radiologist")
    worklist = radiologist.get("/worklist").get_json()
    assert worklist["date"] == "2026-11-23"
    rows = {row["appointment"]["id"]: row for row in worklist["items"]}
    assert world.appointments["cancelled"].id not in rows
    consented = rows[world.appointments["consented"].id]
    assert {f["label"]: f["ok"] for f in consented["flags"]}["Consent"] is True
    assert consented["patient"]["id"] == world.appointments["consented"].patient_id
    assert consented["next_action"] == "start"  # the consent is signed: not "consent, then start" (walk finding)
    assert rows[world.appointments["booked"].id]["next_action"] == "check in"

    room = world.appointments["booked"].room_id
    in_room = radiologist.get(f"/worklist?date=2026-11-23&room_id={room}").get_json()["items"]
    assert in_room and {row["appointment"]["room_id"] for row in in_room} == {room}
    assert radiologist.get("/worklist?date=2026-11-24").get_json()["items"] == []
    assert radiologist.get("/worklist?room_id=999999").status_code == 404


def test_documents_are_pdfs(session, world, api_as):
    desk = api_as("frontdesk")
    appointment = world.appointments["booked"]
    prt = world.clinic.pt("PRT")
    for language in ("de", "en"):
        sheet = api_as("nurse").get(f"/procedure-types/{prt.id}/information.pdf?language={language}")
        assert sheet.status_code == 200 and sheet.mimetype == "application/pdf" and sheet.data.startswith(b"%PDF")
        assert f"information-PRT-{language}.pdf" in sheet.headers["Content-Disposition"]
    assert api_as("nurse").get(f"/procedure-types/{prt.id}/information.pdf?language=fr").status_code == 400

    letter = desk.get(f"/appointments/{appointment.id}/letter.pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    pack = desk.post(f"/appointments/{appointment.id}/print-pack.pdf")
    assert pack.status_code == 200 and pack.data.startswith(b"%PDF")
    consents = session.scalars(select(Consent).where(Consent.appointment_id == appointment.id)).all()
    assert len(consents) == 1, "the print pack records the consent form it printed"

    ended = desk.post(f"/appointments/{world.appointments['cancelled'].id}/consent-form.pdf")
    assert (ended.status_code, ended.get_json()["error"]["code"]) == (422, "invalid_state")


def test_a_consent_form_in_the_patients_language(world, api_as):
    import io

    from pypdf import PdfReader

    appointment = world.appointments["booked"]
    form = api_as("frontdesk").post(f"/appointments/{appointment.id}/consent-form.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(form.data)).pages)
    assert appointment.reference in text
