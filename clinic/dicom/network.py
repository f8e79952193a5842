"""Network details of our application entities: who may call (asked for at every association), and
TCP settings that keep a request and its answers from waiting on delayed acknowledgements."""

from __future__ import annotations

import socket
from collections.abc import Callable
from contextlib import suppress

from pynetdicom import AE

NOBODY = "\\"  # no AE title can be this (a backslash is not allowed): "accept no one"


def _socket(event):
    transport = getattr(event.assoc.dul, "socket", None)
    return getattr(transport, "socket", None)


def no_delays(event) -> None:
    """Send each PDU at once (no Nagle): a C-FIND answer is a command PDU and a data PDU, and the
    second would otherwise wait for the peer's delayed acknowledgement of the first (40 ms)."""
    sock = _socket(event)
    if sock is not None:
        with suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    acknowledge_at_once(event)


def acknowledge_at_once(event) -> None:
    """Acknowledge the peer's segments at once (Linux's TCP_QUICKACK, which lapses, so it is set again
    after every PDU): scanners that leave Nagle's algorithm on (dcmtk does by default) would otherwise
    wait 40 ms for our delayed acknowledgement before sending a request's second PDU."""
    sock = _socket(event)
    if sock is not None and hasattr(socket, "TCP_QUICKACK"):
        with suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


class ClinicAE(AE):
    """An AE whose list of accepted callers is asked for at every association."""

    def __init__(self, ae_title: str, callers: Callable[[], list[str]]):
        super().__init__(ae_title=ae_title)
        self._callers = callers

    @property
    def require_calling_aet(self) -> list[str]:  # type: ignore[override]
        return self._callers() or [NOBODY]

    @require_calling_aet.setter
    def require_calling_aet(self, ae_titles: list[str]) -> None:
        raise AttributeError("the accepted callers come from the rooms and the PACS setting")


COMMAND_SETS_KEPT = 512


def remember_command_sets(encode: Callable[..., bytes | None]) -> Callable[..., bytes | None]:
    """``encode`` for pynetdicom's command sets (``dimse_messages.encode``), which it encodes twice per
    message, once for the group length and once to send: the same few elements each time, and the
    same for all the pending answers of one C-FIND. Bytes are kept by the elements' values (tag, VR,
    value); a command set with a value that cannot be a key is encoded as before."""
    kept: dict[tuple, bytes] = {}

    def encoded(ds, is_implicit_vr: bool, is_little_endian: bool, deflated: bool = False) -> bytes | None:
        try:
            key = (is_implicit_vr, is_little_endian, deflated, *((int(e.tag), e.VR, e.value) for e in ds))
            found = kept.get(key)
        except TypeError:  # a list or another unhashable value
            return encode(ds, is_implicit_vr, is_little_endian, deflated)
        if found is None:
            found = encode(ds, is_implicit_vr, is_little_endian, deflated)
            if found:
                if len(kept) >= COMMAND_SETS_KEPT:
                    kept.clear()
                kept[key] = found
        return found

    encoded.wrapped = encode  # type: ignore[attr-defined]
    return encoded
