"""Handing outbox messages to an SMTP server (smtplib), and telling a passing failure from a final one.

The duplicate window, stated plainly. SMTP has no way to ask a server whether it already took a
message, so exactly-once delivery cannot be had. The sender claims a message (committed), sends it,
and marks it sent (committed) the moment ``send_message`` returns. If the process dies after the
server has accepted the message (its 250 reply to the end of DATA) and before that commit lands, the
message is still "queued" with an old claim, and after the claim's lease it is sent again: the
patient may get the same email twice. We chose this over the opposite order (mark first, then
send), which would lose the message instead; a lost reminder costs a clinic more than a repeated
one. To keep the window small, each message is its own SMTP transaction followed at once by its own
commit (no batching of marks), and nothing else happens between the reply and the commit. To keep a
duplicate recognisable, the Message-ID is derived from the outbox id (and the number of deliberate
resends), never random: both copies carry the same Message-ID and ``X-Clinic-Outbox`` header, which
many mail systems use to drop the second copy and which lets us answer "did we send this twice?".
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from types import TracebackType

from ..models.base import utcnow
from ..services.outbox import Claim
from .settings import MailSettings

OUTBOX_HEADER = "X-Clinic-Outbox"


class DeliveryError(Exception):
    """A message was not delivered.

    ``permanent``: the server refused it for good (5xx): trying again would fail the same way.
    ``connection_lost``: the SMTP session is gone (server down, timeout): stop this run, the server
    is unlikely to answer the next message either.
    """

    def __init__(self, message: str, *, permanent: bool = False, connection_lost: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.connection_lost = connection_lost


def message_id(claim: Claim, sender: str) -> str:
    """The same for every attempt at one message; a deliberate resend by an admin gets a new one."""
    domain = sender.rpartition("@")[2] or "clinic.invalid"
    return f"<outbox-{claim.id}.{claim.resends}@{domain}>"


def build_email(claim: Claim, mail: MailSettings, sender_name: str = "") -> EmailMessage:
    """Raises DeliveryError (permanent) for a message that cannot be written as an email at all, e.g.
    an address with a line break in it: no retry would change that."""
    try:
        return _email(claim, mail, sender_name)
    except (ValueError, TypeError) as error:
        raise DeliveryError(f"cannot be written as an email: {error}", permanent=True) from error


def _email(claim: Claim, mail: MailSettings, sender_name: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = formataddr((sender_name, mail.sender)) if sender_name else mail.sender
    email["To"] = claim.recipient
    email["Subject"] = claim.subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message_id(claim, mail.sender)
    email[OUTBOX_HEADER] = str(claim.id)
    # RFC 3834: an automatic message; out-of-office replies should not answer it.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(claim.body)
    return email


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
    return f"{error.smtp_code} {text}".strip()


class SmtpCourier:
    """One SMTP session for a sender run, opened on first use and reused for each message."""

    def __init__(self, mail: MailSettings):
        self.mail = mail
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpCourier:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None):
        self.close()

    def _connect(self) -> smtplib.SMTP:
        mail = self.mail
        smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        try:
            smtp.ehlo()
            if mail.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if mail.user:
                smtp.login(mail.user, mail.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def deliver(self, email: EmailMessage) -> None:
        """Returns once the server has accepted the message; raises DeliveryError otherwise."""
        smtp = self._session()
        try:
            smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
            raise self._refused(f"recipient refused: {code} {text}", code) from error
        except smtplib.SMTPNotSupportedError as error:
            # An address with non-ASCII characters, and a server without SMTPUTF8.
            raise DeliveryError(f"the mail server cannot take this message: {error}", permanent=True) from error
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise self._refused(f"refused: {_reply(error)}", error.smtp_code) from error
        except (smtplib.SMTPException, OSError) as error:
            # Timeout, server disconnected: the session is gone.
            self.close()
            raise DeliveryError(f"SMTP server {self._where}: {error!r}", connection_lost=True) from error

    @property
    def _where(self) -> str:
        return f"{self.mail.host}:{self.mail.port}"

    def _session(self) -> smtplib.SMTP:
        """The open session, or a new one. Failing to open one is the server's or the configuration's
        problem (down, wrong port, no STARTTLS, wrong password), never the message's: retried."""
        if self._smtp is not None:
            return self._smtp
        try:
            self._smtp = self._connect()
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(f"SMTP login failed: {_reply(error)}", connection_lost=True) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP server {self._where}: {error!r}", connection_lost=True) from error
        return self._smtp

    def _refused(self, text: str, code: int) -> DeliveryError:
        if code == 421:  # "closing the channel": smtplib has already closed its end
            self.close()
            return DeliveryError(text, connection_lost=True)
        return DeliveryError(text, permanent=code >= 500)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
