"""Browser fixtures, loaded for the whole suite by tests/conftest.py: one Playwright per process
(importing these fixtures into a second module would start a second one). Playwright drives Debian's
Chromium (/usr/bin/chromium) against the app served on a local port; never `playwright install`. In CI
a missing browser is a failure, elsewhere a skip."""

from __future__ import annotations

import os
import re
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import real_clock_environment, require_or_skip

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _browser_environment() -> dict[str, str]:
    """Chromium keeps the real clock when the suite runs under faketime (make test-shifted): it does not
    start with libfaketime's monotonic clock left alone, and a device's clock is not the server's anyway."""
    return real_clock_environment()


@pytest.fixture(scope="session")
def chromium():
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "the playwright package is not installed"
    if problem is None and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        problem = f"Chromium is not installed at {CHROMIUM} (Debian package 'chromium')"
    require_or_skip(problem)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, env=_browser_environment())
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Request threads are joined when the server closes: a request still running when a test ends (the
    # browser left mid-upload) would otherwise write on, and hand a connection to this test's database
    # back to the pool for the next test.
    server.daemon_threads = False
    app.config["SERVER_NAME"] = f"127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


class Staff:
    """One person at one browser: logs in and works the screens."""

    def __init__(self, chromium, base: str, username: str, password: str):
        self.context = chromium.new_context(
            viewport={"width": 1400, "height": 1000}, locale="de-DE", timezone_id="Europe/Berlin"
        )
        self.page = self.context.new_page()
        self.base = base
        self.console_errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("dialog", lambda d: d.accept())  # the "are you sure?" confirmations
        self.page.goto(base + "/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        if "/login" in self.page.url:
            # Which side lost the session: the browser (no cookie kept) or the server (cookie refused; its
            # log says why).
            cookies = [cookie["name"] for cookie in self.context.cookies()]
            raise AssertionError(f"{username} could not log in; the browser holds the cookies {cookies}")

    def _console(self, message) -> None:
        # A refused action answers 4xx on purpose, and Chromium logs that too; script errors,
        # CSP violations and missing assets are what we look for.
        if message.type == "error" and not re.search(r"status of 4(09|22|00)", message.text):
            self.console_errors.append(message.text)

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def screenshot(self, name: str) -> None:
        folder = os.environ.get("SCREENSHOT_DIR")
        if folder:
            os.makedirs(folder, exist_ok=True)
            self.page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture
def staff(chromium, live_server):
    opened: list[Staff] = []

    def login(username: str) -> Staff:
        from tests.factories import PASSWORD

        person = Staff(chromium, live_server, username, PASSWORD)
        opened.append(person)
        return person

    yield login
    for person in opened:
        person.close()


def hand_over(session, *rows) -> list[int]:
    """Commit the test's data and close its session, for the app behind the browser to work on: the
    rows' ids, read before the close. (On SQLite a test session still reading would hold the write lock
    the server needs.)"""
    session.commit()
    ids = [row.id for row in rows]
    session.close()
    return ids


def submit(page, target) -> str:
    """Click a button that sends a form, wait for the page that answers to load, and return its HTML.
    Reading ``page.content()`` straight after ``click()`` can catch the page between two documents
    (an empty string) on a busy machine."""
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state()
    return page.content()


class Words:
    """The screens' words in a staff member's language, looked up in the compiled catalogue the app uses:
    ``say("Check in")`` is "Check in" for English staff and the catalogue's German for German staff, so
    that one browser flow runs in both languages. A German run that found English on the page would fail
    on the first button it looks for."""

    def __init__(self, language: str):
        from babel.support import NullTranslations, Translations

        from clinic.i18n import TRANSLATIONS

        self.language = language
        self._catalogue = NullTranslations() if language == "en" else Translations.load(str(TRANSLATIONS), [language])

    def __call__(self, english: str, **values) -> str:
        text = self._catalogue.gettext(english)
        return text % values if values else text

    def plural(self, singular: str, plural: str, num: int, **values) -> str:
        return self._catalogue.ngettext(singular, plural, num) % {"num": num, **values}

    def start_of(self, english: str) -> str:
        """The words of a sentence before its first value ("Booked: reference %(reference)s." → "Booked:
        reference "), to find a sentence whose values the test does not know."""
        return self._catalogue.gettext(english).split("%(")[0]


def speak(session, language: str) -> Words:
    """Every staff account of the test's clinic in ``language``; the words to look for on their screens."""
    from sqlalchemy import update

    from clinic.models import User

    session.execute(update(User).values(language=language))
    session.commit()
    return Words(language)
