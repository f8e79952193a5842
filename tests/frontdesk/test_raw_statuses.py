"""Staff walk: statuses shown as stored (English words, codes) on German screens: the PACS retrievals
panel and the scanner's report on the procedure page say them in the screen's language."""

from __future__ import annotations

from clinic.services import pacs_retrievals
from tests.conftest import Browser
from tests.factories import build_clinic, make_referral, make_user

STUDY = "1.2.826.0.1.3680043.8.498.1"


def test_the_pacs_retrievals_panel_names_each_status_in_the_screens_language(app, session):
    build_clinic(session)
    referral = make_referral(session)
    _first, _second, third = pacs_retrievals.request(
        session, None, referral, [(STUDY + "1", {}), (STUDY + "2", {}), (STUDY + "3", {})]
    )
    claimed = pacs_retrievals.claim_next(session)
    pacs_retrievals.progress(session, claimed.id, 4, 10)
    pacs_retrievals.claim_next(session)
    pacs_retrievals.fail(session, third.id, "The PACS was down.")
    make_user(session, "desk_de", {"front_desk"}, "Frieda Empfang", language="de")
    session.commit()
    german, english = Browser(app.test_client()), Browser(app.test_client())
    german.login("desk_de")
    english.login("frontdesk")
    part = german.get(f"/desk/referrals/{referral.id}/pacs/retrievals").get_data(as_text=True)
    for word in ("Wird abgerufen", "Fehlgeschlagen"):
        assert f">{word}</span>" in part, word
    for word in ("Retrieving", "Failed", "Waiting"):
        assert f">{word}</span>" not in part, word
    part = english.get(f"/desk/referrals/{referral.id}/pacs/retrievals").get_data(as_text=True)
    assert ">Retrieving</span>" in part and ">Failed</span>" in part
