"""Outcomes and activity per procedure and period, with the published figures beside them.

Published figures come from the clinical facts file and are labelled with their kind: trial evidence
and clinic claims are not the same thing, and the facet "90% of back pain" claim is never shown."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.messages import N_, Phrase
from ..core.timefmt import day_bounds, to_local
from ..models import Appointment, FollowUp, ProcedureType, Referral, Room
from ..models.vocab import AppointmentStatus, FollowUpKind, FollowUpStatus, ReliefCategory
from ..scheduling.availability import Calendar, RoomInfo
from ..scheduling.context import Settings

# (kind, text): English, marked for the catalogue; the report shows them in the reader's language. The
# figures are values of the sentences, so that no translation can change them.
PUBLISHED = {
    "PRT": [
        (
            "evidence",
            Phrase(
                N_(
                    "Controlled trial: {relieved} had at least {threshold} relief at one month, against {control} "
                    "in the control groups (Ghahreman 2010)."
                ),
                relieved="54%",
                threshold="50%",
                control="7–21%",
            ),
        ),
        (
            "claim",
            Phrase(
                N_(
                    "Clinic experience quoted in practice information: {relieved} complete or significant relief. "
                    "Higher than trial data; not guideline evidence."
                ),
                relieved="60–80%",
            ),
        ),
    ],
    "FACET": [
        (
            "evidence",
            Phrase(
                N_(
                    "Randomised trial of repeated medial branch blocks in patients positive on two test blocks: "
                    "{relieved} with significant relief at two years (Manchikanti 2010)."
                ),
                relieved="85–90%",
            ),
        ),
        (
            "context",
            Phrase(N_("Facet joints are the source in roughly {share} of chronic low back pain."), share="15–45%"),
        ),
    ],
    "RFA": [
        (
            "evidence",
            Phrase(
                N_(
                    "In rigorously selected patients, {relieved} had complete relief for six months or more "
                    "(MacVicar 2013); benefit typically lasts {months} months."
                ),
                relieved="53–58%",
                months="6–12",
            ),
        ),
    ],
    "SYMP": [
        (
            "context",
            Phrase(
                N_(
                    "A positive diagnostic block predicts benefit from the neurolytic stage; the facts file gives "
                    "no relief rate to compare with."
                )
            ),
        ),
    ],
    "EPI": [
        (
            "evidence",
            Phrase(
                N_(
                    "Good evidence for radicular pain from disc herniation, fair for spinal stenosis "
                    "(ASIPP guideline summary); no single relief rate."
                )
            ),
        ),
    ],
}
CATEGORIES = [c.value for c in ReliefCategory]


@dataclass
class OutcomeRow:
    procedure: ProcedureType
    done: int = 0
    discharged: int = 0
    categories: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))

    def percent(self, category: str) -> float:
        return round(100 * self.categories[category] / self.done, 1) if self.done else 0.0

    @property
    def published(self) -> list[tuple[str, str]]:
        """(kind, text) of the published figures; each text a marked phrase, shown in the reader's language."""
        return PUBLISHED.get(self.procedure.code, [])


@dataclass
class Activity:
    room_use: list[tuple[Room, int, int]]  # room, booked minutes, session minutes
    no_show_rate: float | None
    no_shows: int
    attended: int
    median_wait_days: float | None
    waits: int


def _period(settings: Settings, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start, _ = day_bounds(first, settings.zone)
    _, end = day_bounds(last, settings.zone)
    return start, end


def outcomes(
    session: Session,
    settings: Settings,
    first: dt.date,
    last: dt.date,
    procedure_type_id: int | None = None,
    kind: str = FollowUpKind.TWO_WEEKS,
) -> list[OutcomeRow]:
    start, end = _period(settings, first, last)
    types = session.scalars(select(ProcedureType).order_by(ProcedureType.sort_order)).all()
    rows = {t.id: OutcomeRow(t) for t in types if procedure_type_id in (None, t.id)}
    for type_id, status in session.execute(
        select(Appointment.procedure_type_id, Appointment.status).where(
            Appointment.table_start >= start, Appointment.table_start < end
        )
    ):
        if type_id in rows and status == AppointmentStatus.DISCHARGED:
            rows[type_id].discharged += 1
    for type_id, category in session.execute(
        select(Appointment.procedure_type_id, FollowUp.relief_category)
        .join(FollowUp)
        .where(
            Appointment.table_start >= start,
            Appointment.table_start < end,
            FollowUp.kind == kind,
            FollowUp.status == FollowUpStatus.DONE,
        )
    ):
        if type_id in rows and category in CATEGORIES:
            rows[type_id].done += 1
            rows[type_id].categories[category] += 1
    return list(rows.values())


def activity(session: Session, settings: Settings, first: dt.date, last: dt.date) -> Activity:
    start, end = _period(settings, first, last)
    calendar = Calendar(session, settings, first, last)
    rooms = session.scalars(select(Room).order_by(Room.sort_order)).all()
    booked: dict[int, int] = {r.id: 0 for r in rooms}
    no_shows = attended = 0
    for room_id, table_start, table_end, status in session.execute(
        select(Appointment.room_id, Appointment.table_start, Appointment.table_end, Appointment.status).where(
            Appointment.table_start >= start, Appointment.table_start < end
        )
    ):
        if status not in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
            booked[room_id] = booked.get(room_id, 0) + int((table_end - table_start).total_seconds() // 60)
        if status == AppointmentStatus.NO_SHOW:
            no_shows += 1
        elif status == AppointmentStatus.DISCHARGED:
            attended += 1
    room_use = []
    for room in rooms:
        info = RoomInfo(room.id, room.name, room.modality, room.unit)
        minutes = 0
        day = first
        while day <= last:
            minutes += sum(int((e - s).total_seconds() // 60) for s, e in calendar.room_open(info, day))
            day += dt.timedelta(days=1)
        room_use.append((room, booked.get(room.id, 0), minutes))
    waits = [
        (to_local(table_start, settings.zone).date() - received).days
        for received, table_start in session.execute(
            select(Referral.received_on, Appointment.table_start)
            .join(Appointment, Appointment.referral_id == Referral.id)
            .where(
                Appointment.table_start >= start,
                Appointment.table_start < end,
                Appointment.status == AppointmentStatus.DISCHARGED,
            )
        )
    ]
    total = no_shows + attended
    return Activity(
        room_use=room_use,
        no_show_rate=round(100 * no_shows / total, 1) if total else None,
        no_shows=no_shows,
        attended=attended,
        median_wait_days=statistics.median(waits) if waits else None,
        waits=len(waits),
    )
