"""The staff's session cookie: Flask's signed cookie, read with a little patience for other clocks.

The cookie carries the second it was signed, and itsdangerous refuses a signature from the future. Behind
a proxy with several app hosts (README, production), a cookie signed by a host whose clock runs a few
milliseconds ahead and read on the next request by another host is such a signature whenever the two
clocks straddle a second: the user would be logged out at random, a typed form lost with the session.
A signature up to ``CLOCK_SKEW`` ahead is taken; the lifetime (PERMANENT_SESSION_LIFETIME) holds as
before, and a signature further ahead is refused as before."""

from __future__ import annotations

import logging
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

CLOCK_SKEW_SECONDS = 60
log = logging.getLogger(__name__)


class SkewTolerantSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        age = int(time.time()) - int(signed_at.timestamp())
        if not -CLOCK_SKEW_SECONDS <= age <= app.permanent_session_lifetime.total_seconds():
            # A clock far off between the app hosts shows here first (no user or cookie named).
            log.info("session cookie refused: signed %d s %s", abs(age), "ago" if age > 0 else "ahead of this clock")
            return self.session_class()
        return self.session_class(data)
