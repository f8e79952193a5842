"""The finder: the earliest chains of room + radiologist for the table time, then a bed straight after.

A start time ``t`` is possible when, on the 5-minute grid,

* a room of the right modality is open and free for ``[t, t + table)``,
* a qualified radiologist is on duty and free for ``[t, t + table)``,
* some observation bed is free for ``[t + table, t + table + observation)``,
* the patient (if given) has nothing else in ``[t, t + table + observation)``,
* the start is not before the first moment the medication holds allow (if given),
* and, for a plan that gives a steroid, the day is a week or more from the patient's other steroid
  injections (``steroid``).

Each condition becomes a list of allowed start ranges; intersecting them and walking the grid gives
candidates in time order. Days are read a chunk at a time and the search stops as soon as it has
enough, so a full calendar far ahead or years of history behind cost nothing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from ..core.intervals import Interval, intersect, normalise, subtract
from ..core.timefmt import day_bounds, local_instant, to_local
from ..models.vocab import PartOfDay
from . import availability, steroid
from .availability import BedInfo, Busy, Calendar, RadiologistInfo, RoomInfo
from .context import Settings
from .plan import ProcedurePlan

# Allowed start times are closed ranges [first, last]; stored half-open as [first, last + EPSILON).
EPSILON = dt.timedelta(microseconds=1)
NOON = dt.time(12, 0)
# Days read per round: the first round reads three; each later one as many as the days read so far say
# the rest will need (a fifth more, at least one day, at most four weeks), or twice the last round while
# nothing has been found. Every day read costs its bookings' rows, so a round that reads four weeks for
# a last chain on its first day is the finder's largest waste in a full calendar.
FIRST_CHUNK_DAYS = 3
MAX_CHUNK_DAYS = 28


@dataclass(frozen=True)
class Preferences:
    radiologist_id: int | None = None
    room_id: int | None = None
    part_of_day: str = PartOfDay.ANY
    earliest_date: dt.date | None = None


@dataclass(frozen=True)
class Candidate:
    room_id: int
    radiologist_id: int
    bed_id: int | None
    table_start: dt.datetime
    table_end: dt.datetime
    obs_end: dt.datetime

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("table_start", "table_end", "obs_end"):
            data[key] = data[key].isoformat()
        return data


@dataclass(frozen=True)
class SearchRequest:
    plan: ProcedurePlan
    first_day: dt.date
    last_day: dt.date
    preferences: Preferences = Preferences()
    patient_id: int | None = None
    not_before: dt.date | None = None  # the medication hold plan's earliest date
    not_before_at: dt.datetime | None = None  # ... and its first allowed table start, to the minute
    ignore_appointment_id: int | None = None  # when rescheduling: the appointment's own bookings
    ignore_hold_id: int | None = None
    limit: int = 20
    per_day: int | None = None  # at most this many times of one day (spread over several days)
    days: int | None = None  # stop once this many days have offered times (the page shows that many)
    spacing_minutes: int = 0  # times of one day at least this far apart (none: every grid step)
    # The patient's injections, when the caller has read them for its own use too (the booking page's notes):
    # the same patient and appointment left out, from at least a week before the first day. None: read here.
    steroid_history: steroid.History | None = None


def _grid_times(allowed: list[Interval], grid: dt.timedelta) -> Iterator[dt.datetime]:
    """Grid instants inside the allowed ranges. Offsets of real zones are multiples of 15 minutes,
    so a grid aligned on the epoch is aligned on the local clock too."""
    step = grid.total_seconds()
    for start, end in allowed:
        first = math.ceil(start.timestamp() / step) * step
        t = dt.datetime.fromtimestamp(first, dt.UTC)
        while t < end:
            yield t
            t += grid


def _starts_within(
    free: list[Interval], length: dt.timedelta, offset: dt.timedelta = dt.timedelta(0)
) -> list[Interval]:
    """Start times t with [t + offset, t + offset + length) inside a free range."""
    return [(s - offset, e - length - offset + EPSILON) for s, e in free if e - s >= length]


def _subtract_near(free: list[Interval], busy: list[Interval]) -> list[Interval]:
    """``subtract``, given only the busy ranges that reach into ``free``. A chunk holds several days of
    bookings; the others cannot change one day's free time, and ``subtract`` costs busy × pieces."""
    free = normalise(free)
    if not free:
        return free
    low, high = free[0][0], free[-1][1]
    return subtract(free, [b for b in busy if b[0] < high and low < b[1]])


