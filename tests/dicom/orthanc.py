"""Debian's Orthanc as the hospital PACS in tests: started on free ports with a throwaway storage folder
and a generated configuration (no authentication, UTF-8, no plugins), loaded through its REST API,
told where our storage SCP listens, and stopped (folder removed) at the end.

Its DICOM and HTTP servers listen on all interfaces (Orthanc 1.10 has no setting for the address);
only this machine's loopback is ever talked to.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import real_clock_environment

ORTHANC = Path("/usr/sbin/Orthanc")
AE_TITLE = "HOSPITALPACS"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Orthanc:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="clinic-test-orthanc-"))
        self.dicom_port = free_port()
        self.http_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.folder / "orthanc.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout: float = 60) -> None:
        config = {
            "Name": "clinic-test-pacs",
            "StorageDirectory": str(self.folder / "storage"),
            "IndexDirectory": str(self.folder / "storage"),
            "Plugins": [],
            "HttpServerEnabled": True,
            "HttpPort": self.http_port,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            "OrthancExplorerEnabled": False,
            "WebDavEnabled": False,
            "DicomServerEnabled": True,
            "DicomAet": AE_TITLE,
            "DicomPort": self.dicom_port,
            "DicomCheckCalledAet": False,
            "DefaultEncoding": "Utf8",
            "DicomModalities": {},
            "DicomAlwaysAllowFind": True,
            "DicomAlwaysAllowMove": True,
            "DicomAlwaysAllowStore": True,
            "DicomScuTimeout": 10,
            "StableAge": 1,
            "ConcurrentJobs": 1,
            "SaveJobs": False,
        }
        config_path = self.folder / "orthanc.json"
        config_path.write_text(json.dumps(config, indent=2))
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [str(ORTHANC), "--logfile=" + str(self.folder / "orthanc-own.log"), str(config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                env=real_clock_environment(),  # the PACS is another machine, on the real clock
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Orthanc exited at start:\n{self.log()}")
            try:
                self.get("/system")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Orthanc did not start within {timeout} s:\n{self.log()}") from None
                time.sleep(0.1)

    def log(self) -> str:
        texts = []
        for path in (self.log_path, self.folder / "orthanc-own.log"):
            if path.exists():
                texts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(texts)

    def _request(self, method: str, path: str, data: bytes | None = None, content_type: str = "application/json"):
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def get(self, path: str):
        return self._request("GET", path)

    def upload(self, data: bytes) -> dict:
        return self._request("POST", "/instances", data, "application/dicom")

    def add_modality(self, name: str, ae_title: str, port: int) -> None:
        """Tell the PACS where an AE title listens (our storage SCP, for C-MOVE)."""
        body = json.dumps({"AET": ae_title, "Host": "127.0.0.1", "Port": port}).encode()
        self._request("PUT", f"/modalities/{name}", body)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)
