"""The medication hold table: edits, verification by a named clinician, and unverified rows shown."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from clinic.models import AnticoagulantRule

from .helpers import count, form_refusals, text


def _rule(session, drug: str, bleeding: str, dose: str = "") -> AnticoagulantRule:
    session.expire_all()
    return session.scalar(
        select(AnticoagulantRule).where(
            AnticoagulantRule.drug_code == drug,
            AnticoagulantRule.bleeding_class == bleeding,
            AnticoagulantRule.dose_class == dose,
        )
    )


def _form(rule: AnticoagulantRule, **kw) -> dict:
    data = {
        "action": rule.action,
        "hold_hours": "" if rule.hold_hours is None else str(rule.hold_hours),
        "restart_hours": "" if rule.restart_hours is None else str(rule.restart_hours),
        "evidence": rule.evidence,
        "note": rule.note or "",
    }
    if rule.requires_inr:
        data["requires_inr"] = "y"
    data.update(kw)
    return data


def test_the_table_shows_drugs_by_bleeding_class_with_unverified_badges(session, clinic, admin):
    page = text(admin.get("/admin/hold-rules"))
    assert "Apixaban" in page and "Intermediate bleeding risk" in page
    assert "Unverified" in page and "hold 3 days" in page
    assert "Apixaban" in text(admin.get("/admin/hold-rules?q=apix"))
    assert "Warfarin" not in text(admin.get("/admin/hold-rules?q=apix"))


def test_verify_then_an_edit_of_the_figures_clears_it(session, clinic, admin):
    rule = _rule(session, "apixaban", "high")
    url = f"/admin/hold-rules/{rule.id}"
    verified = admin.post(f"{url}/verify", {"clinician": "Dr. Anna Berg", "checked": "y"}, form_page=url)
    assert verified.status_code == 302
    rule = _rule(session, "apixaban", "high")
    assert rule.verified_by == "Dr. Anna Berg" and rule.verified_at is not None
    assert "Verified: Dr. Anna Berg" in text(admin.get("/admin/hold-rules"))

    note_only = admin.post(url, _form(rule, note="Checked against the 2018 guideline."))
    assert note_only.status_code == 302
    assert _rule(session, "apixaban", "high").verified  # a note is not a figure

    figures = admin.post(url, _form(rule, hold_hours="96"))
    assert figures.status_code == 302
    rule = _rule(session, "apixaban", "high")
    assert rule.hold_hours == 96 and not rule.verified and rule.verified_at is None
    assert "no longer marked as verified" in text(admin.get(url))


def test_unverify(session, clinic, admin):
    rule = _rule(session, "apixaban", "high")
    url = f"/admin/hold-rules/{rule.id}"
    admin.post(f"{url}/verify", {"clinician": "Dr. Anna Berg", "checked": "y"}, form_page=url)
    assert admin.post(f"{url}/unverify", {}, form_page=url).status_code == 302
    assert not _rule(session, "apixaban", "high").verified


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"clinician": "", "checked": "y"}, "Type the full name of the clinician who checked this row."),
        ({"clinician": "AB", "checked": "y"}, "3 to 120 characters"),
        ({"clinician": "Dr. Anna Berg"}, "Confirm that the clinician has checked the row."),
    ],
)
def test_verification_needs_a_name_and_a_confirmation(session, clinic, admin, data, message):
    rule = _rule(session, "apixaban", "high")
    url = f"/admin/hold-rules/{rule.id}"
    response = admin.post(f"{url}/verify", data, form_page=url)
    assert response.status_code == 422 and message in text(response)
    assert not _rule(session, "apixaban", "high").verified


@form_refusals(
    [
        ({"action": "hold", "hold_hours": ""}, "A hold needs the number of hours before the procedure."),
        ({"action": "hold", "hold_hours": "0"}, "A hold lasts 1 to 720 hours (30 days)."),
        ({"action": "hold", "hold_hours": "800"}, "A hold lasts 1 to 720 hours (30 days)."),
        ({"action": "no_hold", "hold_hours": "24"}, "Only a hold has hours before the procedure"),
        ({"action": "no_hold", "hold_hours": "", "requires_inr": "y"}, "An INR check belongs to a hold."),
        ({"restart_hours": "-1"}, "Restart within 0 to 720 hours."),
        ({"action": "pray"}, "Choose hold, no hold or shared assessment."),
        ({"evidence": "Q"}, "Choose the kind of evidence."),
    ],
)
def test_rule_form_errors_save_nothing(session, clinic, admin, change, message):
    rule = _rule(session, "apixaban", "high")
    before = (rule.action, rule.hold_hours, rule.restart_hours, rule.requires_inr)
    response = admin.post(f"/admin/hold-rules/{rule.id}", _form(rule, **change))
    assert response.status_code == 422 and message in text(response)
    rule = _rule(session, "apixaban", "high")
    assert (rule.action, rule.hold_hours, rule.restart_hours, rule.requires_inr) == before


def test_a_new_row_is_added_unverified_and_duplicates_refused(session, clinic, admin):
    data = {
        "drug_code": "cangrelor",
        "drug_name_en": "Cangrelor",
        "drug_name_de": "Cangrelor",
        "dose_class": "iv",
        "bleeding_class": "high",
        "action": "hold",
        "hold_hours": "144",
        "restart_hours": "24",
        "evidence": "S",
        "note": "",
    }
    before = count(session, AnticoagulantRule)
    assert admin.post("/admin/hold-rules/new", data).status_code == 302
    added = _rule(session, "cangrelor", "high", "iv")
    assert added.hold_hours == 144 and not added.verified
    again = admin.post("/admin/hold-rules/new", data)
    assert again.status_code == 422 and "There is already a row for this drug" in text(again)
    bad = admin.post("/admin/hold-rules/new", {**data, "drug_code": "Cangre lor"})
    assert bad.status_code == 422 and "A drug code is 2 to 40 small letters" in text(bad)
    assert count(session, AnticoagulantRule) == before + 1


def test_a_rules_note_is_kept_in_english_and_german_and_each_screen_shows_its_own(session, clinic, admin, app):
    """The seeded notes were English only: a German admin read "Primary prevention. ..." in the rule's form."""
    from tests.admin.test_german import _german_admin

    rule = _rule(session, "aspirin", "intermediate", "primary")
    assert rule.note == "Primary prevention. Intermediate risk: shared assessment with the prescriber."
    assert rule.note_de == (
        "Primärprävention. Mittleres Risiko: gemeinsame Abwägung mit der verordnenden Ärztin oder dem "
        "verordnenden Arzt."
    )
    assert (rule.note_in("de"), rule.note_in("en")) == (rule.note_de, rule.note)

    url = f"/admin/hold-rules/{rule.id}"
    german = _german_admin(session, app)
    form = html.unescape(text(german.get(url)))
    assert "Notiz (Englisch)" in form and "Notiz (Deutsch)" in form
    assert f"{rule.note_de}</textarea>" in form and f"{rule.note}</textarea>" in form

    saved = german.post(url, _form(rule, note="Checked.", note_de="Geprüft."))
    assert saved.status_code == 302
    rule = _rule(session, "aspirin", "intermediate", "primary")
    assert (rule.note, rule.note_de) == ("Checked.", "Geprüft.")
    only_english = german.post(url, _form(rule, note="Checked again.", note_de=""))
    assert only_english.status_code == 302
    rule = _rule(session, "aspirin", "intermediate", "primary")
    assert rule.note_de is None and rule.note_in("de") == "Checked again."  # the English one rather than none

    data = {
        "drug_code": "cangrelor",
        "drug_name_en": "Cangrelor",
        "drug_name_de": "Cangrelor",
        "dose_class": "iv",
        "bleeding_class": "high",
        "action": "hold",
        "hold_hours": "6",
        "restart_hours": "24",
        "evidence": "S",
        "note": "Intravenous.",
        "note_de": "Intravenös.",
    }
    assert admin.post("/admin/hold-rules/new", data).status_code == 302
    added = _rule(session, "cangrelor", "high", "iv")
    assert (added.note, added.note_de) == ("Intravenous.", "Intravenös.")


def test_a_hold_plan_gives_the_rules_note_in_the_screens_language(session, clinic):
    from clinic.models import MedicationEntry
    from clinic.models.vocab import BleedingClass
    from clinic.services import medication

    entry = MedicationEntry(drug_code="warfarin", dose_class="")
    german = medication.item_for(session, entry, BleedingClass.HIGH, "de")
    english = medication.item_for(session, entry, BleedingClass.HIGH, "en")
    assert (german.note, english.note) == ("Normaler INR-Wert vor dem Eingriff.", "Normal INR before the procedure.")
