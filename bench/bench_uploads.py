"""Memory of a web server process taking one large upload (issue 15, finding 12).

    python bench/bench_uploads.py [--quick] [--mb 100 280]

A separate server process (werkzeug, threaded) takes a ZIP of a DICOM CD of each size through
POST /api/v1/referrals/{id}/imaging; its peak resident memory (VmHWM) is read from /proc before and
after. Uploads are streamed to a temporary file and hashed on the way, so the peak should grow by a
few MB whatever the size (it grew by the upload's size before, e.g. +288 MB for 280 MB).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.upload_server import measure

GOAL_MB = 32  # peak growth for one upload, whatever its size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one 50 MB upload")
    parser.add_argument("--mb", type=int, nargs="+", default=[100, 280])
    args = parser.parse_args()
    sizes = [50] if args.quick else args.mb
    print("upload memory (server process, one upload at a time)")
    for mb in sizes:
        m = measure(mb)
        verdict = "ok" if m.peak_growth_mb <= GOAL_MB else f"MISSED (goal +{GOAL_MB} MB)"
        print(
            f"  {m.upload_mb:6.0f} MB ZIP -> HTTP {m.status}; peak RSS {m.before['VmHWM'] / 1024:.0f} -> "
            f"{m.after['VmHWM'] / 1024:.0f} MB (+{m.peak_growth_mb:.0f} MB); anonymous "
            f"{m.before['RssAnon'] / 1024:.0f} -> {m.after['RssAnon'] / 1024:.0f} MB  {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
