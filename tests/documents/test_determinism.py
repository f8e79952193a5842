"""Same input, same bytes: in one process and in another one (other hash seed, fonts registered anew).
The consent record's sha256 can only be checked later if printing again gives exactly the same file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .specimen import digests, specimen_pdfs

ROOT = Path(__file__).resolve().parents[2]


def test_documents_are_byte_identical_within_a_process():
    first, second = specimen_pdfs(), specimen_pdfs()
    for name, pdf in first.items():
        assert pdf == second[name], name


def test_documents_are_byte_identical_in_another_process():
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.documents.specimen"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    other = dict(line.split() for line in result.stdout.splitlines())
    assert other == digests()


def test_metadata_is_fixed_not_taken_from_the_clock():
    pdf = specimen_pdfs()["consent"]
    assert b"D:20000101000000" in pdf  # reportlab's invariant creation date
