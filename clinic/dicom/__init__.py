"""The DICOM side of the clinic: the network adapters over the services.

- ``server``: one application entity (``DICOM_AE_TITLE`` on ``DICOM_HOST:DICOM_PORT``) that answers the
  scanners' Modality Worklist queries (C-FIND), takes their performed procedure steps (MPPS N-CREATE and
  N-SET), and receives the images the PACS sends back for a retrieval (C-STORE).
- ``pacs``: our side of query/retrieve against the hospital PACS (C-FIND at study level, C-MOVE).
- ``retriever``: the job that works off queued retrievals, with progress, inside the DICOM process.
- ``datasets``: plain values to and from pydicom datasets (character set ISO_IR 192 throughout).
- ``cli``: ``flask --app clinic dicom``, the process that runs all of it.

Started as its own process, never inside a web worker (one listening port, one retrieval worker).
"""

import logging

from pynetdicom import _config as _pynetdicom_config

# pynetdicom logs every request and answer identifier (patient names, IDs, birth dates) at INFO: never.
# The web process asks the PACS too, so this holds wherever clinic.dicom is imported, whatever the
# logging set-up of the server around it; warnings and errors (no patient data) still come through.
_pynetdicom_config.LOG_REQUEST_IDENTIFIERS = False
_pynetdicom_config.LOG_RESPONSE_IDENTIFIERS = False
_pynetdicom_config.LOG_HANDLER_LEVEL = "none"  # no per-message log handlers (they cost each answer CPU too)
logging.getLogger("pynetdicom").setLevel(logging.WARNING)
