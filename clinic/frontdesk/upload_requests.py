"""Where the front desk's views meet the upload service: the store, the limits, the request's files."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from ..extensions import db
from ..models import Referral
from ..services import uploads
from ..services.storage import FileStore


def store() -> FileStore:
    return FileStore(Path(current_app.config["UPLOAD_DIR"]))


def limits() -> uploads.UploadLimits:
    return uploads.limits_from_config(current_app.config)


def read_files(files: list[FileStorage]) -> uploads.Received:
    """The request's files streamed to temporary files beside the store (hashed on the way), never
    read whole into memory. Use as a context manager: the temporary files go when the block ends."""
    return uploads.receive_all(
        [(f.filename or "unnamed", f.stream) for f in files if f and f.filename],
        incoming_dir(),
        limits().max_request_bytes,
    )


def incoming_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / ".incoming"


def save_referral_letter(referral: Referral, letter: FileStorage):
    return uploads.add_referral_document(
        db.session,
        current_user,
        store(),
        limits(),
        referral=referral,
        name=letter.filename or "letter",
        data=letter.read(),
    )
