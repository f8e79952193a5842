"""The scanner reports its procedure (MPPS), from a pynetdicom client as a CT console would, on both
databases: "in progress" moves a consented, checked-in appointment into procedure; without a signed
consent (invariant 7) or before check-in it moves nothing and the warning shows on the worklist and
the procedure page; "completed" brings times and dose, which a radiologist takes into the record."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid
from pynetdicom import AE
from pynetdicom.sop_class import ModalityPerformedProcedureStep
from sqlalchemy import func, select

from clinic.models import Appointment, PerformedStep, ProcedureRecord
from clinic.models.vocab import AppointmentStatus
from clinic.services import procedure_day
from tests.conftest import NOW, TODAY, ZONE
from tests.factories import PASSWORD, sign_consent

from .conftest import OUR_AE, berlin


class Scanner:
    """A scanner's MPPS side: N-CREATE when the examination starts, N-SET when it ends."""

    def __init__(self, port: int, ae_title: str = "CT1"):
        self.port = port
        self.ae_title = ae_title

    def _send(self, send):
        ae = AE(ae_title=self.ae_title)
        ae.add_requested_context(ModalityPerformedProcedureStep)
        ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = 20
        assoc = ae.associate("127.0.0.1", self.port, ae_title=OUR_AE)
        if not assoc.is_established:
            return None
        try:
            status, _attributes = send(assoc)
            return status.Status if status else None
        finally:
            assoc.release()

    def start(self, uid: str, accession: str | None, at: dt.datetime) -> int | None:
        ds = Dataset()
        ds.SpecificCharacterSet = "ISO_IR 192"
        ds.PatientName = "Müller^Zoë"
        ds.PerformedProcedureStepStatus = "IN PROGRESS"
        ds.PerformedStationAETitle = self.ae_title
        ds.PerformedProcedureStepID = "1"
        ds.PerformedProcedureStepStartDate = at.strftime("%Y%m%d")
        ds.PerformedProcedureStepStartTime = at.strftime("%H%M%S")
        ds.Modality = "CT"
        item = Dataset()
        item.AccessionNumber = accession or ""
        item.StudyInstanceUID = generate_uid()
        ds.ScheduledStepAttributesSequence = [item]
        return self._send(lambda assoc: assoc.send_n_create(ds, ModalityPerformedProcedureStep, uid))

    def finish(self, uid: str, at: dt.datetime, *, ctdivol: float | None = 12.34, comments=None, status="COMPLETED"):
        ds = Dataset()
        ds.PerformedProcedureStepStatus = status
        ds.PerformedProcedureStepEndDate = at.strftime("%Y%m%d")
        ds.PerformedProcedureStepEndTime = at.strftime("%H%M%S")
        if ctdivol is not None:
            exposure = Dataset()
            exposure.CTDIvol = ctdivol
            ds.ExposureDoseSequence = [exposure]
        if comments is not None:
            ds.CommentsOnRadiationDose = comments
        return self._send(lambda assoc: assoc.send_n_set(ds, ModalityPerformedProcedureStep, uid))


