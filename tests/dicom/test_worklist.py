"""The scanners' worklist, asked by dcmtk's ``findscu -W`` as a scanner console would, on both databases:
today's booked and checked-in patients of the asking room only, names in UTF-8 with their umlauts;
another room's AE title hears nothing of them, and an unknown AE title is refused at association."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pydicom
import pytest
from sqlalchemy import select

from clinic.models import AuditEvent
from clinic.services import modality_worklist
from tests.conftest import TODAY
from tests.factories import make_patient

from .conftest import OUR_AE, berlin, run_tool, tool

SPS = "ScheduledProcedureStepSequence[0]"
RETURN_KEYS = [
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "AccessionNumber",
    "StudyInstanceUID",
    "RequestedProcedureID",
    "RequestedProcedureDescription",
    "RequestedProcedureCodeSequence[0].CodeValue",
    "RequestedProcedureCodeSequence[0].CodingSchemeDesignator",
    "RequestedProcedureCodeSequence[0].CodeMeaning",
    f"{SPS}.ScheduledProcedureStepStartTime",
    f"{SPS}.ScheduledPerformingPhysicianName",
    f"{SPS}.ScheduledProcedureStepStatus",
    f"{SPS}.ScheduledStationName",
]


def findscu(port: int, out: Path, *, calling: str, keys: dict[str, str] | None = None, extra: list[str] = ()):
    """``findscu -W`` with the return keys above and the given matching keys; the answers as datasets."""
    out.mkdir(parents=True, exist_ok=True)
    args = [tool("findscu"), "-W", "-aet", calling, "-aec", OUR_AE, "-to", "20", "-X", "-od", str(out)]
    for key in RETURN_KEYS:
        args += ["-k", key]
    for key, value in (keys or {}).items():
        args += ["-k", f"{key}={value}"]
    result = run_tool(*args, *extra, "127.0.0.1", str(port))
    answers = [pydicom.dcmread(path) for path in sorted(out.glob("rsp*.dcm"))]
    return result, answers


def today_for(station: str) -> dict[str, str]:
    return {
        f"{SPS}.ScheduledStationAETitle": station,
        f"{SPS}.ScheduledProcedureStepStartDate": TODAY.strftime("%Y%m%d"),
        f"{SPS}.Modality": "CT",
    }


@pytest.fixture
def day(session, settings, world, zoe):
    """Today in CT 1: Zoë Müller checked in at 09:00, someone booked at 10:00 (not yet arrived), one
    cancelled at 11:00; CT 2 has its own patient at 09:00; CT 1 has another patient tomorrow."""
    checked_in = world.book(session, settings, start=berlin(TODAY, 9), patient=zoe)
    world.check_in(session, checked_in)
    booked = world.book(
        session, settings, start=berlin(TODAY, 10), patient=make_patient(session, family_name="Weiß", given_name="Jörg")
    )
    cancelled = world.book(session, settings, start=berlin(TODAY, 11))
    cancelled.status, cancelled.cancel_reason = "cancelled", "patient ill"
    other_room = world.book(
        session, settings, room=world.ct2, start=berlin(TODAY, 9), patient=make_patient(session, family_name="Øster")
    )
    tomorrow = world.book(session, settings, start=berlin(TODAY + dt.timedelta(days=1), 9))
    session.flush()
    appointments = {
        "checked_in": checked_in,
        "booked": booked,
        "cancelled": cancelled,
        "other_room": other_room,
        "tomorrow": tomorrow,
    }
    # Plain values, read before the commit: on SQLite a test that reads through its session afterwards
    # opens a transaction, and with it the write lock the DICOM service's own reads wait for.
    numbers = {name: a.accession_number for name, a in appointments.items()}
    numbers["reference"] = checked_in.reference
    numbers["procedure"] = checked_in.procedure_type.name_en
    numbers["ct1"] = checked_in.room_id
    session.commit()
    return numbers


def test_findscu_gets_todays_patients_of_its_room_with_their_umlauts(session, day, dicom, tmp_path):
    result, answers = findscu(dicom.port, tmp_path / "ct1", calling="CT1", keys=today_for("CT1"))
    assert result.returncode == 0, result.stderr.decode(errors="replace")

    assert [a.AccessionNumber for a in answers] == [day["checked_in"], day["booked"]]
    zoe = answers[0]
    assert zoe.SpecificCharacterSet == "ISO_IR 192"
    assert str(zoe.PatientName) == "Müller^Zoë"
    assert "Müller^Zoë".encode() in (tmp_path / "ct1" / "rsp0001.dcm").read_bytes()  # UTF-8 on the wire
    assert zoe.PatientID == "P-4711"
    assert zoe.PatientBirthDate == "19610409"
    assert zoe.PatientSex == "F"
    assert zoe.StudyInstanceUID == modality_worklist.study_instance_uid(day["checked_in"])
    assert zoe.RequestedProcedureID == day["reference"].replace("-", "")
    assert zoe.RequestedProcedureDescription == "PRT lumbar left L4/5"
    code = zoe.RequestedProcedureCodeSequence[0]
    assert (code.CodeValue, code.CodingSchemeDesignator) == ("PRT", "99PAINCLINIC")
    assert code.CodeMeaning == day["procedure"]
    step = zoe.ScheduledProcedureStepSequence[0]
    assert step.ScheduledStationAETitle == "CT1"
    assert step.ScheduledProcedureStepStartDate == "20261123"
    assert step.ScheduledProcedureStepStartTime == "090000"  # Berlin wall-clock time, as DICOM writes it
    assert step.Modality == "CT"
    assert step.ScheduledStationName == "CT 1"
    assert step.ScheduledProcedureStepStatus == "ARRIVED"
    assert str(step.ScheduledPerformingPhysicianName) == "1^Radiologist^^Dr."  # "Dr. Radiologist 1"
    weiss = answers[1]
    assert str(weiss.PatientName).startswith("Weiß^Jörg")
    assert weiss.ScheduledProcedureStepSequence[0].ScheduledProcedureStepStatus == "SCHEDULED"
    assert weiss.ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime == "100000"


def test_another_rooms_ae_title_hears_nothing_of_this_room(session, day, dicom, tmp_path):
    result, answers = findscu(dicom.port, tmp_path / "ct2", calling="CT2", keys=today_for("CT2"))
    assert result.returncode == 0
    assert [a.AccessionNumber for a in answers] == [day["other_room"]]
    assert str(answers[0].PatientName).startswith("Øster^")

    # Asking under its own title for CT 1's station gets nothing either.
    result, answers = findscu(dicom.port, tmp_path / "ct2-asks-ct1", calling="CT2", keys=today_for("CT1"))
    assert result.returncode == 0 and answers == []
    # The MR scanner asking for CT gets nothing; a room without appointments today neither.
    result, answers = findscu(dicom.port, tmp_path / "mrt", calling="MRT1", keys={})
    assert result.returncode == 0 and answers == []


def test_an_unknown_ae_title_is_refused_at_association(session, day, dicom, tmp_path):
    result, answers = findscu(dicom.port, tmp_path / "stranger", calling="STRANGER", keys=today_for("CT1"))
    assert result.returncode != 0
    assert "Association Rejected" in result.stderr.decode(errors="replace")
    assert answers == []


def test_a_room_switched_off_or_renamed_is_refused_at_once(session, world, day, dicom, tmp_path):
    world.ct1.ae_title = "CT1-NEW"
    session.commit()
    result, answers = findscu(dicom.port, tmp_path / "old", calling="CT1", keys=today_for("CT1"))
    assert result.returncode != 0 and answers == []
    result, answers = findscu(dicom.port, tmp_path / "new", calling="CT1-NEW", keys={})
    assert [a.AccessionNumber for a in answers] == [day["checked_in"], day["booked"]]
    world.ct1.active = False
    session.commit()
    result, answers = findscu(dicom.port, tmp_path / "off", calling="CT1-NEW", keys={})
    assert result.returncode != 0 and answers == []


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"PatientName": "MULLER*"}, ["checked_in"]),  # consoles type upper case without umlauts
        ({"SpecificCharacterSet": "ISO_IR 192", "PatientName": "Müller^Zoë"}, ["checked_in"]),
        ({"PatientName": "W*"}, ["booked"]),
        ({"PatientID": "P-4711"}, ["checked_in"]),
        ({f"{SPS}.ScheduledProcedureStepStartDate": "20261123-20261124"}, ["checked_in", "booked", "tomorrow"]),
        ({f"{SPS}.ScheduledProcedureStepStartDate": "20261124"}, ["tomorrow"]),
        ({f"{SPS}.ScheduledProcedureStepStartTime": "0930-1200"}, ["booked"]),
        ({f"{SPS}.Modality": "MR"}, []),
    ],
)
def test_the_scanners_matching_keys_narrow_the_list(session, day, dicom, tmp_path, keys, expected):
    result, answers = findscu(dicom.port, tmp_path / "q", calling="CT1", keys=keys)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert [a.AccessionNumber for a in answers] == [day[name] for name in expected]


def test_the_accession_number_finds_exactly_its_appointment(session, day, dicom, tmp_path):
    number = day["booked"]
    result, answers = findscu(dicom.port, tmp_path / "acc", calling="CT1", keys={"AccessionNumber": number})
    assert result.returncode == 0 and [a.AccessionNumber for a in answers] == [number]


def test_every_worklist_query_is_in_the_audit_trail(session, day, dicom, tmp_path):
    findscu(dicom.port, tmp_path / "audit", calling="CT1", keys=today_for("CT1"))
    session.expire_all()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "dicom.worklist_query"))
    assert event.actor_name == "scanner CT1" and event.object_id == str(day["ct1"])
    assert '"entries": 2' in event.summary
    assert "Müller" not in event.summary  # no patient data in the trail's text
