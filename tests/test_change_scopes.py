"""What each committed change touched (``change_scopes``) and the start page's sorting read again for the
touched patients only (issue 20). The sorting read again must be the sorting read whole, after every kind
of change, from this session or another; a change to anything shared, or a scope no longer kept, sorts
everything again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from clinic.core import changes
from clinic.extensions import db
from clinic.models import ChangeScope, MedicationEntry, PreRegistration, Referral
from clinic.models.vocab import Priority
from clinic.services import appointments, booking_queue, prereg_items
from clinic.services import settings as clinic_settings
from tests.conftest import TODAY
from tests.factories import acting_as, book, build_clinic, make_patient, make_ready_referral, make_referral


def _sorted(session) -> tuple[booking_queue.Sorting, str]:
    """The sorting as the start page reads it, and how: "again" (the touched patients' referrals only),
    "whole", or "kept" (no statement reading referrals)."""
    wheres: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if "FROM referrals" in statement and "WHERE" in statement and "ORDER BY referrals.received_on" in statement:
            wheres.append(statement.split("WHERE", 1)[1])

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        found = booking_queue.sorting(session)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    if not wheres:
        return found, "kept"
    assert len(wheres) == 1
    return found, "again" if "referrals.patient_id" in wheres[0] else "whole"


def _check(session, expected_way: str) -> booking_queue.Sorting:
    found, way = _sorted(session)
    assert way == expected_way
    whole = booking_queue._sort(session)
    assert found == whole  # every entry, its list, its place, its reason
    session.commit()  # the reads' transaction ends (SQLite: its lock)
    return found


def _ids(entries) -> list[int]:
    return [e.referral_id for e in entries]


def test_each_change_sorts_again_only_its_patients_and_the_result_is_the_whole_sorting(app, session, settings):
    booking_queue.forget()
    clinic = build_clinic(session)
    staff = clinic.staff["frontdesk"]
    anna = make_ready_referral(session, clinic, make_patient(session, family_name="Adler"))
    bernd = make_ready_referral(session, clinic, make_patient(session, family_name="Brandt"), escort_name=None)
    carla = make_ready_referral(session, clinic, make_patient(session, family_name="Claußen"))
    dora_patient = make_patient(session, family_name="Dietz")
    dora = make_ready_referral(session, clinic, dora_patient)
    dora.received_on = TODAY - dt.timedelta(days=30)
    session.commit()
    first = _check(session, "whole")
    assert bernd.id in _ids(first.prepare) and {anna.id, carla.id, dora.id} <= set(_ids(first.ready))
    _check(session, "kept")

    with acting_as(session, staff):  # the escort named: Brandt moves to ready, in received order
        prereg_items.set_escort(session, staff, bernd, name="Jonas Brandt", phone=None)
    session.commit()
    assert bernd.id in _ids(_check(session, "again").ready)

    appointment = book(session, settings, anna, first_day=TODAY + dt.timedelta(days=7))  # booked: off the lists
    session.commit()
    assert anna.id not in _ids(_check(session, "again").ready)

    appointments.cancel(session, settings, None, appointment, "Patientin hat abgesagt")  # back, with its last
    session.commit()
    back = _check(session, "again")
    assert [e.last_id for e in back.ready if e.referral_id == anna.id] == [appointment.id]

    carla.priority = Priority.URGENT  # the order changes: urgent first
    session.commit()
    assert _ids(_check(session, "again").ready)[0] == carla.id

    with acting_as(session, staff):  # a drug two tables below the referral: medication → pre-registration
        prereg_items.add_medication(session, staff, dora, drug_code="clopidogrel", dose_class="", last_dose_on=None)
    session.commit()
    _check(session, "again")
    entry_id = session.scalar(select(MedicationEntry.id).where(MedicationEntry.drug_code == "clopidogrel"))
    with acting_as(session, staff):
        prereg_items.remove_medication(session, staff, dora, entry_id)  # a row deleted
    session.commit()
    _check(session, "again")

    emil = make_ready_referral(session, clinic, make_patient(session, family_name="Ebert"))  # a new patient
    make_referral(session, dora_patient)  # Dietz's second referral, not accepted yet: on no list
    session.commit()
    assert emil.id in _ids(_check(session, "again").ready)

    # Another process's session: its change shows just the same.
    prereg_id = emil.preregistration.id
    session.commit()  # SQLite: the test's session holds no lock while the other writes
    with Session(db.engine) as other:
        other.get(PreRegistration, prereg_id).escort_name = None
        other.commit()
    session.expire_all()
    assert emil.id in _ids(_check(session, "again").prepare)

    # A setting belongs to no patient: everything is sorted again.
    with acting_as(session, clinic.staff["admin"]):
        assert clinic_settings.update(session, clinic.staff["admin"], {"clinic_name": "Stadtpark"})
    session.commit()
    _check(session, "whole")


def test_a_scope_not_kept_sorts_everything_again(app, session):
    booking_queue.forget()
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic)
    session.commit()
    _check(session, "whole")
    referral.priority = Priority.SOON
    session.commit()
    session.execute(delete(ChangeScope))  # kept only for the last changes: these are gone
    session.commit()
    _check(session, "whole")


def test_a_scope_names_the_patients_a_booking_touched_and_no_table_the_sorting_reads(app, session, settings):
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, make_patient(session, family_name="Adler"))
    make_ready_referral(session, clinic, make_patient(session, family_name="Brandt"))
    session.commit()
    before = changes.current(session)
    book(session, settings, referral, first_day=TODAY + dt.timedelta(days=7))
    session.commit()
    now = changes.current(session)
    touched = changes.touched(session, before, now)
    assert touched == changes.Touched(frozenset({referral.patient_id}), touched.tables)
    assert touched.tables <= booking_queue.NOT_READ
    assert changes.touched(session, (before[0], before[1] - changes.KEPT - 1), now) is None
    assert changes.touched(session, ("another-epoch", before[1]), now) is None


def test_the_sorting_reads_no_table_it_says_it_does_not(app, session, settings):
    """A change to those tables alone keeps the sorting: it must never read them."""
    clinic = build_clinic(session)
    booked = make_ready_referral(session, clinic)
    appointment = book(session, settings, booked, first_day=TODAY + dt.timedelta(days=7))
    appointments.cancel(session, settings, None, appointment, "abgesagt")
    make_ready_referral(session, clinic, escort_name=None)
    make_ready_referral(session, clinic, medications=[("apixaban", "therapeutic", TODAY)])
    session.commit()
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        found = booking_queue._sort(session)
        booking_queue.waiting(session, found.ready + found.blocked + found.prepare)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert found.ready and found.prepare
    assert len(sent) > 5
    for table in booking_queue.NOT_READ:
        assert not [s for s in sent if table in s], table


def test_a_referral_moved_to_another_patient_leaves_the_first_patients_list(app, session):
    booking_queue.forget()
    clinic = build_clinic(session)
    referral = make_ready_referral(session, clinic, make_patient(session, family_name="Adler"))
    other = make_patient(session, family_name="Adler-Brandt")
    session.commit()
    _check(session, "whole")
    session.get(Referral, referral.id).patient = other  # both patients are in the scope
    session.commit()
    found = _check(session, "again")
    assert [e.patient_id for e in found.ready] == [other.id]
