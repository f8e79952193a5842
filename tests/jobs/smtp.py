"""A real SMTP server for the tests (aiosmtpd in a thread), which records what it accepts and can be
told to refuse a recipient or to stall in the middle of a message."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Received:
    outbox_id: int
    message_id: str
    recipient: str
    subject: str
    body: str
    sender: str


class Stall:
    """Hold the ``n``th message's DATA, after the whole message has arrived and before the reply.

    ``accept``: the server has taken the message (recorded it) and only its "250" is late: the
    sender's duplicate window. Otherwise the server refuses it in the end (451) and keeps nothing,
    as a server does that never gets to accept.
    """

    def __init__(self, n: int, *, accept: bool):
        self.n = n
        self.accept = accept
        self.reached = threading.Event()
        self.release = threading.Event()


class Recorder:
    """The aiosmtpd handler."""

    def __init__(self):
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}  # recipient -> reply, e.g. "550 5.1.1 no such user"
        self.stall: Stall | None = None
        self.data_commands = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            number = self.data_commands
        stall = self.stall if self.stall is not None and self.stall.n == number else None
        if stall is None or stall.accept:
            self._keep(envelope)
        if stall is not None:
            stall.reached.set()
            while not stall.release.is_set():
                await asyncio.sleep(0.02)
            if not stall.accept:
                return "451 4.3.0 Try again later"
        return "250 OK"

    def _keep(self, envelope) -> None:
        email = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(
                Received(
                    outbox_id=int(email["X-Clinic-Outbox"]),
                    message_id=email["Message-ID"],
                    recipient=envelope.rcpt_tos[0],
                    subject=str(email["Subject"]).strip(),  # unfolded: a long one starts on its own line
                    body=email.get_content(),
                    sender=str(email["From"]),
                )
            )


class SmtpServer:
    def __init__(self, port: int, **options):
        """``options`` go to aiosmtpd's SMTP class: tls_context, require_starttls, authenticator …"""
        self.port = port
        self.handler = Recorder()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port, **options)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        if self.handler.stall is not None:
            self.handler.stall.release.set()
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def ids(self) -> list[int]:
        return sorted(r.outbox_id for r in self.received)
