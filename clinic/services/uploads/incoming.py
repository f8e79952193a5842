"""Uploaded files on their way in: streamed to a temporary file in small chunks and hashed on the way,
so that a request's memory stays bounded whatever its size (a 300 MB CD copy included).

The checks then read what they need from the file: the first and last bytes of a PDF, the entries of a
ZIP one at a time, a DICOM header through a read-only memory map (pages the kernel reads in and drops
again as it likes, not the process's own memory). The store copies the checked file into place in
chunks too. ``Received`` removes the temporary files when the request is done, however it ends.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ...core.errors import TooLarge
from ...core.messages import N_
from .limits import size_in_words

CHUNK = 1024 * 1024


@dataclass
class Incoming:
    name: str
    path: Path
    size: int
    sha256: str
    _map: mmap.mmap | None = field(default=None, repr=False)
    _reader: BinaryIO | None = field(default=None, repr=False)

    def view(self) -> mmap.mmap | bytes:
        """The content as a read-only bytes-like object (len, slices, indexing, buffer), not in memory."""
        if self.size == 0:
            return b""
        if self._map is None:
            with open(self.path, "rb") as fh:
                self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return self._map

    def reader(self) -> BinaryIO:
        """An open file on the content, kept until ``close`` (a ZIP's entries are read again to store)."""
        if self._reader is None:
            self._reader = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        return self._reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._map is not None:
            self._map.close()
            self._map = None
        self.path.unlink(missing_ok=True)


def receive(name: str, stream: BinaryIO, directory: Path, max_bytes: int) -> Incoming:
    """Copy ``stream`` to a temporary file in ``directory`` in chunks, hashing as it goes."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    path = Path(tmp_name)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(N_("The upload is larger than the {size} allowed."), size=size_in_words(max_bytes))
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Incoming(name, path, size, digest.hexdigest())


class Received(list[tuple[str, Incoming]]):
    """The files of one request, as (name, Incoming); a context manager that removes them afterwards."""

    def __enter__(self) -> Received:
        return self

    def __exit__(self, *_exc) -> None:
        for _name, incoming in self:
            incoming.close()


def receive_all(files: list[tuple[str, BinaryIO]], directory: Path, max_request_bytes: int) -> Received:
    received = Received()
    try:
        left = max_request_bytes
        for name, stream in files:
            incoming = receive(name, stream, directory, left)
            left -= incoming.size
            received.append((name, incoming))
    except BaseException:
        received.__exit__(None, None, None)
        raise
    return received
