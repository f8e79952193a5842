"""Safety walk: a patient with a pacemaker was accepted and booked for an MRI-guided injection without a
word. MRI guidance for a patient whose pre-registration records an implant needs a radiologist's check
that the implant is MR-conditional (who, when, which implant); until then the referral is not bookable
under MRI, by the booking service as by the finder and the front desk's list."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic.core.errors import InvalidInput
from clinic.models import AuditEvent
from clinic.models.vocab import Modality
from clinic.scheduling import booking
from clinic.scheduling.plan import ProcedurePlan
from clinic.services import booking_queue, prereg_items, triage
from clinic.services.candidates import candidates_for_referral
from clinic.services.readiness import assess
from tests.conftest import NOW
from tests.factories import (
    accept_referral,
    acting_as,
    book,
    build_clinic,
    complete_preregistration,
    make_patient,
    make_ready_referral,
    make_referral,
    waive_imaging,
)
from tests.scheduling.helpers import first_candidates

PACEMAKER = "Herzschrittmacher Medtronic"
MRI_DAY = dt.date(2026, 11, 24)  # a Tuesday: the MRI room's session
MRI_LAST_DAY = dt.date(2026, 12, 4)


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def _plan(clinic, guidance: str, checked: bool = False) -> triage.PlanDetails:
    return triage.PlanDetails(
        procedure_type_id=clinic.pt("PRT").id,
        region="lumbar",
        side="left",
        levels="L4/5",
        stage=None,
        guidance=guidance,
        implant_mr_checked=checked,
    )


def _with_implant(session, clinic, note: str = PACEMAKER):
    """A referral waiting for triage whose pre-registration is complete and records an implant."""
    referral = make_referral(session, make_patient(session, family_name="Schrittmacher"))
    waive_imaging(session, clinic, referral)
    complete_preregistration(session, clinic, referral, conditions={"implant"}, implant_note=note)
    return referral


def _accept(session, clinic, referral, guidance: str, checked: bool = False):
    radiologist = clinic.radiologists[0]
    with acting_as(session, radiologist):
        return triage.accept(session, radiologist, referral, _plan(clinic, guidance, checked))


def test_mri_guidance_for_a_recorded_implant_is_refused_without_the_radiologists_check(session, clinic):
    referral = _with_implant(session, clinic)
    with pytest.raises(InvalidInput) as refused:
        _accept(session, clinic, referral, Modality.MRI)
    assert list(refused.value.fields) == ["implant_mr_checked"]
    assert PACEMAKER in str(refused.value) and "MR-conditional" in str(refused.value)
    assert referral.status == "received" and referral.implant_mr_checked_at is None


def test_ct_guidance_for_a_recorded_implant_needs_no_check(session, clinic, settings):
    referral = _with_implant(session, clinic)
    _accept(session, clinic, referral, Modality.CT)
    assert referral.status == "accepted" and referral.implant_mr_checked_at is None
    assert assess(session, settings, referral, ProcedurePlan.from_referral(referral)).ready


def test_the_check_is_kept_with_who_when_and_which_implant_and_the_referral_books_under_mri(session, clinic, settings):
    referral = _with_implant(session, clinic)
    _accept(session, clinic, referral, Modality.MRI, checked=True)
    assert referral.status == "accepted" and referral.planned_guidance == Modality.MRI
    assert referral.implant_mr_checked_by_id == clinic.radiologists[0].id
    assert referral.implant_mr_checked_at == NOW and referral.implant_mr_checked_note == PACEMAKER
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "referral.implant_mr_checked"))
    assert event is not None and event.object_id == str(referral.id)
    appointment = book(session, settings, referral, first_day=MRI_DAY, days=7)
    assert appointment.room.modality == "MRI"


def test_an_implant_recorded_after_an_mri_plan_makes_the_referral_unbookable_until_checked(session, clinic, settings):
    referral = make_ready_referral(session, clinic, code="PRT", guidance=Modality.MRI)
    candidate = first_candidates(session, settings, referral, first_day=MRI_DAY, days=7)[0]
    # The front desk hears of the pacemaker only now.
    staff = clinic.staff["frontdesk"]
    with acting_as(session, staff):
        prereg_items.set_conditions(session, staff, referral, found={"implant"}, implant_note=PACEMAKER, note=None)
    ready = assess(session, settings, referral, ProcedurePlan.from_referral(referral))
    assert not ready.ready
    assert any(PACEMAKER in str(m) and "MR-conditional" in str(m) for m in ready.missing), ready.missing
    # The booking service refuses, whatever a screen offered before.
    with pytest.raises(booking.NotReady) as refused:
        book(session, settings, referral, candidate)
    assert "MR-conditional" in str(refused.value)
    # The finder offers no time, and the front desk's list says why.
    _ready, found = candidates_for_referral(session, settings, referral, first_day=MRI_DAY, last_day=MRI_LAST_DAY)
    assert found == []
    sorted_ = booking_queue._sort(session)
    blocked = {e.referral_id: " ".join(map(str, e.blocked)) for e in sorted_.blocked}
    assert referral.id in blocked and PACEMAKER in blocked[referral.id]
    assert referral.id not in {e.referral_id for e in sorted_.ready}
    # A radiologist checks the implant (the plan saved again, the box ticked): bookable again.
    _accept(session, clinic, referral, Modality.MRI, checked=True)
    assert assess(session, settings, referral, ProcedurePlan.from_referral(referral)).ready
    assert book(session, settings, referral, candidate).room.modality == "MRI"


def test_another_implant_recorded_later_lapses_the_check(session, clinic, settings):
    referral = _with_implant(session, clinic)
    _accept(session, clinic, referral, Modality.MRI, checked=True)
    staff = clinic.staff["frontdesk"]
    with acting_as(session, staff):
        prereg_items.set_conditions(
            session, staff, referral, found={"implant"}, implant_note=f"{PACEMAKER}; Neurostimulator", note=None
        )
    ready = assess(session, settings, referral, ProcedurePlan.from_referral(referral))
    assert any("Neurostimulator" in str(m) for m in ready.missing), ready.missing
    # Saving the MRI plan again without the box is refused: the check was for the pacemaker alone.
    with pytest.raises(InvalidInput):
        _accept(session, clinic, referral, Modality.MRI)


def test_an_mri_plan_without_implant_needs_no_check(session, clinic, settings):
    referral = make_ready_referral(session, clinic, code="PRT", guidance=Modality.MRI, conditions={"diabetes"})
    assert assess(session, settings, referral, ProcedurePlan.from_referral(referral)).ready
    accept_referral(session, clinic, referral, guidance=Modality.MRI)
    assert referral.implant_mr_checked_at is None


def test_an_implant_recorded_after_the_mri_appointment_was_booked_stops_the_procedure_until_checked(session, settings):
    """Walk 22: the implant recorded after the MRI appointment was booked stopped new bookings only; check-in
    and "start the procedure" went on. The procedure now waits for the radiologist's check."""
    from clinic.core.errors import DomainError
    from clinic.services import procedure_day
    from tests.conftest import ZONE
    from tests.factories import sign_consent

    clinic = build_clinic(session, texts=True)  # the consent's text to print and sign
    referral = make_ready_referral(session, clinic, code="PRT", guidance=Modality.MRI)
    appointment = book(session, settings, referral, first_day=MRI_DAY, days=7)
    staff = clinic.staff["frontdesk"]
    with acting_as(session, staff):
        prereg_items.set_conditions(session, staff, referral, found={"implant"}, implant_note=PACEMAKER, note=None)
    arrived = appointment.table_start - dt.timedelta(minutes=20)
    procedure_day.check_in(session, None, appointment, at=arrived, zone=ZONE)
    radiologist = clinic.radiologists[0]
    sign_consent(session, clinic, appointment, actor=radiologist, explained_at=arrived - dt.timedelta(days=3))
    with pytest.raises(DomainError) as refused:
        procedure_day.start_procedure(session, radiologist, appointment, at=appointment.table_start, zone=ZONE)
    assert refused.value.code == "implant_unchecked" and PACEMAKER in str(refused.value)
    assert appointment.status == "checked_in"
    with pytest.raises(DomainError, match="cannot change while an appointment is booked"):
        _accept(session, clinic, referral, Modality.MRI, checked=True)  # the plan is fixed now
    with acting_as(session, radiologist):
        triage.confirm_implant_check(session, radiologist, referral)  # the check alone, the plan unchanged
        with pytest.raises(DomainError, match="checked for MRI already"):
            triage.confirm_implant_check(session, radiologist, referral)
    assert referral.implant_mr_checked_note == PACEMAKER and referral.implant_mr_checked_by_id == radiologist.id
    record = procedure_day.start_procedure(session, radiologist, appointment, at=appointment.table_start, zone=ZONE)
    assert record is not None and appointment.status == "in_procedure"
