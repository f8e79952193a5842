"""Our DICOM application entity (one AE title, ``DICOM_AE_TITLE``) on two ports:

- ``DICOM_PORT`` for the scanners: worklist (C-FIND) and performed procedure steps (N-CREATE, N-SET).
  Only the scanners of the active rooms are accepted, by their AE titles, read from the database at
  every association (an admin's change counts at once); a scanner only hears its own room's worklist.
- ``DICOM_STORAGE_PORT`` for the PACS: the images a retrieval asked for (C-STORE), from the configured
  PACS only, and only of the studies a retrieval is waiting for.

Anyone else is rejected at association ("calling AE title not recognised"). Two ports rather than
one because pynetdicom copies every supported presentation context at each association: the ~130
storage classes with all their transfer syntaxes would cost every worklist query tens of
milliseconds.

Each association runs in its own thread; each request gets its own app context, database session and
transaction, committed before the answer goes out.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from pydicom.dataset import Dataset
from pynetdicom import ALL_TRANSFER_SYNTAXES, StoragePresentationContexts, dimse_messages, evt, service_class
from pynetdicom.sop_class import (
    ModalityPerformedProcedureStep,
    ModalityWorklistInformationFind,
    Verification,
)

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError, InvalidInput
from ..core.timefmt import to_local
from ..extensions import db
from ..services import modality_worklist, mpps
from . import datasets
from .config import DicomConfig
from .network import NOBODY, ClinicAE, acknowledge_at_once, no_delays, remember_command_sets

log = logging.getLogger(__name__)


# DIMSE status codes (PS3.4 and PS3.7)
SUCCESS = 0x0000
PENDING = 0xFF00
CANCELLED = 0xFE00
NOT_AUTHORISED = 0x0124
INVALID_ATTRIBUTE_VALUE = 0x0106
MISSING_ATTRIBUTE = 0x0120
DUPLICATE_INSTANCE = 0x0111
NO_SUCH_INSTANCE = 0x0112
PROCESSING_FAILURE = 0x0110
UNABLE_TO_PROCESS = 0xC000
OUT_OF_RESOURCES = 0xA700


@dataclass
class Expected:
    """A retrieval waiting for the images of one study; the PACS's C-STOREs land in ``folder``."""

    study_instance_uid: str
    folder: Path
    received: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _reuse_prebuilt_encodings() -> None:
    """pynetdicom encodes each C-FIND answer it is handed (``service_class.encode``); a worklist answer
    made before (``datasets.PrebuiltAnswer``) keeps its bytes instead, so a repeated query costs no
    encoding. Other datasets are encoded as before. The command sets around the answers are encoded
    once per distinct content (``network.remember_command_sets``). Without the hooks (another
    pynetdicom) nothing changes but the speed."""
    encode = getattr(service_class, "encode", None)
    if encode is not None and not hasattr(encode, "wrapped"):
        service_class.encode = datasets.encode_once(encode)
    encode = getattr(dimse_messages, "encode", None)
    if encode is not None and not hasattr(encode, "wrapped"):
        dimse_messages.encode = remember_command_sets(encode)


