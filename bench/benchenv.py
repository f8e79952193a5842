"""Where a benchmark script starts, before it imports the app: the project importable, a fresh instance
folder, and cheap password hashes (a benchmark times the clinic's work, not the hashing)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def prepare(prefix: str) -> str:
    """Set up the process's environment; returns the benchmark's scratch folder (also the instance folder)."""
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.environ.setdefault("INSTANCE_PATH", workdir)
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    os.environ.setdefault("CLINIC_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
    return workdir
