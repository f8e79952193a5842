"""Stands in for ``flask --app clinic <command>`` when tests/test_make_run.py runs ``make run``: the
database commands succeed at once; the scheduler and the DICOM service stop on SIGINT or SIGTERM as the
real ones do (their own handlers); the web server stops on Ctrl-C as Python does (KeyboardInterrupt).
Each writes what happened to it to the file named by STAND_IN_LOG."""

from __future__ import annotations

import os
import signal
import sys
import time

COMMANDS = ("db", "seed-demo", "scheduler", "dicom", "run")
command = next(arg for arg in sys.argv[1:] if arg in COMMANDS)


def record(text: str) -> None:
    with open(os.environ["STAND_IN_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{command} {text}\n")


if command in ("db", "seed-demo"):
    sys.exit(0)
record("started")
if command in ("scheduler", "dicom"):
    signals: list[int] = []

    def handler(signum, _frame) -> None:
        record(signal.Signals(signum).name)
        signals.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handler)
    while not signals:
        time.sleep(0.05)
    time.sleep(0.3)  # the jobs in hand finish
    record("stopped")
    sys.exit(0)
try:
    while True:
        time.sleep(0.05)
except KeyboardInterrupt:
    record("stopped")
    sys.exit(0)