def local(hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time today in Berlin, as the scanner writes it."""
    return dt.datetime.combine(TODAY, dt.time(hour, minute))


def consented(session, world, appointment):
    sign_consent(session, world.clinic, appointment, actor=world.clinic.radiologists[0])


def fresh(session, model, ident):
    """A fresh read that ends its transaction at once (on SQLite an open one blocks the service)."""
    session.expire_all()
    row = session.get(model, ident)
    session.commit()
    return row


@pytest.fixture
def scanner(dicom):
    return Scanner(dicom.port)


@pytest.fixture
def checked_in(session, settings, world, zoe):
    appointment = world.book(session, settings, start=berlin(TODAY, 9), patient=zoe)
    world.check_in(session, appointment)
    return appointment


def test_a_consented_patient_goes_into_procedure_and_the_dose_is_proposed(session, world, checked_in, scanner, browser):
    consented(session, world, checked_in)
    uid, accession, appointment_id = generate_uid(), checked_in.accession_number, checked_in.id
    session.commit()

    assert scanner.start(uid, accession, local(9, 2)) == 0x0000
    appointment = fresh(session, Appointment, appointment_id)
    assert appointment.status == AppointmentStatus.IN_PROCEDURE
    assert appointment.events[-1].to_status == "in_procedure"
    step = session.scalar(select(PerformedStep).where(PerformedStep.sop_instance_uid == uid))
    assert step.appointment_id == appointment_id and step.warning is None
    assert step.started_at == berlin(TODAY, 9, 2)
    session.commit()

    assert scanner.finish(uid, local(9, 21), comments="Total DLP = 412.7 mGy*cm; CTDIvol 12.34 mGy") == 0x0000
    step = fresh(session, PerformedStep, step.id)
    assert step.status == "completed"
    assert step.ended_at == berlin(TODAY, 9, 21)
    assert (step.ctdivol_mgy, step.dlp_mgycm) == (Decimal("12.34"), Decimal("412.7"))
    record = session.scalar(select(ProcedureRecord).where(ProcedureRecord.appointment_id == appointment_id))
    assert record.dlp_mgycm is None and record.ctdivol_mgy is None  # proposals, not yet in the record
    session.commit()

    # The radiologist sees the proposal on the procedure page and takes it into the record.
    assert browser.login("rad1", PASSWORD).status_code == 302
    page = browser.get(f"/radiology/appointments/{appointment_id}").get_data(as_text=True)
    assert "Reported by the scanner" in page and "CTDIvol 12.34 mGy" in page and "DLP 412.7 mGy·cm" in page
    assert "proposed: check, then take into the record" in page
    confirm = f"/radiology/appointments/{appointment_id}/scanner/{step.id}/confirm"
    response = browser.post(confirm, form_page=f"/radiology/appointments/{appointment_id}")
    assert response.status_code == 302
    record = fresh(session, ProcedureRecord, record.id)
    assert (record.started_at, record.ended_at) == (berlin(TODAY, 9, 2), berlin(TODAY, 9, 21))
    assert (record.dlp_mgycm, record.ctdivol_mgy) == (Decimal("412.7"), Decimal("12.34"))
    page = browser.get(f"/radiology/appointments/{appointment_id}").get_data(as_text=True)
    assert "in the record (Dr. Radiologist 1" in page
    again = browser.post(confirm, form_page=f"/radiology/appointments/{appointment_id}", follow_redirects=True)
    assert "already in the procedure record" in again.get_data(as_text=True)


def test_without_consent_the_appointment_stays_and_the_warning_shows(session, world, checked_in, scanner, browser):
    uid, accession, appointment_id = generate_uid(), checked_in.accession_number, checked_in.id
    session.commit()
    assert scanner.start(uid, accession, local(9, 2)) == 0x0000  # kept, not refused

    appointment = fresh(session, Appointment, appointment_id)
    assert appointment.status == AppointmentStatus.CHECKED_IN  # invariant 7
    assert session.scalar(select(func.count()).select_from(ProcedureRecord)) == 0
    step = session.scalar(select(PerformedStep).where(PerformedStep.sop_instance_uid == uid))
    assert step.appointment_id == appointment_id
    assert "no signed consent is recorded" in step.warning and "09:02" in step.warning
    session.commit()

    assert browser.login("rad1", PASSWORD).status_code == 302
    worklist = browser.get("/radiology/worklist/rows").get_data(as_text=True)
    assert "The scanner CT1 reported the start at 09:02, but no signed consent is recorded" in worklist
    page = browser.get(f"/radiology/appointments/{appointment_id}").get_data(as_text=True)
    assert "⚠ The scanner CT1 reported the start at 09:02" in page

    # Consent recorded, procedure started on the screen: the warning has served its purpose.
    consented(session, world, session.get(Appointment, appointment_id))
    procedure_day.start_procedure(
        session, world.clinic.radiologists[0], session.get(Appointment, appointment_id), at=NOW, zone=ZONE
    )
    session.commit()
    worklist = browser.get("/radiology/worklist/rows").get_data(as_text=True)
    assert "no signed consent is recorded" not in worklist


def test_before_check_in_the_appointment_stays_and_says_so(session, settings, world, zoe, scanner):
    appointment = world.book(session, settings, start=berlin(TODAY, 9), patient=zoe)
    consented(session, world, appointment)
    uid, accession, appointment_id = generate_uid(), appointment.accession_number, appointment.id
    session.commit()
    assert scanner.start(uid, accession, local(9, 2)) == 0x0000
    assert fresh(session, Appointment, appointment_id).status == AppointmentStatus.BOOKED
    step = session.scalar(select(PerformedStep).where(PerformedStep.sop_instance_uid == uid))
    assert "the patient is not checked in" in step.warning
    session.commit()


def test_an_unknown_accession_number_is_kept_without_an_appointment(session, world, checked_in, scanner):
    session.commit()
    uid = generate_uid()
    assert scanner.start(uid, "NOSUCHNUMBER", local(9, 2)) == 0x0000
    session.expire_all()
    step = session.scalar(select(PerformedStep).where(PerformedStep.sop_instance_uid == uid))
    assert step.appointment_id is None and step.warning == "No appointment has the accession number NOSUCHNUMBER."
    session.commit()


def test_the_dicom_rules_of_mpps_are_kept(session, world, checked_in, scanner, dicom):
    uid, accession = generate_uid(), checked_in.accession_number
    session.commit()
    assert scanner.finish(uid, local(9, 20)) == 0x0112  # no such step
    assert scanner.start(uid, accession, local(9, 2)) == 0x0000
    assert scanner.start(uid, accession, local(9, 3)) == 0x0111  # duplicate
    assert Scanner(dicom.port, "CT2").finish(uid, local(9, 20)) == 0x0110  # another scanner's step
    assert scanner.finish(uid, local(8, 0)) == 0x0106  # ends before it started
    assert scanner.finish(uid, local(9, 20), status="DISCONTINUED") == 0x0000
    assert scanner.finish(uid, local(9, 25)) == 0x0110  # discontinued: no more changes
    assert Scanner(dicom.port, "STRANGER").start(generate_uid(), accession, local(9, 2)) is None  # not accepted
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PerformedStep)) == 1
    step = session.scalar(select(PerformedStep))
    assert step.status == "discontinued" and step.ended_at == berlin(TODAY, 9, 20)
    session.commit()


def test_the_same_step_sent_twice_at_once_is_stored_once(session, world, checked_in, scanner):
    consented(session, world, checked_in)
    uid, accession, appointment_id = generate_uid(), checked_in.accession_number, checked_in.id
    session.commit()
    barrier = threading.Barrier(2)
    results = []

    def send():
        barrier.wait()
        results.append(scanner.start(uid, accession, local(9, 2)))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [0x0000, 0x0111]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PerformedStep)) == 1
    assert session.get(Appointment, appointment_id).status == AppointmentStatus.IN_PROCEDURE
    assert len([e for e in session.get(Appointment, appointment_id).events if e.to_status == "in_procedure"]) == 1
    session.commit()
