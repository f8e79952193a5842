"""Half-open intervals ``[start, end)``: the one definition of "overlap", in Python and in SQL.

Two ranges overlap when ``start < other_end and other_start < end``; ranges that only touch
(one ends at 10:20, the next starts at 10:20) do not overlap, so back-to-back bookings are fine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import ColumnElement, and_

T = TypeVar("T", dt.datetime, int, float)
Interval = tuple[T, T]


def overlaps(start: T, end: T, other_start: T, other_end: T) -> bool:
    return start < other_end and other_start < end


def overlap_clause(start_col, end_col, start, end) -> ColumnElement[bool]:
    """The same test as ``overlaps`` for a query."""
    return and_(start_col < end, end_col > start)


def normalise(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, merged, empty ranges dropped."""
    result: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract(free: list[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """``free`` minus every range in ``busy``; both may be unsorted."""
    result = normalise(free)
    for b_start, b_end in normalise(busy):
        next_result: list[Interval] = []
        for start, end in result:
            if not overlaps(start, end, b_start, b_end):
                next_result.append((start, end))
                continue
            if start < b_start:
                next_result.append((start, b_start))
            if b_end < end:
                next_result.append((b_end, end))
        result = next_result
    return result


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Both inputs sorted and merged (as ``normalise`` returns them)."""
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def contains(intervals: list[Interval], start: T, end: T) -> bool:
    """Whether ``[start, end)`` lies inside one of the intervals."""
    return any(s <= start and end <= e for s, e in intervals)
