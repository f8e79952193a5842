"""The retrieval job: works off queued PACS retrievals inside the DICOM process, one study at a time.

For each: ask the PACS about the study (its description and image count, for the progress shown on
the page), C-MOVE it to our own storage (``DicomServer.expect`` lets those images in, into a spool
folder), then store the images through the upload service in one transaction. Progress (images in,
images expected) is written as the PACS reports it. A failure leaves nothing stored and a message on
the retrieval; a retrieval cut off by a stop is queued again at the next start.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path

from flask import Flask

from ..core import audit
from ..core.errors import DomainError
from ..core.messages import fill
from ..extensions import db
from ..models import PacsRetrieval
from ..models.dicom import IMAGES_NOT_SENT, IMAGES_NOT_STORED, RETRIEVAL_BROKE, STUDY_GONE
from ..services import pacs_retrievals, uploads
from ..services.storage import FileStore
from .config import DicomConfig
from .pacs import PacsError, find_study, move_study
from .server import DicomServer

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5


class Retriever:
    def __init__(self, app: Flask, config: DicomConfig, server: DicomServer):
        self.app = app
        self.config = config
        self.server = server
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.config.spool_dir.mkdir(parents=True, exist_ok=True)
        for leftover in self.config.spool_dir.glob("retrieval-*"):
            shutil.rmtree(leftover, ignore_errors=True)  # from a process that was killed mid-retrieval
        with self.app.app_context():
            requeued = pacs_retrievals.requeue_interrupted(db.session)
            db.session.commit()
        if requeued:
            log.info("%d interrupted retrieval(s) queued again", requeued)
        self._thread = threading.Thread(target=self._run, name="pacs-retriever", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Ask the job to stop; a retrieval in hand is finished or, past ``timeout``, left to be queued
        again at the next start."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.work_once()
            except Exception:
                log.exception("the retrieval job failed; it goes on with the next one")
                worked = False
            if not worked:
                self._stop.wait(self.config.poll_seconds)

    def work_once(self) -> bool:
        """Take one queued retrieval and carry it through. False when there was none."""
        if not self.config.pacs_configured:
            return False
        with self.app.app_context():
            audit.set_actor(db.session, audit.Actor(None, "pacs retrieval"))
            retrieval = pacs_retrievals.claim_next(db.session)
            db.session.commit()
            if retrieval is None:
                return False
            retrieval_id, uid = retrieval.id, retrieval.study_instance_uid
        self.config.spool_dir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"retrieval-{retrieval_id}-", dir=self.config.spool_dir))
        try:
            self._retrieve(retrieval_id, uid, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return True

    def _retrieve(self, retrieval_id: int, uid: str, folder: Path) -> None:
        try:
            found = find_study(self.config, uid)
            if found is None:
                raise PacsError(STUDY_GONE)
            with self.app.app_context():
                pacs_retrievals.describe(db.session, db.session.get(PacsRetrieval, retrieval_id), found)
                db.session.commit()
            with self.server.expect(uid, folder) as expected:
                last = [0.0]

                def on_progress(done: int, total: int | None) -> None:
                    if time.monotonic() - last[0] < PROGRESS_EVERY_SECONDS:
                        return
                    last[0] = time.monotonic()
                    self._progress(retrieval_id, expected.received, total)

                outcome = move_study(self.config, uid, on_progress)
            files = sorted(folder.glob("*.dcm"))
            if outcome.failed and not files:
                raise PacsError(IMAGES_NOT_SENT, failed=outcome.failed)
            self._store(retrieval_id, files)
        except PacsError as error:
            self._fail(retrieval_id, error.message)
        except DomainError as error:
            self._fail(retrieval_id, fill(IMAGES_NOT_STORED, {"reason": error.message}))
        except Exception:
            log.exception("retrieval %s failed", retrieval_id)
            self._fail(retrieval_id, RETRIEVAL_BROKE)

    def _progress(self, retrieval_id: int, received: int, expected: int | None) -> None:
        with self.app.app_context():
            pacs_retrievals.progress(db.session, retrieval_id, received, expected)
            db.session.commit()

    def _store(self, retrieval_id: int, files: list[Path]) -> None:
        store = FileStore(Path(self.app.config["UPLOAD_DIR"]))
        limits = uploads.limits_from_config(self.app.config)
        with self.app.app_context():
            session = db.session
            retrieval = session.get(PacsRetrieval, retrieval_id)
            audit.set_actor(session, retrieval.requested_by if retrieval.requested_by else None)
            try:
                pacs_retrievals.store_retrieved(
                    session, store, limits, retrieval, files, facility=f"PACS {self.config.pacs_ae_title}"[:120]
                )
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def _fail(self, retrieval_id: int, message: str) -> None:
        with self.app.app_context():
            pacs_retrievals.fail(db.session, retrieval_id, message)
            db.session.commit()
