"""DESIGN.md §4: each invariant broken on purpose, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from clinic.core.errors import DomainError, InvalidInput
from clinic.models import Booking, Closure, FollowUp, ProcedureRecord, RedFlagAnswer, RosterException
from clinic.models.vocab import AppointmentStatus, FollowUpKind, FollowUpStatus, RedFlag, ReliefCategory
from clinic.scheduling import booking
from clinic.scheduling.booking import NotReady, SlotTaken
from clinic.services import prereg_items, stages, triage
from tests.conftest import TODAY
from tests.factories import book, build_clinic, make_ready_referral

from .helpers import chain, first_candidates, overlapping_active_bookings, utc


@pytest.fixture
def clinic(session):
    return build_clinic(session)


@pytest.fixture
def first(session, settings, clinic):
    """An appointment at the first chain the finder offers, which a second booking then meets."""
    return book(session, settings, make_ready_referral(session, clinic))


def test_invariant_1_room_is_never_double_booked(session, settings, clinic, first):
    second = make_ready_referral(session, clinic)
    # Same room and time, another radiologist and bed: the room alone is the clash.
    clash = chain(clinic.rooms["CT 1"], clinic.radiologists[1], clinic.beds[1], first.table_start, 20, 30)
    with pytest.raises(SlotTaken, match="the room"):
        book(session, settings, second, clash)
    assert overlapping_active_bookings(session) == []


def test_invariant_1_radiologist_and_bed_are_never_double_booked(session, settings, clinic, first):
    second = make_ready_referral(session, clinic)
    rad_clash = chain(clinic.rooms["CT 2"], clinic.radiologists[0], clinic.beds[1], first.table_start, 20, 30)
    with pytest.raises(SlotTaken, match="the radiologist"):
        book(session, settings, second, rad_clash)
    bed_clash = chain(clinic.rooms["CT 2"], clinic.radiologists[1], clinic.beds[0], first.table_start, 20, 30)
    assert bed_clash.bed_id == first.bed_id
    with pytest.raises(SlotTaken, match="observation bed"):
        book(session, settings, second, bed_clash)


def test_back_to_back_bookings_are_allowed(session, settings, clinic, first):
    second = make_ready_referral(session, clinic)
    after = chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[1], first.table_end, 20, 30)
    appointment = book(session, settings, second, after)
    assert appointment.table_start == first.table_end


def test_invariant_2_patient_is_never_in_two_places(session, settings, clinic):
    # A diagnostic facet block first (no steroid): a second steroid injection that day would be refused
    # by the week between steroid injections before the patient's time is looked at.
    referral = make_ready_referral(session, clinic, code="FACET", stage="diagnostic")
    c = first_candidates(session, settings, referral)[0]
    book(session, settings, referral, c)
    again = make_ready_referral(session, clinic, referral.patient)
    # Another room, radiologist and bed, during the first appointment's observation.
    elsewhere = chain(clinic.rooms["CT 2"], clinic.radiologists[1], clinic.beds[3], c.table_end, 20, 30)
    with pytest.raises(SlotTaken, match="the patient"):
        book(session, settings, again, elsewhere)
    # The finder does not offer it either.
    offered = first_candidates(session, settings, again, limit=3)
    assert all(x.table_start >= c.obs_end for x in offered)


@pytest.mark.postgres_only
def test_exclusion_constraints_are_the_last_guard(session, settings, clinic, backend):
    """Rows written past the service (as a bug would) are refused by the named constraint."""
    if backend != "postgresql":
        pytest.skip("exclusion constraints exist on PostgreSQL only; SQLite relies on the write lock")
    referral = make_ready_referral(session, clinic)
    c = first_candidates(session, settings, referral)[0]
    appointment = book(session, settings, referral, c)
    session.commit()
    for column, value in (
        ("room_id", c.room_id),
        ("radiologist_id", c.radiologist_id),
        ("bed_id", c.bed_id),
        ("patient_id", referral.patient_id),
    ):
        session.add(
            Booking(
                appointment_id=appointment.id,
                starts_at=c.table_start + dt.timedelta(minutes=10),
                ends_at=c.obs_end,
                **{column: value},
            )
        )
        with pytest.raises(IntegrityError) as error:
            session.flush()
        assert booking.constraint_name(error.value) == f"ex_bookings_{column.removesuffix('_id')}_overlap"
        session.rollback()


def test_invariant_3_no_booking_without_preregistration(session, settings, clinic):
    referral = make_ready_referral(session, clinic, escort_name=None)
    c = first_candidates(session, settings, referral)[0]
    with pytest.raises(NotReady, match="Escort"):
        book(session, settings, referral, c)
    prereg_items.set_escort(session, clinic.staff["frontdesk"], referral, name="Maria", phone=None)
    referral.red_flags.append(RedFlagAnswer(code=RedFlag.TUMOUR, present=True))
    session.flush()
    with pytest.raises(NotReady, match="red flag"):
        book(session, settings, referral, c)
    flag = referral.red_flags[0]
    triage.clear_red_flag(session, clinic.radiologists[0], flag, "Known, treated, unrelated to the pain")
    referral.status = "received"  # no service takes an acceptance back: set here to meet the check
    session.flush()
    with pytest.raises(NotReady, match="not accepted"):
        book(session, settings, referral, c)
    referral.status = "accepted"
    assert book(session, settings, referral, c).status == AppointmentStatus.BOOKED


def test_invariant_4_chain_must_fit_sessions_rosters_closures_modality_and_qualification(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    rad, bed = clinic.radiologists[0], clinic.beds[0]
    ct1, mrt = clinic.rooms["CT 1"], clinic.rooms["MRT"]
    cases = [
        (chain(ct1, rad, bed, utc(2026, 11, 24, 6, 0), 20, 30), "not open"),  # 07:00 local, before the session
        # 08:00 local today, an hour from now: the session is open, but the patient could not be told and
        # arrive half an hour before (the clinic's notice: an hour, then the arrival)
        (chain(ct1, rad, bed, utc(2026, 11, 23, 7, 0), 20, 30), "too soon: the patient could not be told"),
        (chain(ct1, rad, bed, utc(2026, 11, 28, 9, 0), 20, 30), "not open"),  # Saturday
        (chain(mrt, rad, bed, utc(2026, 11, 24, 8, 0), 20, 30), "MRI room"),  # wrong modality
        (chain(ct1, rad, bed, utc(2026, 11, 23, 8, 2), 20, 30), "grid"),  # off the 5-minute grid
        (chain(ct1, rad, bed, utc(2026, 11, 23, 8, 0), 25, 30), "table time"),  # wrong length
    ]
    for candidate, message in cases:
        with pytest.raises(InvalidInput, match=message):
            book(session, settings, referral, candidate)

    other = clinic.radiologists[1]
    other.qualifications = [clinic.pt("FACET")]
    session.flush()
    with pytest.raises(InvalidInput, match="not qualified"):
        book(session, settings, referral, chain(ct1, other, bed, utc(2026, 11, 23, 8, 0), 20, 30))

    monday_9 = utc(2026, 11, 23, 8, 0)
    session.add(
        Closure(
            scope="room",
            room_id=ct1.id,
            starts_at=monday_9,
            ends_at=monday_9 + dt.timedelta(hours=1),
            reason="Tube change",
        )
    )
    session.add(RosterException(radiologist_id=rad.id, on_date=dt.date(2026, 11, 24), kind="off"))
    session.add(
        Closure(
            scope="clinic", starts_at=utc(2026, 11, 25, 0, 0), ends_at=utc(2026, 11, 26, 0, 0), reason="Staff training"
        )
    )
    session.flush()
    with pytest.raises(InvalidInput, match="CT 1 is not open"):
        book(session, settings, referral, chain(ct1, rad, bed, monday_9, 20, 30))
    with pytest.raises(InvalidInput, match="not on duty"):
        book(session, settings, referral, chain(ct1, rad, bed, utc(2026, 11, 24, 8, 0), 20, 30))
    with pytest.raises(InvalidInput, match="not open"):
        book(session, settings, referral, chain(ct1, rad, bed, utc(2026, 11, 25, 8, 0), 20, 30))
    # The finder steps around all of it: first offer is Monday 10:00 local in CT 1 or 09:00 in CT 2.
    offered = first_candidates(session, settings, referral, limit=200, days=3)
    days = {c.table_start.date() for c in offered}
    assert dt.date(2026, 11, 25) not in days
    assert not any(
        c.room_id == ct1.id and monday_9 <= c.table_start < monday_9 + dt.timedelta(hours=1) for c in offered
    )
    assert not any(c.radiologist_id == rad.id and c.table_start.date() == dt.date(2026, 11, 24) for c in offered)


def test_invariant_5_bed_is_reserved_straight_after_the_table_time(session, settings, clinic):
    referral = make_ready_referral(session, clinic)
    c = first_candidates(session, settings, referral)[0]
    late_bed = booking.Candidate(
        c.room_id, c.radiologist_id, c.bed_id, c.table_start, c.table_end, c.obs_end + dt.timedelta(minutes=10)
    )
    with pytest.raises(InvalidInput, match="observation"):
        book(session, settings, referral, late_bed)
    no_bed = booking.Candidate(c.room_id, c.radiologist_id, None, c.table_start, c.table_end, c.obs_end)
    with pytest.raises(InvalidInput, match="observation bed is needed"):
        book(session, settings, referral, no_bed)
    appointment = book(session, settings, referral, c)
    bed_rows = [b for b in appointment.bookings if b.bed_id]
    assert [(b.starts_at, b.ends_at) for b in bed_rows] == [(c.table_end, c.obs_end)]


def test_finder_offers_nothing_when_every_bed_is_taken(session, settings):
    clinic = build_clinic(session, beds=1)
    first = make_ready_referral(session, clinic)
    c = first_candidates(session, settings, first)[0]
    book(session, settings, first, c)
    second = make_ready_referral(session, clinic)
    offered = first_candidates(session, settings, second, limit=10)
    for x in offered:
        assert not (x.table_end < c.obs_end and c.table_end < x.obs_end), "bed would be shared"


def test_invariant_6_medication_hold_date_is_respected(session, settings, clinic):
    # Clopidogrel: 168 hours before an intermediate-risk procedure; last dose on Sunday 22 November, at
    # any time that day (as late as midnight): the first possible start is Monday 30 November, 00:00.
    referral = make_ready_referral(session, clinic, medications=[("clopidogrel", "", dt.date(2026, 11, 22))])
    offered = first_candidates(session, settings, referral, limit=1)
    assert offered[0].table_start.date() == dt.date(2026, 11, 30)
    too_early = chain(clinic.rooms["CT 1"], clinic.radiologists[0], clinic.beds[0], utc(2026, 11, 24, 8, 0), 20, 30)
    with pytest.raises(
        DomainError, match=r"medication hold plan allows this procedure from 30\.11\.2026 00:00"
    ) as error:
        book(session, settings, referral, too_early)
    assert error.value.code == "medication_hold"
    triage.override_hold(
        session,
        clinic.radiologists[0],
        referral,
        dt.date(2026, 11, 24),
        "Cardiology: stop only 1 day, risk discussed",
        today=TODAY,
    )
    # Walk 27: the override sets the date for drugs without a rule only; clopidogrel's hours still count.
    with pytest.raises(DomainError, match=r"allows this procedure from 30\.11\.2026 00:00"):
        book(session, settings, referral, too_early)


def _discharged_with_relief(session, settings, clinic, code, stage, relief):
    referral = make_ready_referral(session, clinic, code=code, stage=stage, levels="L4/5", side="left")
    appointment = book(session, settings, referral)
    appointment.status = AppointmentStatus.DISCHARGED
    _followed_up(session, appointment, FollowUpKind.TWO_WEEKS, dt.date(2026, 12, 7), relief)
    return appointment


def _followed_up(session, appointment, kind: str, due_on: dt.date, relief: int) -> None:
    """The follow-up call of ``kind`` done, with the relief the patient reported."""
    category = ReliefCategory.COMPLETE_OR_SIGNIFICANT if relief >= 50 else ReliefCategory.NONE
    session.add(
        FollowUp(
            appointment_id=appointment.id,
            kind=kind,
            due_on=due_on,
            status=FollowUpStatus.DONE,
            relief_percent=relief,
            relief_category=category,
        )
    )
    session.flush()


def test_invariant_8_ablation_needs_a_positive_diagnostic_block(session, settings, clinic):
    block = _discharged_with_relief(session, settings, clinic, "FACET", "diagnostic", 30)
    rfa = make_ready_referral(session, clinic, block.patient, code="RFA")
    c = first_candidates(session, settings, rfa, first_day=dt.date(2026, 11, 30))
    assert c, "the finder still shows times; booking is what is refused"
    with pytest.raises(
        NotReady, match=r"outcome of the facet.* \(diagnostic stage\) is negative \(2 weeks: 30 per cent"
    ):
        book(session, settings, rfa, c[0])
    # A later outcome of the same block reaches the threshold: the ablation may now be booked.
    _followed_up(session, block, FollowUpKind.THREE_MONTHS, dt.date(2027, 2, 23), 80)
    assert book(session, settings, rfa, c[0]).status == AppointmentStatus.BOOKED


def test_invariant_8_neurolytic_stage_needs_a_positive_diagnostic_stage(session, settings, clinic):
    neurolytic = make_ready_referral(session, clinic, code="SYMP", stage="neurolytic", levels=None)
    c = first_candidates(session, settings, neurolytic)
    with pytest.raises(NotReady, match="neurolytic"):
        book(session, settings, neurolytic, c[0])
    block = _discharged_with_relief(session, settings, clinic, "SYMP", "diagnostic", 70)
    later = make_ready_referral(session, clinic, block.patient, code="SYMP", stage="neurolytic", levels=None)
    c = first_candidates(session, settings, later, first_day=dt.date(2026, 11, 30))
    assert book(session, settings, later, c[0]).stage == "neurolytic"


def test_invariant_8_a_negative_two_week_follow_up_does_not_outweigh_the_blocks_own_result(session, settings, clinic):
    """The block's own result decides (procedures.md §2.2: the relief over the hours after a diagnostic block
    "decides on RFA"): a two-week follow-up, the local anaesthetic long worn off, measures the lasting effect.
    A positive same-day result with a negative two-week follow-up leaves the neurolysis bookable (the
    radiologist's page shows the disagreement); a negative same-day result refuses it whatever came later."""
    referral = make_ready_referral(session, clinic, code="SYMP", stage="diagnostic", levels=None, side="left")
    block = book(session, settings, referral)
    block.status = AppointmentStatus.DISCHARGED
    _followed_up(session, block, FollowUpKind.SAME_DAY, dt.date(2026, 11, 24), 80)
    _followed_up(session, block, FollowUpKind.TWO_WEEKS, dt.date(2026, 12, 8), 10)
    later = make_ready_referral(session, clinic, block.patient, code="SYMP", stage="neurolytic", levels=None)
    c = first_candidates(session, settings, later, first_day=dt.date(2026, 11, 30))
    assert stages.unmet_rules(session, [later]) == {}
    assert book(session, settings, later, c[0]).stage == "neurolytic"

    other = make_ready_referral(session, clinic, code="SYMP", stage="diagnostic", levels=None, side="left")
    negative = book(session, settings, other)
    negative.status = AppointmentStatus.DISCHARGED
    _followed_up(session, negative, FollowUpKind.SAME_DAY, dt.date(2026, 11, 24), 20)
    _followed_up(session, negative, FollowUpKind.TWO_WEEKS, dt.date(2026, 12, 8), 80)
    refused = make_ready_referral(session, clinic, negative.patient, code="SYMP", stage="neurolytic", levels=None)
    c = first_candidates(session, settings, refused, first_day=dt.date(2026, 11, 30))
    with pytest.raises(
        NotReady,
        match=r"result of the block, the .*, is negative \(Same day: 20 per cent relief\), although another",
    ):
        book(session, settings, refused, c[0])
    # The front desk's lists say the same (one statement for many referrals).
    assert "is negative" in stages.unmet_rules(session, [refused])[refused.id]


def test_invariant_8_negative_follow_up_outweighs_positive_pain_scores_of_the_block(session, settings, clinic):
    """The medial branch block's pain scores at the procedure were positive (8 → 1), the follow-up that
    came after negative: the ablation is refused (fails on the old code: the scores counted)."""
    referral = make_ready_referral(session, clinic, code="FACET", stage="diagnostic", levels="L4/5", side="left")
    block = book(session, settings, referral)
    block.status = AppointmentStatus.DISCHARGED
    session.add(
        ProcedureRecord(
            appointment_id=block.id,
            pain_before=8,
            pain_after=1,
            started_at=block.table_start,
            signed_at=block.table_start,
        )
    )
    session.flush()
    rfa = make_ready_referral(session, clinic, block.patient, code="RFA")
    c = first_candidates(session, settings, rfa, first_day=dt.date(2026, 11, 30))
    assert book(session, settings, rfa, c[0]).status == AppointmentStatus.BOOKED  # the scores alone: positive
    rfa2 = make_ready_referral(session, clinic, block.patient, code="RFA")
    _followed_up(session, block, FollowUpKind.SAME_DAY, dt.date(2026, 11, 24), 20)
    c = first_candidates(session, settings, rfa2, first_day=dt.date(2026, 12, 7))
    with pytest.raises(NotReady, match="is negative"):
        book(session, settings, rfa2, c[0])
