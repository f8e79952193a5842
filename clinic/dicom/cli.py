"""The ``dicom`` command: ``flask --app clinic dicom``, the scanners' and the PACS's counterpart.

Runs until SIGTERM or SIGINT (Ctrl-C): then it stops listening (associations in progress finish),
lets a retrieval in hand finish (or leaves it to be queued again at the next start), and exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from .config import DicomConfig
from .retriever import Retriever
from .server import DicomServer


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("clinic.dicom").setLevel(logging.INFO)


@click.command("dicom")
@with_appcontext
def dicom_command() -> None:
    """Run the DICOM services: the scanners' worklist and MPPS, and retrievals from the PACS.

    One process per clinic, beside the web server and the scheduler; never inside a web worker.
    """
    _configure_logging()
    app = current_app._get_current_object()
    config = DicomConfig.from_app(app.config)
    server = DicomServer(app, config)
    try:
        server.start()
    except OSError as error:
        raise click.ClickException(
            f"Cannot listen on {config.host}:{config.port} and {config.storage_port} ({error.strerror or error}). "
            "Is another DICOM process running? (DICOM_HOST, DICOM_PORT, DICOM_STORAGE_PORT)"
        ) from error
    retriever = Retriever(app, config, server)
    retriever.start()
    pacs = config.pacs_label if config.pacs_configured else "no PACS configured (PACS_HOST)"
    click.echo(
        f"DICOM {config.ae_title} listening on {config.host}:{server.port} (worklist, MPPS) and "
        f"{config.host}:{server.storage_port} (images from the PACS); {pacs}.",
        err=True,
    )
    stopping = threading.Event()

    def on_signal(signum, _frame) -> None:
        logging.getLogger(__name__).info("%s received; stopping", signal.Signals(signum).name)
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping.wait(1):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        retriever.stop()  # first: a retrieval in hand still needs the storage to receive its images
        server.stop()
    click.echo("DICOM stopped.", err=True)
