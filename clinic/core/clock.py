"""The clock: the one place the machine's time is read.

Everything that needs "now" asks ``utcnow()`` (directly, or through a ``Settings``/``JobContext`` clock,
which default to it). Tests and demos pin it, so that one pinned clock pins everything: the screens, the
services, the model defaults and the jobs.

- ``pin(instant)`` stops the clock at an instant (the test suite pins Monday 23 November 2026).
- ``pin(instant, running=True)`` starts it at an instant and lets it run on with the machine's
  monotonic clock; a scheduler process started by a test gets this through ``CLINIC_CLOCK_START``, so
  its leases still expire while its dates agree with the test's data.
- ``unpin()`` goes back to the machine's clock.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable

UTC = dt.UTC
ENV_START = "CLINIC_CLOCK_START"


def machine_now() -> dt.datetime:
    return dt.datetime.now(UTC)


_source: Callable[[], dt.datetime] = machine_now


def utcnow() -> dt.datetime:
    """The current instant, timezone-aware, in UTC."""
    return _source()


def pin(instant: dt.datetime, *, running: bool = False) -> None:
    global _source
    if instant.tzinfo is None:
        raise ValueError("the clock is pinned to an instant (with time zone)")
    instant = instant.astimezone(UTC)
    if not running:
        _source = lambda: instant  # noqa: E731
        return
    started = time.monotonic()
    _source = lambda: instant + dt.timedelta(seconds=time.monotonic() - started)  # noqa: E731


def unpin() -> None:
    global _source
    _source = machine_now


def pin_from_environment() -> None:
    """A process started with CLINIC_CLOCK_START=<ISO 8601 instant> runs its clock from that instant."""
    start = os.environ.get(ENV_START)
    if start:
        pin(dt.datetime.fromisoformat(start), running=True)
