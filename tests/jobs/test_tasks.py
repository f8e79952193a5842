"""Each job is idempotent (run twice → same state) and leaves a JobRun row saying what it did."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import select

from clinic.jobs import tasks
from clinic.models import AppointmentEvent, AuditEvent, Booking, FollowUp, JobRun, Referral
from clinic.models.vocab import AppointmentStatus, FollowUpKind, FollowUpStatus
from clinic.services import procedure_day, triage
from tests.conftest import NOW, TODAY, ZONE
from tests.factories import build_clinic, hold, make_ready_referral, make_referral

from .conftest import run
from .helpers import book_on

# Tuesday 00:30 in Berlin: Monday is over.
TUESDAY_NIGHT = dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def test_no_show_after_the_local_day_ends_frees_the_bookings_once(session, settings, clinic, app):
    missed = book_on(session, settings, clinic, TODAY)
    came = book_on(session, settings, clinic, TODAY)
    procedure_day.check_in(session, None, came, at=NOW, zone=ZONE)
    tomorrow = book_on(session, settings, clinic, TODAY + dt.timedelta(days=1))

    assert run(app, "mark_no_shows", at=NOW + dt.timedelta(hours=12))["mark_no_shows"] == "nothing to do"  # Monday
    assert run(app, "mark_no_shows", at=TUESDAY_NIGHT)["mark_no_shows"] == "no shows 1"
    assert run(app, "mark_no_shows", at=TUESDAY_NIGHT + dt.timedelta(hours=1))["mark_no_shows"] == "nothing to do"

    session.expire_all()
    assert (missed.status, came.status, tomorrow.status) == (
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.BOOKED,
    )
    assert not any(b.active for b in session.scalars(select(Booking).where(Booking.appointment_id == missed.id)))
    events = session.scalars(
        select(AppointmentEvent).where(
            AppointmentEvent.appointment_id == missed.id, AppointmentEvent.to_status == AppointmentStatus.NO_SHOW
        )
    ).all()
    assert len(events) == 1 and events[0].by_user_id is None
    audited = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "appointments.update", AuditEvent.object_id == str(missed.id))
    ).all()
    assert [a.actor_name for a in audited] == ["scheduler"] and "no_show" in audited[0].summary


def _follow_up(session, appointment, due_on, status=FollowUpStatus.PENDING, kind=FollowUpKind.TWO_WEEKS):
    row = FollowUp(appointment_id=appointment.id, kind=kind, due_on=due_on, status=status)
    session.add(row)
    session.flush()
    return row


def test_follow_ups_that_fall_due_go_on_the_call_list_once(session, settings, clinic, app):
    appointment = book_on(session, settings, clinic, TODAY)
    due = _follow_up(session, appointment, TODAY)
    later = _follow_up(session, appointment, TODAY + dt.timedelta(days=1), kind=FollowUpKind.THREE_MONTHS)

    assert run(app, "follow_ups_due")["follow_ups_due"] == "on call list 1"
    assert run(app, "follow_ups_due", at=NOW + dt.timedelta(hours=1))["follow_ups_due"] == "nothing to do"
    session.expire_all()
    assert (due.status, due.on_call_list_at) == (FollowUpStatus.DUE, NOW)  # the first run's time stays
    assert (later.status, later.on_call_list_at) == (FollowUpStatus.PENDING, None)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "follow_ups.update"))
    assert (event.actor_name, event.object_id, event.patient_id) == ("scheduler", str(due.id), appointment.patient_id)


def test_referrals_waiting_too_long_for_triage_are_flagged_once(session, clinic, app):
    # triage_ageing_days is 5: on Monday 23 November, a referral from the 17th has waited six days.
    old = make_referral(session, received_on=dt.date(2026, 11, 17))
    recent = make_referral(session, received_on=dt.date(2026, 11, 18))
    triaged = make_referral(session, received_on=dt.date(2026, 11, 1))
    triage.decline(session, clinic.radiologists[0], triaged, "not indicated")

    assert run(app, "flag_ageing_referrals")["flag_ageing_referrals"] == "flagged 1"
    assert run(app, "flag_ageing_referrals", at=NOW + dt.timedelta(minutes=15))["flag_ageing_referrals"] == (
        "nothing to do"
    )
    flagged = {r.id: r.ageing_flagged_at for r in session.scalars(select(Referral))}
    assert flagged == {old.id: NOW, recent.id: None, triaged.id: None}


def test_expired_holds_are_released_once(session, settings, clinic, app):
    referral = make_ready_referral(session, clinic)
    held = hold(session, settings, referral)
    assert run(app, "release_holds")["release_holds"] == "nothing to do"  # still within its minutes
    later = NOW + dt.timedelta(minutes=6)
    assert run(app, "release_holds", at=later)["release_holds"] == "released 1"
    assert run(app, "release_holds", at=later)["release_holds"] == "nothing to do"
    session.expire_all()
    assert held.released_at == later
    assert not any(b.active for b in held.bookings)


def test_every_run_is_recorded_with_host_pid_and_result(session, app):
    run(app)
    runs = session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [r.job for r in runs] == list(tasks.JOBS)
    assert {r.pid for r in runs} == {os.getpid()}
    assert all(r.host and r.started_at == NOW and r.finished_at == NOW for r in runs)


def test_a_failing_job_is_rolled_back_and_its_error_recorded(session, app, monkeypatch):
    def broken(ctx):
        ctx.session.add(Referral(patient_id=1, received_on=TODAY, clinical_question="half done"))
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(tasks.JOBS, "broken", broken)
    assert run(app, "broken")["broken"] == "error: RuntimeError: disk on fire"
    recorded = session.scalar(select(JobRun).where(JobRun.job == "broken"))
    assert recorded.finished_at == NOW and recorded.result == "error: RuntimeError: disk on fire"
    assert session.scalars(select(Referral)).all() == []


def test_old_job_runs_are_pruned(session, app):
    run(app, "release_holds", at=NOW - dt.timedelta(days=31))
    run(app, "release_holds", at=NOW - dt.timedelta(days=29))
    assert run(app, "prune_job_runs")["prune_job_runs"] == "deleted 1"
    assert len(session.scalars(select(JobRun).where(JobRun.job == "release_holds")).all()) == 1
