"""`flask seed-demo`: a believable demo clinic, and running it twice changes nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Appointment, Closure, ObservationBed, Patient, Referral, Room, StudyFile, User
from clinic.models.vocab import ReferralStatus
from clinic.services import accounts


def _counts(session) -> dict[str, int]:
    return {t.name: session.execute(select(func.count()).select_from(t)).scalar() for t in db.metadata.sorted_tables}


def test_seed_demo_twice(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo clinic created." in first.output
    session.expire_all()
    before = _counts(session)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    session.expire_all()
    assert _counts(session) == before

    assert before["patients"] == 150
    assert [r.modality for r in session.scalars(select(Room).order_by(Room.sort_order))] == ["CT", "CT", "MRI"]
    assert session.scalar(select(func.count(ObservationBed.id))) == 6
    radiologists = session.scalars(select(User).join(User.role_rows).where(User.role_rows.any(role="radiologist")))
    qualifications = {u.username: {p.code for p in u.qualifications} for u in radiologists}
    assert len(qualifications) == 4 and len({frozenset(q) for q in qualifications.values()}) == 4
    for name in ("frontdesk", "radiologist", "nurse", "admin", "frontdesk_en"):
        assert accounts.authenticate(session, name, "demo").username == name
    # Issue 17: the demo speaks German, but for one English front desk (README.md names it).
    languages = dict(session.execute(select(User.username, User.language)).all())
    assert [name for name, language in languages.items() if language == "en"] == ["frontdesk_en"]
    assert set(languages.values()) == {"de", "en"}
    statuses = set(session.scalars(select(Referral.status)))
    assert {
        ReferralStatus.RECEIVED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.INFO_REQUESTED,
    } <= statuses
    appointment_statuses = set(session.scalars(select(Appointment.status)))
    # One busy day ahead (the walk asked for one): the calendar, the worklist and the board full.
    booked_days = Counter(a.table_start.date() for a in session.scalars(select(Appointment)))
    assert max(booked_days.values()) >= 20, booked_days
    assert {"booked", "discharged", "cancelled", "no_show"} <= appointment_statuses
    assert session.scalar(select(func.count(Closure.id)).where(Closure.scope == "clinic")) >= 1
    names = " ".join(f"{p.family_name} {p.given_name}" for p in session.scalars(select(Patient)))
    for letter in "äöüßłøé":
        assert letter in names.lower(), letter
    assert session.scalar(select(func.count(StudyFile.id))) > 0


def test_the_demo_records_nothing_later_than_the_moment_it_is_built(app, session):
    """Walk finding: seeded at 07:19, the demo showed a check-in at 07:41 for an 08:00 appointment. Built in
    the middle of a clinic day, no step of any appointment lies after the moment the demo is built."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from clinic.core import clock
    from clinic.models import AppointmentEvent, Consent, ObservationCheck, ProcedureRecord

    built = dt.datetime(2026, 11, 23, 7, 40, tzinfo=ZoneInfo("Europe/Berlin"))  # the first patients arriving
    clock.pin(built)  # the autouse fixture pins the suite's clock again afterwards
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    session.expire_all()
    times = {
        "events": session.scalar(select(func.max(AppointmentEvent.at))),
        "status changes": session.scalar(select(func.max(Appointment.status_changed_at))),
        "consents signed": session.scalar(select(func.max(Consent.signed_at))),
        "records signed": session.scalar(select(func.max(ProcedureRecord.signed_at))),
        "observation checks": session.scalar(select(func.max(ObservationCheck.at))),
    }
    later = {name: at for name, at in times.items() if at is not None and _aware(at) > built}
    assert later == {}
    # The first patients of the day, due within the next 45 minutes, are checked in.
    assert "checked_in" in set(session.scalars(select(Appointment.status)))


def _aware(at):
    import datetime as dt

    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def test_the_demo_books_no_patient_two_steroid_injections_within_a_week(app, session):
    """The demo went through the booking service, but picked its patients in turn with no look at their other
    appointments: one patient had two PRTs days apart. Steroid injections of one patient lie a week apart
    (scheduling/steroid.py); the demo keeps a patient's appointments a week apart and still fills its busy day."""
    import datetime as dt
    from itertools import pairwise

    from clinic.models import ProcedureType
    from clinic.scheduling.steroid import MIN_INTERVAL_DAYS, gives_steroid

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    session.expire_all()
    rows = session.execute(
        select(Appointment.patient_id, Appointment.table_start, Appointment.stage, ProcedureType.code)
        .join(ProcedureType, ProcedureType.id == Appointment.procedure_type_id)
        .where(Appointment.status.not_in(("cancelled", "no_show")))
        .order_by(Appointment.patient_id, Appointment.table_start)
    ).all()
    days: dict[int, list[dt.date]] = {}
    for patient_id, table_start, stage, code in rows:
        if gives_steroid(code, stage):
            days.setdefault(patient_id, []).append(table_start.date())
    close = {
        patient_id: found
        for patient_id, found in days.items()
        if any((later - earlier).days < MIN_INTERVAL_DAYS for earlier, later in pairwise(found))
    }
    assert close == {}
    booked_days = Counter(start.date() for _, start, _, _ in rows)
    assert max(booked_days.values()) >= 20, booked_days


