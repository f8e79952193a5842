"""The DICOM settings, taken once from the app's config (which reads the environment)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DicomConfig:
    ae_title: str
    host: str
    port: int
    storage_port: int
    spool_dir: Path
    poll_seconds: float
    zone: str
    pacs_host: str
    pacs_port: int
    pacs_ae_title: str
    pacs_timeout: float
    retrieve_timeout: float

    @classmethod
    def from_app(cls, config) -> DicomConfig:
        return cls(
            ae_title=config["DICOM_AE_TITLE"],
            host=config["DICOM_HOST"],
            port=int(config["DICOM_PORT"]),
            storage_port=int(config["DICOM_STORAGE_PORT"]),
            spool_dir=Path(config["DICOM_SPOOL_DIR"]),
            poll_seconds=float(config["DICOM_POLL_SECONDS"]),
            zone=config["CLINIC_TIMEZONE"],
            pacs_host=config["PACS_HOST"],
            pacs_port=int(config["PACS_PORT"]),
            pacs_ae_title=config["PACS_AE_TITLE"],
            pacs_timeout=float(config["PACS_TIMEOUT_SECONDS"]),
            retrieve_timeout=float(config["PACS_RETRIEVE_TIMEOUT_SECONDS"]),
        )

    @property
    def pacs_configured(self) -> bool:
        return bool(self.pacs_host.strip())

    @property
    def pacs_label(self) -> str:
        return f"the PACS {self.pacs_ae_title} at {self.pacs_host}:{self.pacs_port}"
