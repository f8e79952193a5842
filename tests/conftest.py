"""Test fixtures. Every database test runs on SQLite and on PostgreSQL (a session-scoped parameter).

Now and today: the suite runs on one pinned clock, Monday 23 November 2026, 07:00 in Berlin. Take "now"
from ``NOW`` (or the ``settings`` fixture's clock) and "today" from ``TODAY`` (the clinic's date); the app,
the services, the model defaults and the jobs read the same pinned clock (``clinic.clock``). No test reads
the machine's clock for its data: CI runs the suite with the machine's clock moved months away (faketime)
to keep it so. Only the harness's own timeouts and deadlines may use ``time.monotonic()``. A scheduler
process started by a test runs its clock from ``NOW`` (``CLINIC_CLOCK_START``).

The schema comes from the migrations (not ``create_all``), so the PostgreSQL exclusion constraints are
there. Tables are emptied after each test. PostgreSQL tests need a server: TEST_DATABASE_URL, or the
local one at 127.0.0.1:5432. Outside CI they are skipped when it does not answer; in CI (CI=true) they
fail instead.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="clinic-test-instance-"))
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("CLINIC_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")  # cheap hashes keep the suite fast

from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from clinic import create_app
from clinic.core import clock
from clinic.extensions import db, limiter
from clinic.scheduling.context import Settings
from clinic.services import settings as clinic_settings

pytest_plugins = ["tests.browser_fixtures"]


def real_clock_environment() -> dict[str, str]:
    """This environment without libfaketime, for a program that stands for another machine (the browser, the
    PACS): under make test-shifted it keeps the real clock. Orthanc under libfaketime (with the monotonic
    clock left alone) spins a core on its timed waits, and a device's clock is not the server's anyway."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ZONE = "Europe/Berlin"
# Monday 23 November 2026, 07:00 in Berlin: tests run against this fixed clock.
NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)  # the clinic's date at NOW
clock.pin(NOW)


