"""Loaded through PYTHONPATH in the suite's runs under faketime only (``make test-shifted``).

libfaketime 0.9.10 (Debian 12) and Python 3.11 disagree about two clocks:

- with the monotonic clock faked, a lock's or an event's timeout (``sem_clockwait`` on CLOCK_MONOTONIC,
  which libfaketime does not intercept) waits for the shift, months, instead of its timeout;
- with it left alone (FAKETIME_DONT_FAKE_MONOTONIC=1), ``time.sleep`` fails with EINVAL, because
  libfaketime shifts the absolute monotonic deadline of ``clock_nanosleep`` (wolfcw/libfaketime#426).

The shifted runs leave the monotonic clock alone and sleep on an event's timeout instead, which waits
the same time on the real monotonic clock. Only the wall clock, which the suite must not depend on, moves.
"""

from __future__ import annotations

import os
import threading
import time

if os.environ.get("FAKETIME") and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1":

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        threading.Event().wait(seconds)

    time.sleep = _sleep
