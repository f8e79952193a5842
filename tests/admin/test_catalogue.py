"""The procedure catalogue: form validation, qualified radiologists (with the stranding check),
stage rules, switching a procedure off."""

from __future__ import annotations

from sqlalchemy import select

from clinic.models import ProcedureType, StageRule

from .helpers import book_on_day, confirm_value, form_refusals, next_monday, refused_saving_nothing, snapshot, text

VALID = {
    "code": "SI",
    "name_en": "Sacroiliac joint injection",
    "name_de": "ISG-Infiltration",
    "modality": "CT",
    "table_minutes": "20",
    "observation_minutes": "30",
    "extra_minutes_per_level": "0",
    "extra_minutes_per_side": "10",
    "bleeding_class": "low",
    "bleeding_class_cervical": "",
    "needs_side": "y",
    "sort_order": "9",
}


def test_a_new_procedure_is_added_with_its_qualified_radiologists(session, clinic, admin):
    rad = clinic.radiologists[1]
    response = admin.post("/admin/procedures/new", {**VALID, "code": "si", "radiologists": [str(rad.id)]})
    assert response.status_code == 302
    session.expire_all()
    added = session.scalar(select(ProcedureType).where(ProcedureType.code == "SI"))
    assert added.table_minutes == 20 and added.extra_minutes_per_side == 10 and added.needs_side
    assert not added.needs_levels and added.active
    assert session.get(type(rad), rad.id).is_qualified_for(added.id)
    assert not clinic.radiologists[0].is_qualified_for(added.id)


@form_refusals(
    [
        ({"table_minutes": "17"}, "The table time is 15, 20, 25 or 30 minutes."),
        ({"table_minutes": "35"}, "The table time is 15, 20, 25 or 30 minutes."),
        ({"observation_minutes": "75"}, "Observation lasts 0 to 60 minutes."),
        ({"observation_minutes": "-5"}, "Observation lasts 0 to 60 minutes."),
        ({"observation_minutes": ""}, "Give the observation time in minutes (0 if none)."),
        ({"extra_minutes_per_level": "45"}, "Extra minutes are 0 to 30."),
        ({"code": "PRT"}, "The code PRT is taken."),
        ({"code": "prt"}, "The code PRT is taken."),
        ({"code": "S I"}, "A code is 1 to 20 capital letters, digits or dashes"),
        ({"code": ""}, "Give a code, e.g. PRT."),
        ({"name_en": ""}, "Give the English name."),
        ({"name_de": "  "}, "Give the German name."),
        ({"radiologists": ["999"]}, "is not a valid choice for this field."),
    ],
)
def test_procedure_form_errors_save_nothing(session, clinic, admin, change, message):
    refused_saving_nothing(session, admin, "/admin/procedures/new", {**VALID, **change}, message, ProcedureType)


def test_the_code_cannot_change_once_created(session, clinic, admin):
    prt = clinic.pt("PRT")
    data = {**VALID, "code": "NEW", "table_minutes": "25"}
    assert admin.post(f"/admin/procedures/{prt.id}", data).status_code == 302
    session.expire_all()
    prt = session.get(ProcedureType, prt.id)
    assert prt.code == "PRT" and prt.table_minutes == 25


def test_editing_shows_the_same_errors(session, clinic, admin):
    prt = clinic.pt("PRT")
    response = admin.post(f"/admin/procedures/{prt.id}", {**VALID, "table_minutes": "17", "observation_minutes": "75"})
    html = text(response)
    assert response.status_code == 422
    assert "The table time is 15, 20, 25 or 30 minutes." in html and "Observation lasts 0 to 60 minutes." in html
    session.expire_all()
    assert session.get(ProcedureType, prt.id).table_minutes == 20


def _procedure_form(procedure: ProcedureType, radiologist_ids) -> dict:
    return {
        **VALID,
        "code": procedure.code,
        "name_en": procedure.name_en,
        "name_de": procedure.name_de,
        "table_minutes": str(procedure.table_minutes),
        "observation_minutes": str(procedure.observation_minutes),
        "bleeding_class": procedure.bleeding_class,
        "radiologists": [str(i) for i in radiologist_ids],
    }


