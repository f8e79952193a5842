"""Day calendar (one column per room, plus the observation beds) and week view.

The grid is an HTML table with rowspans on a 5-minute raster: it needs no inline styles (the CSP
forbids them), prints well, and reads row by row with a screen reader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.access import roles
from ..core.intervals import contains
from ..core.timefmt import day_bounds, local_instant, to_local
from ..extensions import db
from ..models import Appointment, ObservationBed, Room
from ..models.vocab import AppointmentStatus, Role
from ..scheduling.availability import BedInfo, Calendar, RoomInfo
from ..services import stranding
from ..web import local_today, parse_day, scheduling_settings, zone
from . import bp

STEP = dt.timedelta(minutes=5)
HIDDEN = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


@dataclass
class Cell:
    kind: str  # "appointment", "observation", "open", "closed", "covered"
    appointment: Appointment | None = None
    span: int = 1


def _grid(day: dt.date, rooms: list[Room], beds: list[ObservationBed], appointments: list[Appointment]):
    settings = scheduling_settings()
    tz = zone()
    calendar = Calendar(db.session, settings, day, day)
    start = local_instant(day, dt.time(7, 30), tz)
    end = local_instant(day, dt.time(17, 30), tz)
    for a in appointments:
        start, end = min(start, a.table_start), max(end, a.obs_end)
    times = []
    t = start
    while t < end:
        times.append(t)
        t += STEP
    columns: list[tuple[str, list[Cell]]] = []
    for room in rooms:
        info = RoomInfo(room.id, room.name, room.modality, room.unit)
        open_ = calendar.room_open(info, day)
        mine = [a for a in appointments if a.room_id == room.id]
        columns.append((room.name, _cells(times, open_, mine, "appointment", lambda a: (a.table_start, a.table_end))))
    for bed in beds:
        info = BedInfo(bed.id, bed.label, bed.unit)
        open_ = calendar.bed_open(info, day)
        mine = [a for a in appointments if a.bed_id == bed.id]
        columns.append((bed.label, _cells(times, open_, mine, "observation", lambda a: (a.table_end, a.obs_end))))
    return times, columns


def _cells(times, open_, appointments, kind, span_of) -> list[Cell]:
    cells = [Cell("open" if contains(open_, t, t + STEP) else "closed") for t in times]
    for a in appointments:
        s, e = span_of(a)
        if e <= s:
            continue
        first = next((i for i, t in enumerate(times) if t >= s), None)
        if first is None:
            continue
        span = max(1, int((e - max(s, times[first])) / STEP))
        cells[first] = Cell(kind, a, span)
        for i in range(first + 1, min(first + span, len(cells))):
            cells[i] = Cell("covered")
    return cells


# What each cell shows with its appointment: loaded in one query each, not one per appointment.
SHOWN_WITH = (selectinload(Appointment.patient), selectinload(Appointment.procedure_type))
# The day's cells name the radiologist too (a query for them all, not one per radiologist of the day).
SHOWN_WITH_DAY = (*SHOWN_WITH, selectinload(Appointment.radiologist))


@bp.get("/calendar")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST)
def calendar():
    day = parse_day(request.args.get("day"), local_today())
    view = request.args.get("view", "day")
    rooms = db.session.scalars(select(Room).where(Room.active).order_by(Room.sort_order, Room.id)).all()
    beds = db.session.scalars(
        select(ObservationBed).where(ObservationBed.active).order_by(ObservationBed.sort_order, ObservationBed.id)
    ).all()
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        start, _ = day_bounds(monday, zone())
        _, end = day_bounds(monday + dt.timedelta(days=6), zone())
        appointments = db.session.scalars(
            select(Appointment)
            .options(*SHOWN_WITH)
            .where(Appointment.table_start >= start, Appointment.table_start < end, Appointment.status.not_in(HIDDEN))
            .order_by(Appointment.table_start)
        ).all()
        days = [monday + dt.timedelta(days=i) for i in range(7)]
        by_day_room = {(d, r.id): [] for d in days for r in rooms}
        for a in appointments:
            by_day_room.setdefault((to_local(a.table_start, zone()).date(), a.room_id), []).append(a)
        stranded = stranding.still_stranded(db.session, scheduling_settings(), among=[a.id for a in appointments])
        return render_template(
            "frontdesk/calendar_week.html",
            stranded_ids={s.appointment_id for s in stranded},
            day=day,
            days=days,
            rooms=rooms,
            cells=by_day_room,
            prev_url=url_for("frontdesk.calendar", view="week", day=(monday - dt.timedelta(days=7)).isoformat()),
            next_url=url_for("frontdesk.calendar", view="week", day=(monday + dt.timedelta(days=7)).isoformat()),
        )
    start, end = day_bounds(day, zone())
    appointments = db.session.scalars(
        select(Appointment)
        .options(*SHOWN_WITH_DAY)
        .where(Appointment.table_start >= start, Appointment.table_start < end)
        .order_by(Appointment.table_start)
    ).all()
    visible = [a for a in appointments if a.status not in HIDDEN]
    times, columns = _grid(day, rooms, beds, visible)
    # Marked in their cells and listed below the grid (a room switched off has no column of its own).
    stranded = stranding.still_stranded(db.session, scheduling_settings(), among=[a.id for a in visible])
    return render_template(
        "frontdesk/calendar_day.html",
        day=day,
        times=times,
        columns=columns,
        room_count=len(rooms),
        ended=[a for a in appointments if a.status in HIDDEN],
        stranded=stranded,
        stranded_ids={s.appointment_id for s in stranded},
        prev_url=url_for("frontdesk.calendar", day=(day - dt.timedelta(days=1)).isoformat()),
        next_url=url_for("frontdesk.calendar", day=(day + dt.timedelta(days=1)).isoformat()),
    )
