"""Issue 15, finding 12: an upload is streamed to a temporary file while it is hashed, so a server
process's memory stays bounded by the upload's size: a 150 MB CD copy grew the peak by ~150 MB before
(the request was read whole into memory); now it grows by a few MB. Measured on a real server process
(tests.upload_server); bench/bench_uploads.py prints the figures."""

from __future__ import annotations

import pytest

from tests.upload_server import measure

pytestmark = pytest.mark.slow

UPLOAD_MB = 150
BOUND_MB = 40  # generous: the measured growth is under 10 MB; the old code grew by the upload's size


def test_a_large_upload_keeps_the_servers_memory_bounded(tmp_path):
    measured = measure(UPLOAD_MB, tmp_path)
    assert measured.status == 201
    assert measured.peak_growth_mb < BOUND_MB, measured
