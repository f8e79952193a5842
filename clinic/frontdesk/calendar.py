"""Day calendar (one column per room, plus the observation beds) and week view.

The grid is an HTML table with rowspans on a 5-minute raster: it needs no inline styles (the CSP
forbids them), prints well, and reads row by row with a screen reader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.access import roles
from ..core.timefmt import day_bounds, local_instant, to_local
from ..extensions import db
from ..models import Appointment, ObservationBed, Room
from ..models.vocab import AppointmentStatus, Role
from ..scheduling.availability import BedInfo, Calendar, RoomInfo
from ..services import stranding
from ..web import local_today, scheduling_settings, zone
from . import bp
from .forms import CalendarDayForm

STEP = dt.timedelta(minutes=5)
HIDDEN = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


@dataclass
class Cell:
    kind: str  # "appointment", "observation", "open", "closed", "covered"
    appointment: Appointment | None = None
    span: int = 1


@dataclass
class Row:
    """One 5-minute row of the printed grid: its time label (on the hour and half hour only) and the
    cells that start in it, left to right (a cell spanning rows is printed in its first row only)."""

    label: str
    cells: list[Cell]


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
    return _rows(times, [cells for _, cells in columns], tz), [name for name, _ in columns]


def _rows(times: list[dt.datetime], columns: list[list[Cell]], tz: str) -> list[Row]:
    """The grid row by row, as the table prints it. Empty cells of a kind (open, closed) that follow
    one another in a column are one cell, up to the next hour or half hour, where the grid's line and
    the time label are: a day of ten hours in nine columns prints about 300 cells, not 1100."""
    locals_ = [to_local(t, tz) for t in times]
    marks = [local.minute in (0, 30) for local in locals_]
    rows = [
        Row(f"{local.hour:02d}:{local.minute:02d}" if mark else "", [])
        for local, mark in zip(locals_, marks, strict=True)
    ]
    for cells in columns:
        i = 0
        while i < len(cells):
            cell = cells[i]
            if cell.kind in ("open", "closed"):
                j = i + 1
                while j < len(cells) and cells[j].kind == cell.kind and not marks[j]:
                    j += 1
                rows[i].cells.append(Cell(cell.kind, span=j - i))
                i = j
                continue
            if cell.kind != "covered":
                rows[i].cells.append(cell)
            i += 1
    return rows


def _cells(times, open_, appointments, kind, span_of) -> list[Cell]:
    """One column: each 5-minute row open or closed, then each appointment's cell where it starts, with the
    rows it covers. ``times`` is a raster (the first time plus whole steps), so a time's row is arithmetic."""
    cells = [Cell("open" if slot else "closed") for slot in _open_rows(times, open_)]
    for a in appointments:
        s, e = span_of(a)
        if e <= s or not times or s > times[-1]:
            continue
        first = _row_at_or_after(times, s)
        span = max(1, int((e - max(s, times[first])) / STEP))
        cells[first] = Cell(kind, a, span)
        for i in range(first + 1, min(first + span, len(cells))):
            cells[i] = Cell("covered")
    return cells


def _row_at_or_after(times: list[dt.datetime], instant: dt.datetime) -> int:
    """The first row whose time is not before ``instant`` (0 for an instant before the grid)."""
    return max(0, -((times[0] - instant) // STEP))


def _open_rows(times: list[dt.datetime], open_: list[tuple[dt.datetime, dt.datetime]]) -> list[bool]:
    """Per row, whether its five minutes lie inside one of the open intervals (``core.intervals.contains``
    for each row, by arithmetic on the raster: a day's grid has about a thousand cells)."""
    rows = [False] * len(times)
    for start, end in open_:
        if not times or end <= times[0]:
            continue
        for i in range(_row_at_or_after(times, start), min(len(times), (end - times[0]) // STEP)):
            rows[i] = True
    return rows


# What each cell shows with its appointment: many-to-one, one row each, so in the appointments' own
# statement (joined), not a query per appointment nor a round trip each.
SHOWN_WITH = (joinedload(Appointment.patient), joinedload(Appointment.procedure_type))
# The day's cells name the radiologist too.
SHOWN_WITH_DAY = (*SHOWN_WITH, joinedload(Appointment.radiologist))


@bp.get("/calendar")
@roles(Role.FRONT_DESK, Role.RADIOLOGIST)
def calendar():
    form = CalendarDayForm(request.args)
    view = request.args.get("view", "day")
    template = "frontdesk/calendar_week.html" if view == "week" else "frontdesk/calendar_day.html"
    if not form.validate():
        # A day that cannot be read (2026-02-31, abc, a year such as 0001): the calendar's page with the
        # message at the date field, which keeps what was typed; no grid, as no day was chosen.
        return render_template(template, form=form, day=None), 400
    day = form.day.data or local_today()
    form.day.data = day
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
            template,
            form=form,
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
    rows, names = _grid(day, rooms, beds, visible)
    # Marked in their cells and listed below the grid (a room switched off has no column of its own).
    stranded = stranding.still_stranded(db.session, scheduling_settings(), among=[a.id for a in visible])
    return render_template(
        template,
        form=form,
        day=day,
        rows=rows,
        names=names,
        room_count=len(rooms),
        ended=[a for a in appointments if a.status in HIDDEN],
        stranded=stranded,
        stranded_ids={s.appointment_id for s in stranded},
        prev_url=url_for("frontdesk.calendar", day=(day - dt.timedelta(days=1)).isoformat()),
        next_url=url_for("frontdesk.calendar", day=(day + dt.timedelta(days=1)).isoformat()),
    )