def _labelled(times: Iterator[dt.datetime], order: int, room_id: int, radiologist_id: int):
    for t in times:
        yield t, order, room_id, radiologist_id


class Finder:
    def __init__(self, session: Session, settings: Settings, request: SearchRequest):
        self.session = session
        self.settings = settings
        self.request = request
        plan = request.plan
        prefs = request.preferences
        self.table = plan.table_length
        self.observation = plan.observation_length
        self.grid = dt.timedelta(minutes=settings.grid_minutes)
        self.now = settings.now()
        self.earliest = settings.earliest_start()  # now and the clinic's notice: no time the patient cannot reach
        self.rooms: list[RoomInfo] = availability.rooms_for(session, plan.modality, prefs.room_id)
        self.radiologists: list[RadiologistInfo] = availability.radiologists_for(
            session, plan.procedure_type.id, prefs.radiologist_id
        )
        self.beds: list[BedInfo] = availability.beds(session) if plan.observation_minutes else []
        self.steroid_blocked: frozenset[dt.date] = frozenset()
        if request.patient_id is not None and steroid.gives_steroid(plan.procedure_type.code, plan.stage):
            self.steroid_blocked = steroid.blocked_days(self._steroid_history(), self.first_day())

    def _steroid_history(self) -> steroid.History:
        """The patient's injections around the days searched: the request's, else read."""
        r = self.request
        planned = steroid.Planned.of(r.patient_id, r.plan, r.ignore_appointment_id)
        if r.steroid_history is None:
            return steroid.read_history(self.session, self.settings.zone, planned, self.first_day() - steroid.GAP)
        known = r.steroid_history.planned
        if (known.patient_id, known.ignore_appointment_id) != (planned.patient_id, planned.ignore_appointment_id):
            raise ValueError("the steroid history handed in is not of this patient and appointment")
        return r.steroid_history

    def first_day(self) -> dt.date:
        r = self.request
        today = to_local(self.earliest, self.settings.zone).date()
        candidates = [r.first_day, today]
        if r.preferences.earliest_date:
            candidates.append(r.preferences.earliest_date)
        if r.not_before:
            candidates.append(r.not_before)
        if r.not_before_at:
            candidates.append(to_local(r.not_before_at, self.settings.zone).date())
        return max(candidates)

    def run(self) -> list[Candidate]:
        r = self.request
        if not self.rooms or not self.radiologists or (self.observation and not self.beds):
            return []
        found: list[Candidate] = []
        days_with_times = 0
        day = self.first_day()
        read, size = 0, FIRST_CHUNK_DAYS
        while day <= r.last_day and not self._enough(found, days_with_times):
            last = min(day + dt.timedelta(days=size - 1), r.last_day)
            calendar = Calendar(self.session, self.settings, day, last)
            start, _ = day_bounds(day, self.settings.zone)
            _, end = day_bounds(last, self.settings.zone)
            busy = availability.load_busy(
                self.session,
                start,
                end,
                self.now,
                patient_id=r.patient_id,
                ignore_appointment_id=r.ignore_appointment_id,
                ignore_hold_id=r.ignore_hold_id,
            )
            current = day
            while current <= last and not self._enough(found, days_with_times):
                wanted = r.limit - len(found) if r.per_day is None else min(r.per_day, r.limit - len(found))
                times = self._day(current, calendar, busy, wanted)
                found.extend(times)
                days_with_times += bool(times)
                current += dt.timedelta(days=1)
            read += (last - day).days + 1
            size = self._next_chunk(size, read, len(found), days_with_times)
            day = last + dt.timedelta(days=1)
        return found

    def _enough(self, found: list[Candidate], days_with_times: int) -> bool:
        r = self.request
        return len(found) >= r.limit or (r.days is not None and days_with_times >= r.days)

    def _next_chunk(self, size: int, read: int, found: int, days_with_times: int) -> int:
        """Days to read next: what the days read so far say the rest needs, by times or by days."""
        if not found:
            return min(2 * size, MAX_CHUNK_DAYS)
        needed = (self.request.limit - found) * read / found
        if self.request.days is not None:
            needed = min(needed, (self.request.days - days_with_times) * read / days_with_times)
        return max(1, min(math.ceil(needed * 1.2), MAX_CHUNK_DAYS))

    def _day(self, day: dt.date, calendar: Calendar, busy: Busy, limit: int) -> list[Candidate]:
        if day in self.steroid_blocked:
            return []
        zone = self.settings.zone
        day_start, day_end = day_bounds(day, zone)
        base = [(max(day_start, self.earliest, self.request.not_before_at or day_start), day_end)]
        part = self.request.preferences.part_of_day
        if part == PartOfDay.MORNING:
            base = intersect(base, [(day_start, local_instant(day, NOON, zone))])
        elif part == PartOfDay.AFTERNOON:
            base = intersect(base, [(local_instant(day, NOON, zone), day_end)])
        if self.request.patient_id is not None:
            patient_free = _subtract_near(
                [(day_start - self.table - self.observation, day_end + self.table + self.observation)],
                busy.patient.get(self.request.patient_id, []),
            )
            base = intersect(base, normalise(_starts_within(patient_free, self.table + self.observation)))
        bed_free: dict[int, list[Interval]] = {}
        if self.observation:
            for bed in self.beds:
                bed_free[bed.id] = _subtract_near(calendar.bed_open(bed, day), busy.bed.get(bed.id, []))
            bed_starts = normalise(
                s for bed in self.beds for s in _starts_within(bed_free[bed.id], self.observation, self.table)
            )
            base = intersect(base, bed_starts)
        if not base:
            return []

        room_free = {}
        for room in self.rooms:
            free = _subtract_near(calendar.room_open(room, day), busy.room.get(room.id, []))
            if free:
                room_free[room.id] = free
        radiologist_free = {}
        for rad in self.radiologists:
            free = _subtract_near(calendar.radiologist_on_duty(rad.id, day), busy.radiologist.get(rad.id, []))
            if free:
                radiologist_free[rad.id] = free

        streams = []
        order = 0
        for room in self.rooms:
            if room.id not in room_free:
                continue
            for rad in self.radiologists:
                if rad.id not in radiologist_free:
                    continue
                pair_free = intersect(room_free[room.id], radiologist_free[rad.id])
                allowed = intersect(normalise(_starts_within(pair_free, self.table)), base)
                if allowed:
                    streams.append(_labelled(_grid_times(allowed, self.grid), order, room.id, rad.id))
                    order += 1

        result: list[Candidate] = []
        last_time = None
        spacing = dt.timedelta(minutes=self.request.spacing_minutes)
        for t, _order, room_id, rad_id in heapq.merge(*streams):
            if t == last_time:
                continue  # one chain per start time: the first room/radiologist in preference order
            if spacing and result and t < result[-1].table_start + spacing:
                continue
            bed_id = self._pick_bed(bed_free, t) if self.observation else None
            if self.observation and bed_id is None:
                continue
            last_time = t
            result.append(Candidate(room_id, rad_id, bed_id, t, t + self.table, t + self.table + self.observation))
            if len(result) >= limit:
                break
        return result

    def _pick_bed(self, bed_free: dict[int, list[Interval]], t: dt.datetime) -> int | None:
        """The bed whose free stretch began most recently: keeps the beds packed, long gaps intact."""
        need_start, need_end = t + self.table, t + self.table + self.observation
        best = None
        for bed in self.beds:
            for start, end in bed_free.get(bed.id, ()):
                if start <= need_start and need_end <= end:
                    if best is None or start > best[0]:
                        best = (start, bed.id)
                    break
        return best[1] if best else None


def find_candidates(session: Session, settings: Settings, request: SearchRequest) -> list[Candidate]:
    return Finder(session, settings, request).run()