def test_taking_a_qualification_away_warns_of_the_radiologists_bookings(session, clinic, admin):
    monday = next_monday()
    rad1, *others = clinic.radiologists
    appointment = book_on_day(session, clinic, monday, radiologist=rad1)
    unaffected = book_on_day(session, clinic, monday, radiologist=others[0])
    before = snapshot(session, appointment)
    prt = clinic.pt("PRT")
    data = _procedure_form(prt, [r.id for r in others])

    warned = admin.post(f"/admin/procedures/{prt.id}", data)
    html = text(warned)
    assert warned.status_code == 409
    assert appointment.reference in html and unaffected.reference not in html
    assert f"{rad1.full_name} is no longer qualified for Periradicular therapy" in html
    session.expire_all()
    assert session.get(type(rad1), rad1.id).is_qualified_for(prt.id)  # nothing saved yet

    confirmed = admin.post(f"/admin/procedures/{prt.id}", {**data, "confirm_stranded": confirm_value(html)})
    assert confirmed.status_code == 302 and "/admin/stranded" in confirmed.headers["Location"]
    listed = text(admin.get(confirmed.headers["Location"]))
    # The reference, without a link the admin could not open (the front desk's list links it).
    assert appointment.reference in listed and f"/desk/appointments/{appointment.id}" not in listed
    session.expire_all()
    assert not session.get(type(rad1), rad1.id).is_qualified_for(prt.id)
    assert snapshot(session, appointment) == before


def test_switching_a_procedure_off_keeps_its_appointments(session, clinic, admin):
    appointment = book_on_day(session, clinic, next_monday())
    before = snapshot(session, appointment)
    prt = clinic.pt("PRT")
    response = admin.post(f"/admin/procedures/{prt.id}/deactivate", {}, form_page=f"/admin/procedures/{prt.id}")
    assert response.status_code == 302
    page = text(admin.get(response.headers["Location"]))
    assert "1 booked appointment(s) keep their times" in page and "switched off" in page
    session.expire_all()
    assert not session.get(ProcedureType, prt.id).active
    assert snapshot(session, appointment) == before
    assert "PRT" not in text(admin.get("/admin/procedures?show=active")).split("<tbody>")[-1]
    assert "PRT" in text(admin.get("/admin/procedures?show=inactive"))
    admin.post(f"/admin/procedures/{prt.id}/activate", {}, form_page=f"/admin/procedures/{prt.id}")
    session.expire_all()
    assert session.get(ProcedureType, prt.id).active


def test_stage_rules_are_added_checked_and_removed(session, clinic, admin):
    epi, prt = clinic.pt("EPI"), clinic.pt("PRT")
    url = f"/admin/procedures/{epi.id}/stage-rules"
    page = f"/admin/procedures/{epi.id}"
    added = admin.post(
        url, {"rule_stage": "", "requires_procedure_type_id": str(prt.id), "requires_stage": ""}, form_page=page
    )
    assert added.status_code == 302
    rule = session.scalar(select(StageRule).where(StageRule.procedure_type_id == epi.id))
    assert rule.requires_procedure_type_id == prt.id and rule.stage is None

    twice = admin.post(
        url, {"rule_stage": "", "requires_procedure_type_id": str(prt.id), "requires_stage": ""}, form_page=page
    )
    assert twice.status_code == 422 and "There is already a rule for every stage of EPI" in text(twice)
    itself = admin.post(
        url,
        {"rule_stage": "diagnostic", "requires_procedure_type_id": str(epi.id), "requires_stage": "diagnostic"},
        form_page=page,
    )
    assert itself.status_code == 422 and "cannot require itself at the same stage" in text(itself)
    unknown = admin.post(
        url, {"rule_stage": "", "requires_procedure_type_id": "999", "requires_stage": ""}, form_page=page
    )
    assert unknown.status_code == 422 and "Choose the procedure that has to come first." in text(unknown)

    removed = admin.post(f"{url}/{rule.id}/delete", {}, form_page=page)
    assert removed.status_code == 302
    session.expire_all()
    assert session.scalar(select(StageRule).where(StageRule.procedure_type_id == epi.id)) is None
