"""Peak memory of a web server process taking one large upload (issue 15, finding 12).

A clinic on SQLite is served by a separate process (werkzeug's threaded server, as ``make run``); a
client streams a ZIP of a DICOM CD of the asked size from a file to POST /api/v1/referrals/{id}/imaging;
the server's peak resident memory (VmHWM from /proc) is read before and after. Used by the slow test
tests/services/test_upload_memory.py and by bench/bench_uploads.py, which prints the figures.
"""

from __future__ import annotations

import http.client
import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from clinic.config import PROJECT_ROOT

SLICE_BYTES = 512 * 512 * 2
SERVE = """
import sys
from werkzeug.serving import make_server
from clinic import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "UPLOAD_DIR": sys.argv[2]})
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""
SEED = """
import sys
from flask_migrate import upgrade
from clinic import create_app
from clinic.extensions import db
from clinic.services import accounts
from tests.factories import build_clinic, make_ready_referral
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    upgrade()
    clinic = build_clinic(db.session, radiologists=1)
    referral = make_ready_referral(db.session, clinic)
    token = accounts.issue_token(db.session, clinic.staff["frontdesk"], "bench")
    db.session.commit()
    print(referral.id, token)
"""


def dicom_slice(number: int) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("slice.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    ds.PatientName, ds.PatientID, ds.PatientBirthDate = "MUELLER^JUERGEN", "EXT-1", "19600101"
    ds.Modality, ds.InstanceNumber = "CT", number
    ds.Rows = ds.Columns = 512
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = number.to_bytes(4, "big") * (SLICE_BYTES // 4)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def write_cd_zip(path: Path, megabytes: int) -> int:
    """A stored (uncompressed) ZIP of CT slices, about ``megabytes`` in size; returns its size."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for n in range(max(1, megabytes * 1024 * 1024 // SLICE_BYTES)):
            archive.writestr(f"DICOM/IM{n:05d}", dicom_slice(n))
    return path.stat().st_size


def status(pid: int) -> dict[str, int]:
    """VmHWM, VmRSS and RssAnon of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS", "RssAnon"):
            values[key] = int(rest.split()[0])
    return values


@dataclass
class Measured:
    upload_mb: float
    status: int
    before: dict[str, int]
    after: dict[str, int]

    @property
    def peak_growth_mb(self) -> float:
        return (self.after["VmHWM"] - self.before["VmHWM"]) / 1024


def _post_file(port: int, path: str, token: str, zip_path: Path) -> int:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="cd.zip"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + zip_path.stat().st_size + len(tail)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.putrequest("POST", path)
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    conn.send(head)
    with open(zip_path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def measure(megabytes: int, workdir: Path | None = None) -> Measured:
    workdir = Path(workdir or tempfile.mkdtemp(prefix="clinic-upload-"))
    database = f"sqlite:///{workdir / 'clinic.db'}"
    env = {**os.environ, "INSTANCE_PATH": str(workdir / "instance"), "PYTHONPATH": str(PROJECT_ROOT)}
    env.setdefault("SECRET_KEY", "bench-secret-key")
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, database], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    referral_id, token = seeded.stdout.split()[-2:]
    zip_path = workdir / "cd.zip"
    size = write_cd_zip(zip_path, megabytes)
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, database, str(workdir / "uploads")],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = int(server.stdout.readline())
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/api/v1/procedure-types", headers={"Authorization": f"Bearer {token}"})
        conn.getresponse().read()  # warm: the app's modules and first database connection are in
        time.sleep(0.5)
        before = status(server.pid)
        code = _post_file(port, f"/api/v1/referrals/{referral_id}/imaging", token, zip_path)
        after = status(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
    return Measured(size / 1024 / 1024, code, before, after)
