"""The day calendar's grid as the browser lays it out: every column filled exactly once per 5-minute row
(rowspans included), empty runs printed as one cell up to the next half hour, appointments where they
start. The grid is read back from the HTML the way a browser places cells, not from our own code."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from clinic.core.intervals import contains
from clinic.core.timefmt import to_local
from clinic.frontdesk.calendar import STEP, _open_rows, _row_at_or_after
from tests.conftest import ZONE
from tests.factories import book, build_clinic, make_patient, make_ready_referral

DAY = dt.date(2026, 11, 24)


class Grid(HTMLParser):
    """The calendar table's body: per row, its time label and its cells (class, rowspan, link)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[tuple[str, int, str]]]] = []
        self.columns = 0
        self._in_table = self._in_body = self._in_label = False
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "calendar-grid" in (attrs.get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "th" and not self._in_body:
            self.columns += 1
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append(("", []))
        elif self._in_body and tag == "th":
            self._in_label = True
        elif self._in_body and tag == "td":
            self._cell = [attrs.get("class") or "", int(attrs.get("rowspan", 1)), ""]
            self.rows[-1][1].append(self._cell)
        elif self._cell is not None and tag == "a":
            self._cell[2] = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = self._in_table = False
        elif tag == "th":
            self._in_label = False
        elif tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._in_label and data.strip():
            self.rows[-1] = (data.strip(), self.rows[-1][1])


def _layout(grid: Grid) -> list[list[tuple[str, str]]]:
    """Each row's slots, column by column, as (class, link) of the cell covering it: HTML's rowspan rule."""
    width = grid.columns - 1  # the time column
    taken: list[list[tuple[str, str] | None]] = [[None] * width for _ in grid.rows]
    for r, (_, cells) in enumerate(grid.rows):
        column = 0
        for css, span, link in cells:
            while column < width and taken[r][column] is not None:
                column += 1
            assert column < width, f"row {r} has more cells than the grid has columns"
            for below in range(r, min(r + span, len(grid.rows))):
                assert taken[below][column] is None, f"two cells cover row {below}, column {column}"
                taken[below][column] = (css, link)
            column += 1
    for r, slots in enumerate(taken):
        assert None not in slots, f"row {r} ({grid.rows[r][0]!r}) leaves a column empty"
    return taken


def test_the_day_grid_covers_every_slot_once_and_merges_empty_runs_up_to_the_half_hour(session, settings, browser):
    clinic = build_clinic(session)
    booked = []
    for given_name in ("Anna", "Berta", "Clara"):
        patient = make_patient(session, family_name="Grid", given_name=given_name)
        referral = make_ready_referral(session, clinic, patient)
        booked.append(book(session, settings, referral, first_day=DAY, days=1, limit=1))
    session.commit()
    browser.login("frontdesk")
    html = browser.get(f"/desk/calendar?day={DAY.isoformat()}").get_data(as_text=True)

    grid = Grid()
    grid.feed(html)
    layout = _layout(grid)
    labels = [label for label, _ in grid.rows]
    assert labels[0] == "07:30" and all(re.fullmatch(r"\d\d:[03]0|", label) for label in labels)
    assert [i for i, label in enumerate(labels) if label] == list(range(0, len(labels), 6))

    for appointment in booked:
        start = to_local(appointment.table_start, ZONE)
        row = labels.index(f"{start.hour:02d}:{start.minute // 30 * 30:02d}") + start.minute % 30 // 5
        link = f"/desk/appointments/{appointment.id}"
        slots = [
            r
            for r, slots in enumerate(layout)
            if any(css.startswith("cal-slot") and href == link for css, href in slots)
        ]
        steps = int((appointment.table_end - appointment.table_start) / dt.timedelta(minutes=5))
        assert slots == list(range(row, row + steps))  # its room's column, from its start, for its length

    # Empty cells are merged, never across a half hour's line, and stay one kind (open or closed).
    cells = [cell for _, row in grid.rows for cell in row]
    empty = [(css, span) for css, span, _ in cells if css in ("cal-open", "cal-closed")]
    assert max(span for _, span in empty) == 6
    assert len(cells) < len(grid.rows) * (grid.columns - 1) / 3
    for r, (_, row) in enumerate(grid.rows):
        for css, span, _ in row:
            if css in ("cal-open", "cal-closed"):
                assert not any(labels[below] for below in range(r + 1, r + span))


START = dt.datetime(2026, 3, 29, 6, 30, tzinfo=dt.UTC)  # a raster across the night the clocks go forward


@given(
    rows=st.integers(min_value=0, max_value=150),
    intervals=st.lists(
        st.tuples(st.integers(min_value=-100, max_value=900), st.integers(min_value=0, max_value=400)), max_size=4
    ),
)
def test_a_rows_open_state_is_what_the_interval_rule_says(rows, intervals):
    """The grid finds open rows by arithmetic on its raster; the rule it stands for is
    ``core.intervals.contains`` for each row's five minutes, with intervals at any minute."""
    times = [START + i * STEP for i in range(rows)]
    open_ = sorted(
        (START + dt.timedelta(minutes=s), START + dt.timedelta(minutes=s + length)) for s, length in intervals
    )
    assert _open_rows(times, open_) == [contains(open_, t, t + STEP) for t in times]
    for s, _ in open_:
        if times and s <= times[-1]:
            assert _row_at_or_after(times, s) == next(i for i, t in enumerate(times) if t >= s)
