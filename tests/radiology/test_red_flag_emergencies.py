"""Staff walk 3b, finding 1: a cauda-equina emergency referral sat last under "Dringend und Warnzeichen",
below older infection and tumour flags, with the same red badge; clearing a red flag took "x" without asking."""

from __future__ import annotations

import datetime as dt
import re

from clinic.models import RedFlagAnswer
from clinic.models.vocab import Role
from tests.factories import build_clinic, make_patient, make_referral, make_user


def test_emergency_red_flags_come_first_on_the_triage_queue_with_their_own_badge(session, browser):
    build_clinic(session)
    make_user(session, "anna", {Role.RADIOLOGIST}, "Dr. Anna Berg", language="de")
    infection = make_referral(session, make_patient(session, family_name="Infekt"), received_on=dt.date(2026, 11, 2))
    infection.red_flags.append(RedFlagAnswer(code="infection", present=True))
    tumour = make_referral(session, make_patient(session, family_name="Tumorfall"), received_on=dt.date(2026, 11, 3))
    tumour.red_flags.append(RedFlagAnswer(code="tumour", present=True))
    cauda = make_referral(session, make_patient(session, family_name="Kauda"), received_on=dt.date(2026, 11, 20))
    cauda.red_flags.append(RedFlagAnswer(code="bladder_bowel", present=True))
    session.commit()
    browser.login("anna")
    page = browser.get("/radiology/triage").get_data(as_text=True)
    urgent = page.split("Dringend und Warnzeichen")[1].split("</table>")[0]
    rows = re.findall(r"<tr data-href.*?</tr>", urgent, re.S)
    assert ["Kauda" in rows[0], "Infekt" in rows[1], "Tumorfall" in rows[2]] == [True, True, True]
    assert "Notfall" in rows[0]
    assert "Notfall" not in rows[1] and "Notfall" not in rows[2]


def test_clearing_a_red_flag_needs_a_real_reason_at_the_field_and_asks_first(session, browser):
    build_clinic(session)
    referral = make_referral(session)
    flag = RedFlagAnswer(code="tumour", present=True)
    referral.red_flags.append(flag)
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    page = browser.get(path).get_data(as_text=True)
    assert re.search(r'<button[^>]*data-confirm="[^"]*red flag as reviewed[^"]*"[^>]*>Reviewed</button>', page)
    response = browser.post(f"/radiology/red-flags/{flag.id}/clear", {"clear-reason": "x"}, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the reason in words (at least 10 characters)" in html
    assert re.search(rf'class="[^"]*is-invalid[^"]*" id="clear-{flag.id}"[^>]*value="x"', html)
    session.expire_all()
    assert session.get(RedFlagAnswer, flag.id).cleared_at is None
    response = browser.post(
        f"/radiology/red-flags/{flag.id}/clear", {"clear-reason": "Cancer treated 2010, no recurrence"}, form_page=path
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(RedFlagAnswer, flag.id).clearance_note == "Cancer treated 2010, no recurrence"