def test_the_demo_cancels_appointments_before_their_day_and_names_fit_the_sex(app, session):
    """Walk 20: the start page said "Termin vom 02.11.2026 abgesagt am 05.12.2026" (cancelled after the day,
    stamped with the moment the demo was built), and "Sören" was on the list of women's names."""
    from clinic import demo_data
    from clinic.models import AppointmentEvent, Patient

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    session.expire_all()
    cancelled = session.scalars(select(Appointment).where(Appointment.status == "cancelled")).all()
    assert cancelled
    for appointment in cancelled:
        assert _aware(appointment.status_changed_at) < _aware(appointment.table_start), appointment.reference
        last = session.scalars(
            select(AppointmentEvent)
            .where(AppointmentEvent.appointment_id == appointment.id)
            .order_by(AppointmentEvent.id.desc())
        ).first()
        assert last.to_status == "cancelled" and last.at == appointment.status_changed_at
    assert not set(demo_data.GIVEN_NAMES_F) & set(demo_data.GIVEN_NAMES_M)
    women = set(session.scalars(select(Patient.given_name).where(Patient.sex == "female")))
    assert women and not women & set(demo_data.GIVEN_NAMES_M)


def test_the_demo_books_each_appointment_before_it_is_checked_in(app, session):
    """Walk finding: the history of today's appointments said "booked" after "checked in" (booked at the moment
    the demo was built). Every appointment that was checked in was booked before, days before its day, in its
    history and in the audit."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from clinic.core import clock
    from clinic.models import AppointmentEvent, AuditEvent

    built = dt.datetime(2026, 11, 23, 11, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # today's list in every state
    clock.pin(built)  # the autouse fixture pins the suite's clock again afterwards
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    session.expire_all()
    booked = dict(
        session.execute(
            select(AppointmentEvent.appointment_id, AppointmentEvent.at).where(AppointmentEvent.from_status.is_(None))
        ).all()
    )
    checked_in = dict(
        session.execute(
            select(AppointmentEvent.appointment_id, AppointmentEvent.at).where(
                AppointmentEvent.to_status == "checked_in"
            )
        ).all()
    )
    created = {
        int(object_id): at
        for object_id, at in session.execute(
            select(AuditEvent.object_id, AuditEvent.at).where(AuditEvent.action == "appointments.create")
        ).all()
    }
    today = {a.id for a in session.scalars(select(Appointment)) if _aware(a.table_start).date() == built.date()}
    assert today & set(checked_in), "today's list has patients checked in"
    late = {
        appointment_id: (booked[appointment_id], at)
        for appointment_id, at in checked_in.items()
        if not _aware(booked[appointment_id]) < _aware(at) or not _aware(created[appointment_id]) < _aware(at)
    }
    assert late == {}
    for appointment_id in today & set(checked_in):
        assert (_aware(checked_in[appointment_id]) - _aware(booked[appointment_id])).days >= 1


def test_the_demo_names_nobody_for_a_pre_registration_item_not_settled(app, session):
    """Walk 23: the demo's open items kept who settled them and dropped only when, so the referral page's
    "Settled by" read "Petra Möller, " for an item still missing."""
    from clinic.models import PreRegistration

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    session.expire_all()
    items = ("contact_confirmed", "medication_settled", "allergies_settled", "conditions_settled")
    items += ("escort_settled", "language_settled")
    half = [
        (prereg.id, item)
        for prereg in session.scalars(select(PreRegistration))
        for item in items
        if getattr(prereg, f"{item}_by_id") is not None and getattr(prereg, f"{item}_at") is None
    ]
    assert session.scalar(select(func.count()).select_from(PreRegistration)) > 20
    assert half == []


def test_the_demo_accepts_each_referral_before_its_procedure_and_prints_consents_from_older_texts(app, session):
    """Walk 26: referral 48 was accepted after its procedure's day (its day of receipt was set back after the
    triage was dated from the old one), and a consent printed weeks ago named a text version dated the moment the
    demo was built. Every referral is received before it is accepted, and accepted before any of its
    appointments; every consent's text version is older than its print."""
    from clinic.models import Consent, DocumentText

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    session.expire_all()
    late = [
        (referral_id, triaged_at, table_start)
        for referral_id, triaged_at, table_start in session.execute(
            select(Referral.id, Referral.triaged_at, func.min(Appointment.table_start))
            .join(Appointment, Appointment.referral_id == Referral.id)
            .group_by(Referral.id, Referral.triaged_at)
        )
        if triaged_at is None or not _aware(triaged_at) < _aware(table_start)
    ]
    assert late == []
    early = [
        r.id
        for r in session.scalars(select(Referral).where(Referral.triaged_at.is_not(None)))
        if _aware(r.triaged_at).date() < r.received_on
    ]
    assert early == []
    printed = session.execute(
        select(Consent.id, Consent.printed_at, DocumentText.created_at).join(
            DocumentText, DocumentText.id == Consent.document_text_id
        )
    ).all()
    assert printed, "the demo's past days have consents"
    assert [c for c in printed if not _aware(c.created_at) < _aware(c.printed_at)] == []
