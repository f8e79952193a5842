"""The procedure day's set-up for tests: a booked appointment taken through the services to the
procedure or to observation, and a crowded observation area (a stay that runs over its bed)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.models import DrugOption
from clinic.services import procedure_day
from tests import factories
from tests.conftest import NOW, ZONE
from tests.factories import build_clinic, make_ready_referral, sign_consent
from tests.scheduling.helpers import chain, utc


def day_appointment(session, settings, clinic=None, candidate=None, *, to=None, **kw):
    """A new ready referral (``kw`` as for make_ready_referral) booked in a clinic with texts; ``to``
    (``to_procedure``, ``to_observation``) takes it on through the day."""
    clinic = clinic or build_clinic(session, texts=True)
    appointment = factories.book(session, settings, make_ready_referral(session, clinic, **kw), candidate)
    if to is not None:
        to(session, clinic, appointment)
    return clinic, appointment


def to_procedure(session, clinic, appointment, at=NOW):
    """Checked in and started at ``at``; the consent printed and signed now (the test clock)."""
    procedure_day.check_in(session, None, appointment, at=at, zone=ZONE)
    sign_consent(session, clinic, appointment, actor=clinic.radiologists[0], explained_at=at - dt.timedelta(days=3))
    return procedure_day.start_procedure(session, clinic.radiologists[0], appointment, at=at, zone=ZONE)


def to_observation(session, clinic, appointment, at=None):
    to_procedure(session, clinic, appointment)
    return procedure_day.end_procedure(session, None, appointment, at=at or NOW + dt.timedelta(minutes=20))


START = utc(2026, 11, 23, 8, 0)  # 09:00 in Berlin


def crowded(session, settings):
    """A (bed 1) stays longer than booked; B, booked on bed 1 after A, comes out of the procedure while
    A is still there; C holds bed 3 from 08:45 (UTC)."""
    clinic = build_clinic(session, texts=True)
    ct1, ct2 = clinic.rooms["CT 1"], clinic.rooms["CT 2"]
    r1, r2 = clinic.radiologists[:2]
    bed1, bed3 = clinic.beds[0], clinic.beds[2]
    _, a = day_appointment(session, settings, clinic, candidate=chain(ct1, r1, bed1, START, 20, 30))
    _, b = day_appointment(
        session, settings, clinic, candidate=chain(ct2, r2, bed1, START + dt.timedelta(minutes=30), 20, 30)
    )
    _, c = day_appointment(
        session, settings, clinic, candidate=chain(ct1, r1, bed3, START + dt.timedelta(minutes=25), 20, 30)
    )
    to_procedure(session, clinic, a)
    procedure_day.end_procedure(session, None, a, at=START + dt.timedelta(minutes=20))
    procedure_day.extend_observation(session, None, a, 30, "Leg still numb")
    to_procedure(session, clinic, b)
    procedure_day.end_procedure(session, None, b, at=START + dt.timedelta(minutes=50))
    return clinic, a, b, c


def record_form(session, *, started: str = "07:00", ended: str = "07:15", **fields) -> dict[str, str]:
    """The fields of a complete procedure record on the pinned day (a transforaminal block under CT with
    0.5 ml bupivacaine), as the record form posts them; ``fields`` (without the ``record-`` prefix)
    replace or add to them."""
    bupivacaine = session.scalar(select(DrugOption).where(DrugOption.name == "Bupivacaine"))
    data = {
        "started_at": f"2026-11-23T{started}",
        "ended_at": f"2026-11-23T{ended}",
        "approach": "transforaminal",
        "side": "left",
        "guidance": "CT",
        "pain_before": "7",
        "pain_after": "2",
        "complications": "keine",
        "drugs-0-drug_option_id": str(bupivacaine.id),
        "drugs-0-dose": "0.5",
        **fields,
    }
    return {f"record-{name}": value for name, value in data.items()}
