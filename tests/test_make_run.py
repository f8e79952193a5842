"""Issue 21, item 18: Ctrl-C on ``make run`` ended with "Segmentation fault". The recipe's trap ran
``kill 0``, which signals the recipe's own shell too; its TERM trap ran ``kill 0`` again, and again, until
the shell's stack overflowed. Ctrl-C must end the web server, the scheduler and the DICOM service
cleanly. The three are stood in for by tests/make_run_stand_in.py (the Makefile's recipe is what is
tested; the real services' own signal handling is tested with them)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _as_a_terminal_starts_it() -> None:
    """In the child before ``make`` starts: Ctrl-C and SIGTERM at their defaults, no signal blocked, as a
    shell starts a foreground job. A process inherits ignored signals: with SIGINT ignored in the test's
    process, ``make``, its shell (which cannot trap a signal ignored on entry) and the web server never see
    Ctrl-C. The full suite twice timed out here (5 December, CI) exactly as the test does when run with
    SIGINT ignored; it passes alone, and with this under SIG_IGN. Which earlier test leaves it so is not
    found yet."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_ctrl_c_on_make_run_stops_all_three_cleanly(tmp_path):
    log = tmp_path / "stand-in.log"
    log.touch()
    stand_in = f"{sys.executable} {ROOT / 'tests' / 'make_run_stand_in.py'}"
    make = subprocess.Popen(
        ["make", "-o", "install", "-o", "translations", "run", f"FLASK={stand_in}", "PORT=5103"],
        cwd=ROOT,
        env={**os.environ, "STAND_IN_LOG": str(log)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        preexec_fn=_as_a_terminal_starts_it,
    )
    try:
        assert _wait_for(lambda: log.read_text().count("started") == 3, 30), log.read_text()
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C does: SIGINT to the whole foreground group
        output, _ = make.communicate(timeout=30)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
    happened = log.read_text().splitlines()
    assert "Segmentation fault" not in output and "Terminated" not in output, output
    for command in ("scheduler", "dicom", "run"):
        assert f"{command} stopped" in happened, happened
    # The scheduler and the DICOM service get Ctrl-C's SIGINT and at most the trap's one SIGTERM.
    assert sum(1 for line in happened if line.endswith("SIGTERM")) <= 2, happened
    assert _wait_for(lambda: not _group_alive(make.pid), 10), "processes of `make run` are left over"
