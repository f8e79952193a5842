"""The session cookie read by another app host whose clock is a little behind the host that signed it
(clinic/cookie_session.py): the user stays logged in; a cookie past its lifetime, or signed far in the
future, still ends the session."""

from __future__ import annotations

import logging
import re
import time

import pytest
from itsdangerous import TimestampSigner

from tests.conftest import Browser
from tests.factories import build_clinic


def _signed_with_offset(app, data: dict, offset: int) -> str:
    """The session's data signed as a host whose clock is ``offset`` seconds off from this one would."""

    class OffsetSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) + offset

    serializer = app.session_interface.get_signing_serializer(app)
    serializer.signer = OffsetSigner
    return serializer.dumps(data)


def _cookie_name(app) -> str:
    return app.config["SESSION_COOKIE_NAME"]


def _logged_in_data(app, client) -> dict:
    cookie = client.get_cookie(_cookie_name(app), domain=app.config["SERVER_NAME"])
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie.value)


@pytest.mark.parametrize(
    ("offset", "still_logged_in"),
    [
        (0, True),
        (2, True),  # the other host's clock a little ahead: was logged out ("signature age -2 < 0")
        (55, True),
        (3600, False),  # an hour ahead is no clock's skew
        (-(8 * 3600 + 5), False),  # past the session's lifetime (8 hours)
    ],
)
def test_a_cookie_signed_by_a_host_a_little_ahead_keeps_the_user_logged_in(
    app, session, caplog, offset, still_logged_in
):
    build_clinic(session, radiologists=1)
    session.commit()
    client = app.test_client()
    assert Browser(client).login("rad1").status_code == 302
    data = _logged_in_data(app, client)
    assert data.get("_user_id")

    client.set_cookie(_cookie_name(app), _signed_with_offset(app, data, offset), domain=app.config["SERVER_NAME"])
    with caplog.at_level(logging.INFO, logger="clinic.cookie_session"):
        page = client.get("/radiology/worklist")

    refusals = [record.getMessage() for record in caplog.records if record.name == "clinic.cookie_session"]
    if still_logged_in:
        assert page.status_code == 200
        assert refusals == []
    else:
        assert page.status_code == 302 and "/login" in page.headers["Location"]
        # Said in the log, with the reason and no user: a clock far off between hosts shows there. (The
        # second may turn between signing and reading.)
        (refusal,) = refusals
        said = re.fullmatch(r"session cookie refused: signed (\d+) s (ago|ahead of this clock)", refusal)
        seconds, direction = said.groups()
        assert abs(int(seconds) - abs(offset)) <= 1
        assert direction == ("ahead of this clock" if offset > 0 else "ago")
