"""Our side of query/retrieve with the hospital PACS: C-FIND at study level, C-MOVE to our own storage.

Every wait is bounded: the TCP connection, the association and each answer by ``PACS_TIMEOUT_SECONDS``
(a C-MOVE's answers by ``PACS_RETRIEVE_TIMEOUT_SECONDS``, as a PACS may fetch from its archive first).
A PACS that is down, silent, or does not know us gives a ``PacsError`` whose message says which.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import (
    StudyRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelMove,
)

from ..core.messages import fill
from ..models.dicom import (
    PACS_NO_ANSWER,
    PACS_NO_DESTINATION,
    PACS_NOT_SET_UP,
    PACS_REFUSED_US,
    PACS_SEARCH_FAILED,
    PACS_SEND_FAILED,
    PACS_SEND_FAILED_SAYING,
    PACS_STOPPED,
    PACS_TOO_MANY,
    PACS_UNREACHABLE,
)
from ..services.pacs_retrievals import FoundStudy, StudySearch
from . import datasets
from .config import DicomConfig
from .network import acknowledge_at_once, no_delays

MAX_STUDIES = 200  # a patient's list; more than this means the search was too wide


class PacsError(Exception):
    """What went wrong with the PACS, as a marked sentence and its values (like a ``DomainError``): a screen
    says it in its language (``clinic.i18n.refusal``), ``message`` is the English a retrieval stores."""

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        self.message = fill(template, params)
        super().__init__(self.message)


@dataclass(frozen=True)
class MoveOutcome:
    completed: int
    failed: int
    warning: int


def _seconds(timeout: float) -> Decimal:
    """A wait in seconds as a number (2.5), not as text: a screen writes it in its own format ("2,5 s"), the
    stored English reads as before ("2.5 s")."""
    return Decimal(f"{timeout:g}")


def _where(config: DicomConfig) -> dict[str, str]:
    return {"ae_title": config.pacs_ae_title, "address": f"{config.pacs_host}:{config.pacs_port}"}


@contextmanager
def _association(config: DicomConfig, context: str, *, answer_timeout: float):
    if not config.pacs_configured:
        # Read at the front desk: no setting's name, only whom to ask.
        raise PacsError(PACS_NOT_SET_UP)
    timeout = config.pacs_timeout
    # A plain TCP connection first: "refused" and "no answer" deserve different messages.
    try:
        with socket.create_connection((config.pacs_host, config.pacs_port), timeout=timeout):
            pass
    except TimeoutError as exc:
        raise PacsError(PACS_NO_ANSWER, **_where(config), seconds=_seconds(timeout)) from exc
    except OSError as exc:
        raise PacsError(PACS_UNREACHABLE, **_where(config)) from exc
    ae = AE(ae_title=config.ae_title)
    ae.connection_timeout = timeout
    ae.acse_timeout = timeout
    ae.network_timeout = max(timeout, answer_timeout)
    ae.dimse_timeout = answer_timeout
    ae.add_requested_context(context)
    handlers = [(evt.EVT_CONN_OPEN, no_delays), (evt.EVT_PDU_RECV, acknowledge_at_once)]
    assoc = ae.associate(config.pacs_host, config.pacs_port, ae_title=config.pacs_ae_title, evt_handlers=handlers)
    if assoc.is_rejected:
        raise PacsError(PACS_REFUSED_US, **_where(config), our_ae_title=config.ae_title)
    if not assoc.is_established:
        raise PacsError(PACS_NO_ANSWER, **_where(config), seconds=_seconds(timeout))
    try:
        yield assoc
    finally:
        if assoc.is_established:
            assoc.release()


def _silent(config: DicomConfig, timeout: float) -> PacsError:
    return PacsError(PACS_STOPPED, **_where(config), seconds=_seconds(timeout))


def _find(config: DicomConfig, query: Dataset) -> list[FoundStudy]:
    found: list[FoundStudy] = []
    with _association(config, StudyRootQueryRetrieveInformationModelFind, answer_timeout=config.pacs_timeout) as assoc:
        for status, identifier in assoc.send_c_find(query, StudyRootQueryRetrieveInformationModelFind):
            code = getattr(status, "Status", None)
            if code is None:
                raise _silent(config, config.pacs_timeout)
            if code in (0xFF00, 0xFF01) and identifier is not None:
                study = datasets.found_study(identifier)
                if study is not None:
                    found.append(study)
                if len(found) > MAX_STUDIES:
                    raise PacsError(PACS_TOO_MANY, max_studies=MAX_STUDIES)
            elif code != 0x0000:
                raise PacsError(PACS_SEARCH_FAILED, **_where(config), status=f"0x{code:04X}")
    return sorted(found, key=lambda s: s.study_date or dt.date.min, reverse=True)


def find_studies(config: DicomConfig, search: StudySearch) -> list[FoundStudy]:
    """The studies the PACS has for a patient, by ID, name and birth date (newest first)."""
    search.validate()
    return _find(config, datasets.study_query(search))


def find_study(config: DicomConfig, study_instance_uid: str) -> FoundStudy | None:
    found = _find(config, datasets.study_query(study_instance_uid=study_instance_uid))
    return next((s for s in found if s.study_instance_uid == study_instance_uid), None)


def move_study(
    config: DicomConfig, study_instance_uid: str, on_progress: Callable[[int, int | None], None]
) -> MoveOutcome:
    """Ask the PACS to send one study to our storage (our AE title as the destination). Calls
    ``on_progress(done, total)`` with each pending answer."""
    query = Dataset()
    query.QueryRetrieveLevel = "STUDY"
    query.StudyInstanceUID = study_instance_uid
    outcome = MoveOutcome(0, 0, 0)
    with _association(
        config, StudyRootQueryRetrieveInformationModelMove, answer_timeout=config.retrieve_timeout
    ) as assoc:
        for status, _identifier in assoc.send_c_move(
            query, config.ae_title, StudyRootQueryRetrieveInformationModelMove
        ):
            code = getattr(status, "Status", None)
            if code is None:
                raise _silent(config, config.retrieve_timeout)
            completed = int(status.get("NumberOfCompletedSuboperations", 0) or 0)
            failed = int(status.get("NumberOfFailedSuboperations", 0) or 0)
            warning = int(status.get("NumberOfWarningSuboperations", 0) or 0)
            remaining = status.get("NumberOfRemainingSuboperations")
            done = completed + failed + warning
            total = done + int(remaining) if remaining not in (None, "") else None
            outcome = MoveOutcome(completed, failed, warning)
            if code in (0xFF00, 0xFF01):
                on_progress(done, total)
                continue
            if code == 0xA801:
                raise PacsError(PACS_NO_DESTINATION, **_where(config), our_ae_title=config.ae_title)
            if code not in (0x0000, 0xB000):
                said = str(status.get("ErrorComment", "") or "").strip()
                raise PacsError(
                    PACS_SEND_FAILED_SAYING if said else PACS_SEND_FAILED,
                    **_where(config),
                    status=f"0x{code:04X}",
                    said=said[:120],
                    our_ae_title=config.ae_title,
                )
    return outcome
