"""Staff walk (de-DE, screens 26): the audit trail showed a confirmed medication plan as its raw key
("intermediate;apixaban//hold/72/24/0;aspirin/secondary/share…"), and a changed medicine by its codes. The
trail says the plan in words: the bleeding class, each drug by its name with its dose and rule, a recorded last
dose as a date; a key the trail shortened ends in "…" after the drug it cut."""

from __future__ import annotations

import datetime as dt
import html as markup
import re

from clinic.core.holds import read_key
from clinic.services import medication, prereg_items
from tests.conftest import ZONE, logged_in
from tests.factories import build_clinic, make_ready_referral, make_user

CODES = ("intermediate", "apixaban", "aspirin", "secondary", "shared_assessment", "/hold/", "2026-11-", "/24/0")


def _trail(app, session) -> str:
    make_user(session, "verwaltung", {"admin"}, "Greta Verwaltung", language="de")
    session.commit()
    (german,) = logged_in(app, "verwaltung")
    rows = german.get("/admin/audit").get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", rows)).split())


def test_the_audit_trail_says_a_confirmed_medication_plan_in_words(app, session):
    clinic = build_clinic(session)
    referral = make_ready_referral(
        session, clinic, medications=[("apixaban", "", dt.date(2026, 11, 19)), ("aspirin", "secondary", None)]
    )
    medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    trail = _trail(app, session)
    # apixaban and aspirin: two blood thinners, so the PRT is handled one tier higher (procedures.md §1.1)
    said = (
        "Blutungsrisiko: Hoch · Apixaban: 3 Tage (72 Stunden) pausieren, Wiederbeginn nach 24 Stunden, "
        "letzte Einnahme am 19.11.2026 · Acetylsalicylsäure (ASS) (Sekundärprävention): gemeinsame Abwägung"
    )
    assert f"Medikamentenplan: {said}" in trail, trail
    # the referral's own change keeps the key shortened: read up to the drug it cut
    assert "Bestätigter Medikamentenplan: – → Blutungsrisiko: Hoch · Apixaban: 3 Tage" in trail
    assert "am 19.11.2026 · Acetylsalicylsäure (ASS) …" in trail
    for code in CODES:
        assert code not in trail, code


def test_a_lapsed_plan_names_the_medicine_and_its_dose_in_words(app, session):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, medications=[("apixaban", "", dt.date(2026, 11, 19))])
    medication.confirm_plan(session, clinic.radiologists[0], referral, ZONE)
    desk = clinic.staff["frontdesk"]
    prereg_items.add_medication(
        session, desk, referral, drug_code="aspirin", dose_class="secondary", last_dose_on=dt.date(2026, 11, 20)
    )
    trail = _trail(app, session)
    assert "Medikament: Acetylsalicylsäure (ASS)" in trail, trail
    assert "Dosis: Sekundärprävention" in trail and "Letzte Einnahme am: 20.11.2026" in trail
    for code in CODES:
        assert code not in trail, code


def test_a_key_cut_short_is_read_up_to_the_drug_it_cut():
    bleeding, items, cut = read_key("intermediate;apixaban//hold/72/24/0;aspirin/secondary/share…")
    assert bleeding == "intermediate" and [i.drug_code for i in items] == ["apixaban"] and cut == "aspirin"
    assert items[0].hold_hours == 72 and items[0].restart_hours == 24 and not items[0].requires_inr
    assert read_key("intermediate;apixaban//hold/72/24/0")[2] is None
    assert read_key("intermediate;apixaban//hold/72/24/0…")[1:] == ([], "apixaban")
    assert read_key("interm…") == (None, [], "")
