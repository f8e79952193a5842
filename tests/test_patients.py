"""Patient search: name prefixes ignoring case and accents, date of birth, clinic number; paging."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.services import patients as patient_service
from tests.factories import build_clinic, make_patient


@pytest.fixture
def people(session):
    build_clinic(session)
    rows = {
        "müller": make_patient(
            session, family_name="Müller", given_name="Jürgen", birth_date=dt.date(1958, 2, 3), clinic_number="P-400001"
        ),
        "mueller": make_patient(session, family_name="Mueller", given_name="Hans", birth_date=dt.date(1970, 5, 6)),
        "nowak": make_patient(session, family_name="Nowak", given_name="Łukasz", birth_date=dt.date(1981, 7, 8)),
        "dahl": make_patient(session, family_name="Dahl", given_name="Søren", birth_date=dt.date(1966, 9, 10)),
        "strauss": make_patient(session, family_name="Strauß", given_name="Zoë", birth_date=dt.date(1949, 11, 12)),
        "lefevre": make_patient(session, family_name="Lefèvre", given_name="Hélène", birth_date=dt.date(1990, 1, 2)),
        "double": make_patient(session, family_name="Meyer-Lüdenscheidt", given_name="Anna Karla"),
        "groesser": make_patient(session, family_name="Grösser", given_name="Paul"),
        "strasse": make_patient(session, family_name="Strasse", given_name="Eva"),
    }
    session.commit()
    return rows


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("müller", {"müller", "mueller"}),
        ("MULLER", {"müller", "mueller"}),
        # German spellings fold both ways: ü/ue, ö/oe, ä/ae, ß/ss (issue 21, item 6).
        ("mül", {"müller", "mueller"}),
        ("mueller", {"müller", "mueller"}),
        ("MÜLLER", {"müller", "mueller"}),
        ("lüdenscheidt", {"double"}),
        ("ludenscheidt", {"double"}),
        ("luedenscheidt", {"double"}),
        ("meyer-lü", {"double"}),
        ("meyer", {"double"}),
        ("karl", {"double"}),
        ("groesser", {"groesser"}),
        ("größer", {"groesser"}),
        ("strasse", {"strasse"}),
        ("straße", {"strasse"}),
        ("mu", {"müller", "mueller"}),
        ("lukasz", {"nowak"}),
        ("ŁUKASZ nowak", {"nowak"}),
        ("soren", {"dahl"}),
        ("Søren", {"dahl"}),
        ("strauss", {"strauss"}),
        ("STRAUß", {"strauss"}),
        ("zoe", {"strauss"}),
        ("lefevre helene", {"lefevre"}),
        ("03.02.1958", {"müller"}),
        ("mu 1970-05-06", {"mueller"}),
        ("P-400001", {"müller"}),
        ("xyz", set()),
        ("%", set()),
    ],
)
def test_search_ignores_case_and_accents(session, people, query, expected):
    found = {p.id for p in patient_service.search(session, query)}
    assert found == {people[key].id for key in expected}


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (("Müller", "Zoë"), ("Mueller", "Zoe")),
        (("Mueller", "Zoe"), ("Müller", "Zoë")),
        (("Strauß", "Jürgen"), ("STRAUSS", "juergen")),
        (("Schäfer", "Björn"), ("Schaefer", "Bjoern")),
    ],
)
def test_duplicate_check_folds_german_spellings(session, people, stored, typed):
    """Issue 21, item 6: "Mueller, Zoe" is the likely duplicate of "Müller, Zoë" born the same day."""
    patient = make_patient(session, family_name=stored[0], given_name=stored[1], birth_date=dt.date(1977, 4, 5))
    session.commit()
    found = patient_service.likely_duplicates(session, typed[0], typed[1], dt.date(1977, 4, 5))
    assert [p.id for p in found] == [patient.id]
    assert patient_service.likely_duplicates(session, typed[0], typed[1], dt.date(1977, 4, 6)) == []


def test_impossible_date_is_a_clear_error(session, people):
    with pytest.raises(patient_service.InvalidInput, match="not a real date"):
        patient_service.search(session, "31.02.1960")


def test_patient_list_searches_by_post_and_pages(session, browser, people):
    for n in range(30):
        make_patient(session, family_name=f"Zander{n:02d}", given_name="Ödön")
    session.commit()
    browser.login("frontdesk")
    browser.post("/patients/", {"q": "zander"})
    first = browser.get("/patients/").get_data(as_text=True)
    assert "Zander00" in first and "Zander29" not in first and "30 patients found" in first
    second = browser.get("/patients/?page=2").get_data(as_text=True)
    assert "Zander29" in second
    nothing = browser.post("/patients/", {"q": "qqqq"}, follow_redirects=True).get_data(as_text=True)
    assert "No patient matches" in nothing


def test_new_referral_on_a_patients_page_is_for_that_patient(session, browser, people):
    """Walk finding 23: the link opened the form for a brand-new patient (the id went into the query)."""
    patient = people["nowak"]
    browser.login("frontdesk")
    page = browser.get(f"/patients/{patient.id}").get_data(as_text=True)
    target = f"/desk/patients/{patient.id}/referrals/new"
    assert f'href="{target}"' in page
    form = browser.get(target).get_data(as_text=True)
    assert "Nowak" in form and 'id="family_name"' not in form


def test_a_patients_page_links_only_to_pages_the_reader_may_open(session, settings, client):
    """Found in the walk: the nurse's patient page linked each referral to the referral page, which the
    nurse may not open ("not allowed"). The front desk and the radiologist may, and keep the link."""
    from tests.conftest import Browser
    from tests.factories import book, make_ready_referral

    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    appointment = book(session, settings, referral)
    session.commit()
    for user, may_open_referral in (("nurse", False), ("rad1", True), ("frontdesk", True)):
        browser = Browser(client.application.test_client())  # a fresh session per user
        browser.login(user)
        page = browser.get(f"/patients/{referral.patient_id}").get_data(as_text=True)
        assert (f"/desk/referrals/{referral.id}" in page) is may_open_referral, user
        assert browser.get(f"/desk/referrals/{referral.id}").status_code == (200 if may_open_referral else 403)
        assert f"/desk/appointments/{appointment.id}" in page, user  # every clinical role may open it
        assert browser.get(f"/desk/appointments/{appointment.id}").status_code == 200
