"""The busiest screens read each kind of record once, however many appointments the day holds: the
statements a page sends do not grow with its rows (the load test found them growing one per row)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from clinic.extensions import db
from tests.api.conftest import clinic, world  # noqa: F401  (fixtures)
from tests.api.world import build_world
from tests.conftest import TODAY

PAGES = {
    "frontdesk": ["/desk/", f"/desk/calendar?day={TODAY}", f"/desk/calendar?day={TODAY}&view=week"],
    "rad1": ["/radiology/worklist", "/radiology/worklist/rows", "/radiology/appointments/{appointment}"],
}


def _statements(app, browser, path: str) -> int:
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert browser.get(path).status_code == 200, path
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(sent)


@pytest.mark.parametrize("user", sorted(PAGES))
def test_statements_do_not_grow_with_the_days_appointments(app, browser, session, settings, world, user):  # noqa: F811
    browser.login(user)
    appointment = world.appointments["booked"].id
    paths = [p.format(appointment=appointment) for p in PAGES[user]]
    before = {path: _statements(app, browser, path) for path in paths}
    for _ in range(2):
        build_world(session, settings, world.clinic)  # 16 more appointments today and after, 8 more waiting
    after = {path: _statements(app, browser, path) for path in paths}
    assert after == before