def _compile_translations() -> None:
    """The screens' catalogues, compiled as make does, so that a plain ``pytest`` sees German screens too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parent.parent / "clinic" / "translations").glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalogue = read_po(source)
            partial = mo.with_name(f"{mo.name}.{os.getpid()}")  # xdist workers may compile at once
            with partial.open("wb") as target:
                write_mo(target, catalogue)
            os.replace(partial, mo)


_compile_translations()


def _pg_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def postgres_problem() -> str | None:
    try:
        engine = create_engine(_pg_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL at {PG_ADMIN_URL} does not answer: {exc.__class__.__name__}"
    return None


def require_or_skip(problem: str | None) -> None:
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"{problem} (CI requires it)")
    pytest.skip(problem)


def migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sqlite")
        migrate(f"sqlite:///{folder / 'template.db'}")
        yield f"sqlite:///{folder / 'clinic.db'}"
        return
    require_or_skip(postgres_problem())
    name = f"clinic_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_pg_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(_pg_url(PG_ADMIN_URL)).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _pinned_clock():
    """A test that moves the clock (``clock.pin``) leaves it pinned to NOW for the next one."""
    yield
    clock.pin(NOW)


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


def _fresh_sqlite(url: str) -> None:
    """Each SQLite test starts from a copy of the freshly migrated template database."""
    path = Path(make_url(url).database)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(path.with_name("template.db"), path)


def _empty_postgres() -> None:
    """Empty the tables a test wrote to and restart the sequences it used, in one round trip. TRUNCATE
    skips row triggers (the signed-record guard); truncating only the tables that hold rows costs about
    a millisecond where truncating all of them cost 170 ms a test."""
    names = ", ".join(f"'{t.name}'" for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                f"""
                DO $$
                DECLARE t text; has_rows boolean; busy text[] := '{{}}'; s record;
                BEGIN
                  FOREACH t IN ARRAY ARRAY[{names}] LOOP
                    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', t) INTO has_rows;
                    IF has_rows THEN busy := busy || quote_ident(t); END IF;
                  END LOOP;
                  IF cardinality(busy) > 0 THEN
                    EXECUTE 'TRUNCATE ' || array_to_string(busy, ', ') || ' RESTART IDENTITY CASCADE';
                  END IF;
                  FOR s IN SELECT schemaname, sequencename FROM pg_sequences WHERE last_value IS NOT NULL LOOP
                    EXECUTE format('ALTER SEQUENCE %I.%I RESTART', s.schemaname, s.sequencename);
                  END LOOP;
                END $$
                """
            )
        )


class IsolatedClient(FlaskClient):
    """A test client whose requests run as they would in production: in their own app context, with
    their own database session and ``g``. (With the fixture's app context pushed, Flask would reuse it
    for every request, and the logged-in user of one client would leak into the next.) The test's own
    session is committed first, as another process would only see committed data, and so that SQLite's
    write lock is free for the request."""

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


def _new_app(database_url: str) -> Flask:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "SERVER_NAME": "clinic.test",
            # Enough connections for the race tests' 32 workers to hold one each at the same time.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 40, "max_overflow": 10},
        }
    )
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def shared_app(database_url) -> Flask:
    """One app per database for the whole run: building an app compiles its 150 URL rules (about
    0.15 s), which every test paid before. Each test gets it with the configuration it started with."""
    return _new_app(database_url)


@pytest.fixture
def fresh_app(database_url):
    """An app of the test's own, for a test that changes more than the configuration (adds a route)."""
    app = _new_app(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


def reset_rate_limits() -> None:
    """``limiter.reset()`` once the memory storage's expiry timer has finished. The timer (a thread of the
    ``limits`` library) walks the storage's dicts without a lock, and a reset that cleared them under it
    raised KeyError in that thread, which pytest reports as an error of the next test (a CI check's
    shifted-clock pass, 3 December 2026)."""
    timer = getattr(limiter.storage, "timer", None)
    if timer is not None:
        timer.cancel()  # not yet started: it never runs; running: join waits for it
        timer.join()
    limiter.reset()


@pytest.fixture
def app(shared_app, database_url, tmp_path):
    app = shared_app
    if database_url.startswith("sqlite"):
        _fresh_sqlite(database_url)
        with app.app_context():
            db.engine.dispose()  # no pooled connection may still point at the last test's file
    configured = dict(app.config)
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    try:
        with app.app_context():
            reset_rate_limits()  # the shared app's login throttling starts afresh for each test
            yield app
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                _empty_postgres()
            db.engine.dispose()
    finally:
        app.config.clear()
        app.config.update(configured)


@pytest.fixture
def session(app):
    return db.session


# The clinic's booking notice as the app has it by default (services.settings: an hour's notice, then
# the arrival half an hour before the table time): the times a test finds are the times the screens offer.
NOTICE = clinic_settings.booking_notice_default()


@pytest.fixture
def settings() -> Settings:
    return Settings(zone=ZONE, clock=lambda: NOW, notice=NOTICE)


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def assert_shows(text: str, *phrases: str) -> None:
    """Every phrase is in ``text`` (a page, a PDF's words); a failure names all the phrases missing."""
    missing = [phrase for phrase in phrases if phrase not in text]
    assert not missing, f"not shown: {missing}"


class Browser:
    """A test client that logs in and posts forms with the CSRF token of the page, as a browser does."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = "demo-password-1"):
        page = self.client.get("/login")
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))},
        )

    def token(self, path: str = "/") -> str:
        page = self.client.get(path, follow_redirects=True)
        return csrf_from(page.get_data(as_text=True))

    def post(self, path: str, data: dict | None = None, *, form_page: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(form_page or path))
        return self.client.post(path, data=data, **kwargs)

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)


def logged_in(app, *usernames: str) -> list[Browser]:
    """A browser of its own for each of the users, logged in (one screen beside the other: German and English)."""
    browsers = [Browser(app.test_client()) for _ in usernames]
    for browser, username in zip(browsers, usernames, strict=True):
        browser.login(username)
    return browsers


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)
