"""Walk finding (German staff walk): moving an appointment asked only "…von 09:30 auf 08:00 verschieben?",
while the move also changed the radiologist and the bed, and the patient's Clopidogrel stop time moved with
it; afterwards the desk read only "drucken Sie den neuen Terminbrief". The question names everything else
that changes, and the message after the move says why the patient must get the new letter and that
nothing was sent."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as markup
import re

from clinic.core.holds import HoldPlan
from clinic.services import moves
from clinic.templating import local_datetime
from tests.factories import book, build_clinic, make_ready_referral, make_user
from tests.scheduling.helpers import first_candidates

CLOPIDOGREL = [("clopidogrel", "", dt.date(2026, 11, 22))]


def _buttons(page: str) -> list[tuple[dict, str]]:
    """Each "Move here" form as the browser would post it, with its confirm question."""
    found = []
    for form in re.findall(r'<form method="post" action="[^"]*/reschedule"[^>]*>(.*?)</form>', page, re.S):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        question = re.search(r'value="book" data-confirm="([^"]*)"', form).group(1)
        found.append((fields, markup.unescape(question)))
    return found


def _booked(session, settings, medications=CLOPIDOGREL):
    clinic = build_clinic(session)
    make_user(session, "empfang", {"front_desk"}, "Erika Empfang", language="de")
    referral = make_ready_referral(session, clinic, medications=medications)
    first = first_candidates(session, settings, referral)[0]
    # Booked with the second radiologist and the third bed: the times offered for the move (the first free
    # resources) then change both.
    chosen = dataclasses.replace(first, radiologist_id=clinic.radiologists[1].id, bed_id=clinic.beds[2].id)
    appointment = book(session, settings, referral, chosen)
    session.commit()
    return clinic, appointment


def test_the_move_question_names_the_other_radiologist_bed_and_stop_time(app, session, settings, browser):
    clinic, appointment = _booked(session, settings)
    names = {r.id: r.full_name for r in clinic.radiologists}
    beds = {b.id: b.label for b in clinic.beds}
    old_radiologist, old_bed = names[appointment.radiologist_id], beds[appointment.bed_id]
    plan = moves.hold_plan(session, appointment)
    (item,) = [i for i in plan.items if i.holds]
    browser.login("empfang")
    page = browser.get(f"/desk/appointments/{appointment.id}/reschedule").get_data(as_text=True)
    buttons = _buttons(page)
    assert buttons
    by_radiologist = next((f, q) for f, q in buttons if int(f["radiologist_id"]) != appointment.radiologist_id)
    fields, question = by_radiologist
    assert question.startswith(f"Den Termin von {appointment.patient.display_name} von ")
    assert f"Radiologe/-in {old_radiologist} → {names[int(fields['radiologist_id'])]}" in question, question
    fields, question = next((f, q) for f, q in buttons if int(f["bed_id"]) != appointment.bed_id)
    assert f"Liegeplatz {old_bed} → {beds[int(fields['bed_id'])]}" in question, question
    new_start = dt.datetime.fromisoformat(fields["table_start"])
    with app.test_request_context():
        old_stop = local_datetime(item.last_dose_no_later_than(appointment.table_start))
        new_stop = local_datetime(item.last_dose_no_later_than(new_start))
    assert f"spätestens: {old_stop} → {new_stop}." in question, question
    assert "Clopidogrel" in question
    # The rows mark the resources that differ from the appointment's.
    rows = re.findall(r"<tr>\s*<td class=\"fw-semibold\">.*?</tr>", page, re.S)
    assert rows and all(row.count(">ändert sich</span>") == 2 for row in rows), rows[0]
    # What stays the same is not named as a change.
    for f, q in buttons:
        if int(f["radiologist_id"]) == appointment.radiologist_id:
            assert "Radiologe/-in" not in q
        if int(f["room_id"]) == appointment.room_id:
            assert "Raum " not in q.split("?", 1)[1]


def test_the_message_after_the_move_says_the_patient_needs_the_new_letter_and_nothing_was_sent(
    session, settings, browser
):
    _, appointment = _booked(session, settings)
    browser.login("empfang")
    path = f"/desk/appointments/{appointment.id}/reschedule"
    fields, _question = _buttons(browser.get(path).get_data(as_text=True))[-1]
    moved = browser.post(path, fields, form_page=path)
    assert moved.status_code == 302
    page = markup.unescape(browser.get(moved.headers["Location"], follow_redirects=True).get_data(as_text=True))
    assert "Verschoben auf " in page and "Die alte Zeit ist wieder frei." in page
    assert "Der Patient muss den neuen Terminbrief bekommen" in page
    assert "Zeitpunkte zum Absetzen der Medikamente haben sich geändert" in page
    assert "Dem Patienten wurde nichts geschickt (kein Brief, keine E-Mail)" in page
    assert "Letzte Einnahme von Clopidogrel spätestens:" in page


def test_without_a_paused_drug_the_message_names_only_the_time(session, settings, browser):
    _, appointment = _booked(session, settings, medications=[])
    browser.login("empfang")
    path = f"/desk/appointments/{appointment.id}/reschedule"
    fields, question = _buttons(browser.get(path).get_data(as_text=True))[-1]
    assert "Letzte Einnahme" not in question
    moved = browser.post(path, fields, form_page=path)
    page = markup.unescape(browser.get(moved.headers["Location"], follow_redirects=True).get_data(as_text=True))
    assert "Die Uhrzeit hat sich geändert." in page and "Absetzen" not in page


def test_move_changes_lists_only_what_differs_and_the_stop_time_under_an_override_too(session, settings):
    _clinic, appointment = _booked(session, settings)
    plan = moves.hold_plan(session, appointment)
    same = first_candidates(session, settings, appointment.referral, limit=80)
    later = next(c for c in same if c.table_start > appointment.obs_end)
    changes = moves.move_changes(appointment, later, plan)
    assert [str(s.drug) for s in changes.stops] == ["Clopidogrel"]
    assert changes.stops[0].after - changes.stops[0].before == later.table_start - appointment.table_start
    assert changes.room == (None if later.room_id == appointment.room_id else (appointment.room_id, later.room_id))
    overridden = HoldPlan(plan.bleeding_class, plan.items, override_date=dt.date(2026, 11, 23))
    # Walk 27: an override covers only the drugs without a rule; clopidogrel's stop time still moves.
    assert moves.move_changes(appointment, later, overridden).stops == changes.stops
