"""Walk finding (5 December): the German screens called the medication hold "Pause" and "Pausierung" on one
row of the call list ("Letzte Dosis zu spät für die Pause" beside "zu spät für die Pausierung"). Staff texts
about the hold say "Pausierung" (the patient's letters may say "Pause": they are not in the catalogue)."""

from __future__ import annotations

import datetime as dt
import re

from babel.messages.pofile import read_po
from sqlalchemy import select

from clinic.config import PROJECT_ROOT
from clinic.core.timefmt import to_local
from clinic.models import AnticoagulantRule
from clinic.services import hold_rules
from tests.conftest import NOW, ZONE
from tests.factories import book, build_clinic, german_desk, make_ready_referral

CATALOGUE = PROJECT_ROOT / "clinic" / "translations" / "de" / "LC_MESSAGES" / "messages.po"
ABOUT_THE_HOLD = re.compile(r"\bhold\b|\bpause\b", re.I)
PAUSE = re.compile(r"\bPause\b|Medikamentenpause\b")


def test_the_catalogue_says_pausierung_for_the_medication_hold():
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    found = []
    for message in catalogue:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if msgid and ABOUT_THE_HOLD.search(msgid) and any(PAUSE.search(s or "") for s in strings):
            found.append(msgid)
    assert found == []


def test_the_call_list_row_names_the_hold_one_way(session, settings, browser):
    clinic = build_clinic(session, texts=True)
    for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "apixaban")):
        hold_rules.verify(session, None, rule, "Dr. Hanna Berg", at=NOW)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral, limit=1, first_day=dt.date(2026, 12, 3))
    day = to_local(appointment.table_start, ZONE).date() - dt.timedelta(days=1)
    german_desk(session, browser)
    path = f"/desk/referrals/{referral.id}"
    form = {"med-drug_code": "apixaban|", "med-last_dose_on": day.isoformat()}
    assert browser.post(f"{path}/medication", form, form_page=path).status_code == 302
    page = browser.get("/desk/medication-calls").get_data(as_text=True)
    row = page.split("<tbody>")[1].split("</tr>")[0]
    assert "Letzte Einnahme zu spät für die Pausierung" in row and "zu spät für die Pausierung" in row
    assert "den Termin verschieben" in row and "hebt die Pausierung auf" not in row
    assert not PAUSE.search(row) and "Dosis" not in row
