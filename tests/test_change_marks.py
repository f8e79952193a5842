"""The count of committed changes (clinic.core.changes) and the front desk's waiting list kept under it
(issue 20: sorting the 300 waiting referrals cost the start page 150 ms of CPU on every request). The list
must never be older than the data: every committed change, from any session, shows on the next request."""

from __future__ import annotations

import re

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from clinic.core import changes
from clinic.extensions import db
from clinic.models import Patient, PreRegistration
from clinic.services import booking_queue, prereg_items
from tests.factories import acting_as, build_clinic, make_patient, make_ready_referral


def _lists(page: str) -> dict[str, str]:
    """The start page's three lists of waiting referrals, by section id, as their HTML."""
    found = {}
    for name in ("ready-to-book", "not-bookable", "pre-registration-open"):
        match = re.search(rf'<section id="{name}".*?</section>', page, re.S)
        found[name] = match.group(0) if match else ""
    return found


def _start_page(app, browser) -> tuple[dict[str, str], int]:
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = browser.get("/desk/")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return _lists(response.get_data(as_text=True)), len(sent)


def test_each_committed_change_raises_the_mark_and_a_read_does_not(app, session, browser):
    build_clinic(session)
    session.commit()
    epoch, first = changes.current(session)
    browser.login("frontdesk")
    browser.get("/patients/")  # a read of patient data: only its audit row is written
    assert changes.current(session) == (epoch, first + 1)  # the login itself changed the account
    browser.get("/patients/")
    assert changes.current(session) == (epoch, first + 1)
    make_patient(session, family_name="Brandt")
    session.commit()
    assert changes.current(session) == (epoch, first + 2)
    session.execute(update(Patient).where(Patient.family_name == "Brandt").values(phone="+49 40 555 0100"))
    session.commit()  # a bulk UPDATE, past the unit of work, counts too
    assert changes.current(session) == (epoch, first + 3)
    session.commit()  # nothing changed
    assert changes.current(session) == (epoch, first + 3)


def test_the_start_page_shows_every_committed_change_and_reads_nothing_again_without_one(app, session, browser):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, make_patient(session, family_name="Ostermann"), escort_name=None)
    session.commit()
    browser.login("frontdesk")

    lists, first = _start_page(app, browser)
    assert "Ostermann" in lists["pre-registration-open"] and "Ostermann" not in lists["ready-to-book"]
    lists, again = _start_page(app, browser)  # nothing changed: the sorting is not read again
    assert "Ostermann" in lists["pre-registration-open"]
    assert again < first

    staff = clinic.staff["frontdesk"]
    with acting_as(session, staff):
        prereg_items.set_escort(session, staff, referral, name="Jonas Ostermann", phone=None)
    session.commit()
    lists, _ = _start_page(app, browser)
    assert "Ostermann" in lists["ready-to-book"] and "Ostermann" not in lists["pre-registration-open"]

    # A change committed by another process's session shows just the same.
    prereg_id = referral.preregistration.id
    session.commit()  # SQLite: the test's session holds no write lock while the other writes
    with Session(db.engine) as other:
        prereg = other.get(PreRegistration, prereg_id)
        prereg.escort_name = None
        other.commit()
    session.expire_all()
    lists, _ = _start_page(app, browser)
    assert "Ostermann" in lists["pre-registration-open"] and "Ostermann" not in lists["ready-to-book"]


def test_a_sorting_read_by_a_transaction_that_changed_data_is_not_kept(app, session):
    """What a transaction sees of its own changes may yet be rolled back: kept, it would show the others
    a list that never was, under a mark that did not move."""
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    session.commit()
    assert [e.referral_id for e in booking_queue.sorting(session).ready] == [referral.id]

    referral.preregistration.escort_name = None
    session.flush()
    assert [e.referral_id for e in booking_queue.sorting(session).prepare] == [referral.id]
    session.rollback()

    assert [e.referral_id for e in booking_queue.sorting(session).ready] == [referral.id]


def test_a_table_read_once_per_transaction_shows_every_change(app, session):
    """The drug rules' names, read by several parts of a referral's page, are read once a transaction; the
    transaction's own change and another session's committed change are both seen on the next read."""
    from clinic.models import AnticoagulantRule
    from clinic.services import medication

    build_clinic(session)
    session.commit()
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "anticoagulant_rules" in statement:
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = medication.drug_names(session)
        assert medication.drug_names(session) == first
        assert medication.dose_classes(session) == medication.dose_classes(session)
        assert len(sent) == 1  # the names and the dose classes in one read (they were two)
        for rule in session.scalars(select(AnticoagulantRule).where(AnticoagulantRule.drug_code == "clopidogrel")):
            rule.drug_name_de = "Clopidogrel (Plavix)"  # each bleeding class's row of the drug
        assert medication.drug_names(session)["clopidogrel"][1] == "Clopidogrel (Plavix)"  # its own change
        session.rollback()
        assert medication.drug_names(session)["clopidogrel"][1] != "Clopidogrel (Plavix)"
        session.commit()  # the read's transaction ends (SQLite: its lock)
        with Session(db.engine) as other:
            other.execute(
                update(AnticoagulantRule)
                .where(AnticoagulantRule.drug_code == "clopidogrel")
                .values(drug_name_de="Clopidogrel (Iscover)")
            )
            other.commit()
        assert medication.drug_names(session)["clopidogrel"][1] == "Clopidogrel (Iscover)"
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
