"""Content-addressed file storage: every blob is named by its SHA-256 and never changes once written.

Blobs live under ``root/ab/cd/<sha256>`` (two fan-out levels keep directories small). The root is
``UPLOAD_DIR``, outside ``static/``: files are only ever handed out through a view that checks access.
Storing the same bytes twice keeps one blob. Which blobs a database row may point to is the upload
service's business; this module only knows bytes and names.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Read-only for owner and group: immutability is the point, and the web server needs no write access
# to a blob once it exists (removing one needs write access to its directory, not to the file).
BLOB_MODE = 0o440
_COPY_CHUNK = 1024 * 1024


class CorruptBlob(OSError):
    """A stored blob no longer hashes to its name: the disk (or someone) changed it."""


class FileStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        # The name goes into a file system path: accept nothing but a well-formed digest.
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its SHA-256."""
        return self.add(data)[0]

    def add(self, data: bytes) -> tuple[str, bool]:
        """Store ``data`` (once); return its SHA-256 and whether this call created the blob.

        The caller that created a blob is the one allowed to remove it again if its request fails.
        """
        sha256 = hashlib.sha256(data).hexdigest()
        return sha256, self._write(sha256, lambda fh: fh.write(data))

    def add_file(self, source: Path, sha256: str) -> bool:
        """Store the content of the file ``source``, whose SHA-256 the caller computed while receiving
        it, copying in chunks (memory stays small whatever the size); whether this call created the blob."""

        def copy(fh) -> None:
            digest = hashlib.sha256()
            with open(source, "rb") as src:
                while chunk := src.read(_COPY_CHUNK):
                    digest.update(chunk)
                    fh.write(chunk)
            if digest.hexdigest() != sha256:
                raise CorruptBlob(f"{source.name} changed between its check and its storage")

        return self._write(sha256, copy)

    def _write(self, sha256: str, fill) -> bool:
        final = self.path(sha256)
        if final.is_file():
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file in the same directory, so the rename below is atomic: a reader sees either
        # no blob or the whole blob, never a half-written one.
        fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                fill(fh)
                fh.flush()
                os.fsync(fh.fileno())
            tmp.chmod(BLOB_MODE)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)
        return True

    def read(self, sha256: str) -> bytes:
        """The blob's bytes, checked against its name. FileNotFoundError if it is missing."""
        data = self.path(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise CorruptBlob(f"stored blob {sha256} does not match its checksum")
        return data

    def delete(self, sha256: str) -> None:
        """Remove a blob. Only for blobs that the failed request itself created: blobs are shared."""
        self.path(sha256).unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); some file systems cannot open directories, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
