"""The outcomes and activity report: the published figures beside the clinic's own, in the reader's
language (walk finding: they were English on German screens)."""

from __future__ import annotations

from clinic.services.reports import PUBLISHED
from tests.conftest import logged_in
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
