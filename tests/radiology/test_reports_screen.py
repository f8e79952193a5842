"""The outcomes and activity report: the published figures beside the clinic's own, in the reader's
language (walk finding: they were English on German screens)."""

from __future__ import annotations

from clinic.services.reports import PUBLISHED
from tests.conftest import Browser, logged_in
from tests.factories import build_clinic, make_user


def test_the_published_figures_read_in_the_readers_language_with_the_same_figures(app, session):
    build_clinic(session)
    make_user(session, "radiologe", {"radiologist"}, "Rita Radiologin", language="de")
    session.commit()
    german, english = logged_in(app, "radiologe", "rad1")

    page = german.get("/radiology/reports").get_data(as_text=True)
    assert "Kontrollierte Studie: 54% hatten nach einem Monat mindestens 50% Linderung" in page
    assert "Die Facettengelenke sind bei etwa 15–45% der chronischen Kreuzschmerzen die Ursache." in page
    assert "die Wirkung hält meist 6–12 Monate an" in page
    assert "keine einzelne Linderungsrate" in page and "keine Linderungsrate zum Vergleich" in page
    for texts in PUBLISHED.values():
        for _kind, text in texts:
            assert str(text) not in page, text  # no English sentence on the German screen

    page = english.get("/radiology/reports").get_data(as_text=True)
    for texts in PUBLISHED.values():
        for _kind, text in texts:
            assert str(text) in page, text
    assert "Controlled trial: 54% had at least 50% relief at one month, against 7–21% in the control groups" in page


def test_the_trials_figure_stands_beside_the_clinics_own_computed_share(app, session, settings):
    """Staff walk: the PRT evidence line gives a fixed "54%" (Ghahreman 2010, checked against the clinical
    facts file: at least 50% relief at one month). The clinic's own share with at least 50% relief (the
    "complete or significant" category) is computed from the recorded outcomes and shown beside it, in the
    reader's number format."""
    import datetime as dt

    from clinic.models import FollowUp
    from clinic.models.vocab import FollowUpKind
    from clinic.services import outcomes
    from tests.conftest import TODAY
    from tests.factories import book, make_ready_referral

    clinic = build_clinic(session)
    for relief in (70, 60, 10):
        appointment = book(session, settings, make_ready_referral(session, clinic), first_day=TODAY, days=28)
        appointment.status = "discharged"
        follow_up = FollowUp(appointment_id=appointment.id, kind=FollowUpKind.TWO_WEEKS, due_on=TODAY, status="due")
        session.add(follow_up)
        session.flush()
        outcomes.record_outcome(
            session,
            None,
            follow_up,
            pain_score=3,
            relief_percent=relief,
            relief_category=None,
            complications=None,
            note=None,
        )
    make_user(session, "radiologe", {"radiologist"}, "Rita Radiologin", language="de")
    session.commit()
    period = f"?from={TODAY.isoformat()}&to={(TODAY + dt.timedelta(days=40)).isoformat()}"
    german, english = Browser(app.test_client()), Browser(app.test_client())
    german.login("radiologe")
    english.login("rad1")

    page = german.get("/radiology/reports" + period).get_data(as_text=True)
    assert "Hier erfasst: 3 Ergebnisse, davon 66,7\xa0% mit mindestens 50\xa0% Linderung" in page
    assert "Kontrollierte Studie: 54% hatten" in page  # the trial's figure, as the facts file gives it
    page = english.get("/radiology/reports" + period).get_data(as_text=True)
    assert "66.7% of 3 outcomes recorded here had at least 50% relief" in page
