"""Run every benchmark in bench/ (each ``bench_*.py``, one after the other) and print what they print.

    python bench/run_all.py [--quick] [--only scheduling]

``make bench`` calls this. ``--quick`` is passed on to the benchmarks that know it (smaller sizes).
Returns non-zero when a benchmark fails to run; missed goals are printed, not failures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def knows_quick(script: Path) -> bool:
    return '"--quick"' in script.read_text(encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a first look")
    parser.add_argument("--only", help="run only bench_<name>.py, e.g. scheduling")
    args = parser.parse_args()

    scripts = sorted(BENCH.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem == f"bench_{args.only}"]
        if not scripts:
            parser.error(f"no bench/bench_{args.only}.py")
    failed = []
    started = time.perf_counter()
    for script in scripts:
        command = [sys.executable, str(script)]
        if args.quick and knows_quick(script):
            command.append("--quick")
        print(f"\n===== {script.name} =====", flush=True)
        began = time.perf_counter()
        code = subprocess.call(command, cwd=BENCH.parent)
        print(
            f"===== {script.name}: {'done' if code == 0 else f'FAILED ({code})'} in {time.perf_counter() - began:.0f} s"
        )
        if code:
            failed.append(script.name)
    print(
        f"\n{len(scripts)} benchmarks in {time.perf_counter() - started:.0f} s"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
