"""A plan's spinal levels lie in its region: the cervical spine with "L4/5" is refused at the levels field
at triage (screen and API), and a plan saved before the check is not booked (walk finding: a radiologist
accepted a cervical PRT with the level L4/5, which went onto the booking page as "Halswirbelsäule Rechts
L4/5")."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clinic.core.spine import outside, vertebrae
from clinic.models import Referral
from clinic.models.vocab import ReferralStatus
from clinic.scheduling.plan import ProcedurePlan
from tests.factories import build_clinic, make_referral


@pytest.mark.parametrize(
    ("levels", "region", "wrong"),
    [
        ("L4/5", "cervical", ["L4/5"]),
        ("C5/6", "lumbar", ["C5/6"]),
        ("C5/6, L4/5", "cervical", ["L4/5"]),
        ("l4-l5", "thoracic", ["l4-l5"]),
        ("Th12/L1", "lumbar", []),  # across a junction: fits either side
        ("C7/Th1", "cervical", []),
        ("C7/Th1", "thoracic", []),
        ("L5/S1", "lumbar", []),
        ("L5/S1", "sacral", []),
        ("S1", "lumbar", []),  # the S1 root at the lumbosacral junction
        ("T12", "thoracic", []),
        ("C8", "cervical", []),
        ("L4/5; L5/S1", "lumbar", []),
        ("caudal", "sacral", []),  # names no vertebra: not judged
        ("L4/5", "other", []),
        ("L4/5", None, []),
        ("", "cervical", []),
    ],
)
def test_levels_outside_their_region(levels, region, wrong):
    assert outside(levels, region) == wrong


def test_vertebrae_read_as_staff_write_them():
    assert vertebrae("Th12/L1") == {("thoracic", 12), ("lumbar", 1)}
    assert vertebrae("L4–S1 beidseits") == {("lumbar", 4), ("sacral", 1)}
    assert vertebrae("links") == set()


def _accept(levels: str, region: str, pt_id: int) -> dict[str, str]:
    return {
        "accept-procedure_type_id": str(pt_id),
        "accept-region": region,
        "accept-side": "right",
        "accept-levels": levels,
        "accept-stage": "",
        "accept-guidance": "CT",
        "accept-target": "",
        "accept-priority": "routine",
    }


def test_triage_refuses_a_lumbar_level_on_a_cervical_plan_at_the_field(session, browser):
    clinic = build_clinic(session)
    referral = make_referral(session, received_on=dt.date(2026, 11, 20))
    session.commit()
    browser.login("rad1")
    path = f"/radiology/referrals/{referral.id}"
    refused = browser.post(f"{path}/accept", _accept("L4/5", "cervical", clinic.pt("PRT").id), form_page=path)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "L4/5 does not lie in the chosen region (Cervical): check the level(s) and the region." in html
    assert re.search(r'id="accept-levels"[^>]*is-invalid|class="[^"]*is-invalid[^"]*"[^>]*id="accept-levels"', html)
    assert re.search(r'id="accept-levels"[^>]*value="L4/5"|value="L4/5"[^>]*id="accept-levels"', html)
    session.expire_all()
    stored = session.get(Referral, referral.id)
    assert stored.status == ReferralStatus.RECEIVED and stored.planned_procedure_type_id is None

    accepted = browser.post(f"{path}/accept", _accept("C5/6", "cervical", clinic.pt("PRT").id), form_page=path)
    assert accepted.status_code == 302
    session.expire_all()
    assert session.get(Referral, referral.id).planned_levels == "C5/6"


def test_a_plan_saved_before_the_check_is_not_bookable(session):
    clinic = build_clinic(session)
    plan = ProcedurePlan(clinic.pt("PRT"), region="cervical", side="right", levels="L4/5")
    assert [str(p) for p in plan.problems()] == ["level L4/5 lies outside the region (Cervical)"]
    assert ProcedurePlan(clinic.pt("PRT"), region="cervical", side="right", levels="C5/6").problems() == []


def test_a_record_with_a_level_outside_the_appointments_region_is_refused_at_its_field(session, settings):
    from clinic.core.errors import InvalidInput
    from clinic.services import procedure_records
    from tests.conftest import ZONE
    from tests.factories import record_details
    from tests.radiology.day_helpers import day_appointment, to_procedure

    clinic, appointment = day_appointment(session, settings, region="cervical", side="right")
    record = to_procedure(session, clinic, appointment)
    radiologist = clinic.radiologists[0]
    with pytest.raises(InvalidInput) as refused:
        procedure_records.update(
            session, radiologist, record, record_details(record, levels="L4/5", ended_at=None), zone=ZONE
        )
    assert refused.value.fields == ("levels",)
    assert str(refused.value) == "L4/5 does not lie in this appointment's region (Cervical): check the level(s)."
    assert record.levels == "C5/6"  # the plan's level, as the record started with: nothing saved
    procedure_records.update(
        session, radiologist, record, record_details(record, levels="C5/6", ended_at=None), zone=ZONE
    )
    assert record.levels == "C5/6"