class DicomServer:
    def __init__(self, app: Flask, config: DicomConfig):
        self.app = app
        self.config = config
        self._servers: dict = {}
        self._expected: dict[str, Expected] = {}
        self._expected_lock = threading.Lock()

    # --- running -------------------------------------------------------------------------------------

    def start(self) -> None:
        _reuse_prebuilt_encodings()
        scanners = ClinicAE(self.config.ae_title, self._stations)
        scanners.add_supported_context(Verification)
        scanners.add_supported_context(ModalityWorklistInformationFind)
        scanners.add_supported_context(ModalityPerformedProcedureStep)
        storage = ClinicAE(self.config.ae_title, self._pacs)
        storage.add_supported_context(Verification)
        for context in StoragePresentationContexts:
            storage.add_supported_context(context.abstract_syntax, ALL_TRANSFER_SYNTAXES)
        for ae in (scanners, storage):
            ae.maximum_associations = 20
            ae.network_timeout = 60
            ae.acse_timeout = 30
            ae.dimse_timeout = 60
        tuning = [
            (evt.EVT_CONN_OPEN, no_delays),
            (evt.EVT_PDU_RECV, acknowledge_at_once),
            (evt.EVT_PDU_SENT, acknowledge_at_once),
        ]
        handlers = [
            *tuning,
            (evt.EVT_C_FIND, self._on_find),
            (evt.EVT_N_CREATE, self._on_n_create),
            (evt.EVT_N_SET, self._on_n_set),
        ]
        host = self.config.host
        self._servers["scanners"] = scanners.start_server((host, self.config.port), block=False, evt_handlers=handlers)
        try:
            self._servers["storage"] = storage.start_server(
                (host, self.config.storage_port), block=False, evt_handlers=[*tuning, (evt.EVT_C_STORE, self._on_store)]
            )
        except BaseException:
            self.stop()
            raise

    @property
    def port(self) -> int:
        return self._servers["scanners"].server_address[1]

    @property
    def storage_port(self) -> int:
        return self._servers["storage"].server_address[1]

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
        self._servers.clear()

    # --- who may call --------------------------------------------------------------------------------

    def _stations(self) -> list[str]:
        try:
            with self.app.app_context():
                titles = modality_worklist.station_titles(db.session)
                db.session.rollback()
        except Exception:
            log.exception("could not read the rooms' AE titles; association refused")
            return [NOBODY]
        return titles

    def _pacs(self) -> list[str]:
        return [self.config.pacs_ae_title] if self.config.pacs_configured else [NOBODY]

    @contextmanager
    def _transaction(self, station: str):
        """One request's app context, session and transaction, acting as the calling station."""
        with self.app.app_context():
            session = db.session
            audit.set_actor(session, audit.Actor(None, f"scanner {station}"[:64]))
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    # --- worklist ------------------------------------------------------------------------------------

    def _on_find(self, event):
        calling = event.assoc.requestor.ae_title.strip()
        query: Dataset = event.identifier
        try:
            answers = self._worklist(calling, query)
        except InvalidInput:
            yield 0xA900, None  # identifier does not match the SOP class
            return
        except Exception:
            log.exception("worklist query from %s failed", calling)
            yield UNABLE_TO_PROCESS, None
            return
        if answers is None:
            yield NOT_AUTHORISED, None
            return
        for answer in answers:
            if event.is_cancelled:
                yield CANCELLED, None
                return
            yield PENDING, answer

    def _worklist(self, calling: str, query: Dataset) -> list[Dataset] | None:
        with self._transaction(calling) as session:
            room = modality_worklist.room_for_station(session, calling)
            if room is None:
                return None  # a room switched off since the association began
            today = to_local(utcnow(), self.config.zone).date()
            first, last = datasets.requested_days(query, today)
            entries = modality_worklist.entries(
                session, room, first, last, self.config.zone, audit_actor=audit.current_actor(session)
            )
        return datasets.answers(entries, query)

    # --- performed procedure steps -------------------------------------------------------------------

    def _on_n_create(self, event):
        calling = event.assoc.requestor.ae_title.strip()
        uid = event.request.AffectedSOPInstanceUID
        if not uid:
            return INVALID_ATTRIBUTE_VALUE, None
        attributes: Dataset = event.attribute_list
        if "PerformedProcedureStepStatus" not in attributes:
            return MISSING_ATTRIBUTE, None
        return self._step(calling, uid, attributes, mpps.step_created, create=True)

    def _on_n_set(self, event):
        calling = event.assoc.requestor.ae_title.strip()
        uid = event.request.RequestedSOPInstanceUID
        return self._step(calling, uid, event.modification_list, mpps.step_updated, create=False)

    def _step(self, calling: str, uid: str, attributes: Dataset, apply, *, create: bool):
        try:
            report = datasets.step_report(attributes, str(uid), calling, self.config.zone)
            with self._transaction(calling) as session:
                if modality_worklist.room_for_station(session, calling) is None:
                    return NOT_AUTHORISED, None
                if create:
                    apply(session, audit.current_actor(session), report, self.config.zone)
                else:
                    apply(session, audit.current_actor(session), report)
        except mpps.DuplicateStep:
            return DUPLICATE_INSTANCE, None
        except mpps.UnknownStep:
            return NO_SUCH_INSTANCE, None
        except InvalidInput:
            return INVALID_ATTRIBUTE_VALUE, None
        except DomainError:
            return PROCESSING_FAILURE, None
        except Exception:
            log.exception("performed procedure step from %s failed", calling)
            return PROCESSING_FAILURE, None
        answer = Dataset()
        answer.update(attributes)
        answer.SOPClassUID = ModalityPerformedProcedureStep
        answer.SOPInstanceUID = uid
        return SUCCESS, answer

    # --- storage for retrievals ----------------------------------------------------------------------

    @contextmanager
    def expect(self, study_instance_uid: str, folder: Path):
        """While the block runs, the PACS may store the images of this study; they go to ``folder``."""
        expected = Expected(study_instance_uid, folder)
        folder.mkdir(parents=True, exist_ok=True)
        with self._expected_lock:
            self._expected[study_instance_uid] = expected
        try:
            yield expected
        finally:
            with self._expected_lock:
                self._expected.pop(study_instance_uid, None)

    def _on_store(self, event):
        try:
            dataset = event.dataset
            study_uid = str(dataset.get("StudyInstanceUID", "") or "").strip()
        except Exception:
            return UNABLE_TO_PROCESS
        with self._expected_lock:
            expected = self._expected.get(study_uid)
        if expected is None:
            return NOT_AUTHORISED  # nobody asked for this study
        with expected.lock:
            expected.received += 1
            number = expected.received
        name = f"IM{number:05d}.dcm"  # in the order the PACS sent them, as on a CD
        try:
            (expected.folder / name).write_bytes(event.encoded_dataset(include_meta=True))
        except OSError:
            log.exception("could not write a retrieved image")
            return OUT_OF_RESOURCES
        return SUCCESS
