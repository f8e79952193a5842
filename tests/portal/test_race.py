"""A patient booking through the link and the front desk booking the same chain at the same moment:
one wins, the other is told the time is taken and gets fresh times; no two active bookings overlap.
Both go through HTTP as they would in production, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import select

from clinic.models import Appointment, BookingHold
from tests.conftest import Browser, csrf_from
from tests.factories import build_clinic, make_patient, make_ready_referral
from tests.scheduling.helpers import overlapping_active_bookings

from .helpers import candidate_from, link_for, open_portal, opened

BIRTH = dt.date(1966, 2, 14)
CHOICE = re.compile(r'name="choice" value="([^"]+)"')


@pytest.mark.parametrize("attempt", range(3))
def test_patient_and_desk_book_the_same_chain_at_once(session, app, attempt):
    clinic = build_clinic(session, texts=True, ct_rooms=1, radiologists=1, beds=1)
    open_portal(session)
    online = make_ready_referral(session, clinic, make_patient(session, birth_date=BIRTH))
    by_phone = make_ready_referral(session, clinic)
    _link, token = link_for(session, online)
    session.commit()

    patient = opened(app, token, BIRTH)
    times = patient.get("/times").get_data(as_text=True)
    choice = CHOICE.findall(times)[0]
    patient_csrf = csrf_from(times)

    desk = Browser(app.test_client())
    desk.login("frontdesk")
    page = desk.get(f"/desk/referrals/{by_phone.id}/book").get_data(as_text=True)
    desk_csrf = csrf_from(page)
    assert session.scalar(select(BookingHold.id)) is None
    # The desk books the very chain the patient was shown first (posting the form its booking page sends).
    first = candidate_from(choice, app)
    desk_form = {
        "csrf_token": desk_csrf,
        "room_id": first.room_id,
        "radiologist_id": first.radiologist_id,
        "bed_id": first.bed_id,
        "table_start": first.table_start.isoformat(),
        "table_end": first.table_end.isoformat(),
        "obs_end": first.obs_end.isoformat(),
        "action": "book",
    }

    online_id, by_phone_id = online.id, by_phone.id
    session.close()  # SQLite: no open transaction of the test may hold the lock the requests need
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def as_patient():
        barrier.wait(timeout=30)
        results["patient"] = patient.client.post(
            f"/p/{token}/times", data={"choice": choice, "csrf_token": patient_csrf}
        )

    def as_desk():
        barrier.wait(timeout=30)
        results["desk"] = desk.client.post(f"/desk/referrals/{by_phone_id}/book", data=desk_form)

    threads = [threading.Thread(target=as_patient), threading.Thread(target=as_desk)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    patient_won = results["patient"].status_code == 302
    desk_won = results["desk"].status_code == 302
    assert patient_won != desk_won, (results["patient"].status_code, results["desk"].status_code)
    if patient_won:
        # The desk was told, with the next free times, and the patient books the held chain.
        assert results["desk"].status_code == 409
        assert "no longer free" in results["desk"].get_data(as_text=True)
        assert patient.post("/confirm", {"action": "book"}).status_code == 302
        winner = online_id
    else:
        answer = results["patient"]
        assert answer.status_code == 409
        html = answer.get_data(as_text=True)
        assert "anderweitig vergeben" in html
        fresh = CHOICE.findall(html)
        assert fresh and fresh[0] != choice  # fresh times, not the taken one
        winner = by_phone_id
    session.expire_all()
    appointments = session.scalars(select(Appointment)).all()
    assert [a.referral_id for a in appointments] == [winner]
    assert appointments[0].table_start == first.table_start
    assert overlapping_active_bookings(session) == []
