"""Staff walk 3b, finding 4: the observation board showed allergies with their English labels ("Allergien:
Contrast medium") on German screens, where the worklist says "Kontrastmittel"."""

from __future__ import annotations

from clinic.models import PreRegistration
from clinic.models.vocab import Role
from tests.factories import make_user
from tests.radiology.day_helpers import day_appointment, to_observation


def test_the_observation_board_shows_allergies_in_the_screens_language(session, settings, browser):
    _clinic, appointment = day_appointment(session, settings, to=to_observation)
    prereg = session.query(PreRegistration).filter_by(referral_id=appointment.referral_id).one()
    prereg.allergy_contrast = True
    prereg.allergy_other = "Pflaster"
    make_user(session, "jonas", {Role.NURSE}, "Jonas Keller", language="de")
    session.commit()
    browser.login("jonas")
    board = browser.get("/observation/").get_data(as_text=True)
    assert "Allergien: Kontrastmittel, Pflaster" in board
    assert "Contrast medium" not in board
