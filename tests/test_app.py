"""The application factory, error pages, security headers and local date formats."""

from __future__ import annotations

import datetime as dt

from clinic import create_app
from clinic.auth.access import any_staff
from clinic.core.timefmt import fmt_date, fmt_datetime, fmt_long_date
from clinic.extensions import db
from clinic.models import ReferringPhysician
from tests.conftest import Browser
from tests.factories import build_clinic


def test_factory_defaults_run_on_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'clinic.db'}"
    assert app.config["CLINIC_TIMEZONE"] == "Europe/Berlin"
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "uploads")
    # The secret key is generated once into the instance folder and reused.
    key = (tmp_path / "secret_key").read_text()
    assert len(key) == 64 and app.config["SECRET_KEY"] == key
    assert create_app().config["SECRET_KEY"] == key
    assert not app.testing
    assert create_app({"TESTING": True}).testing


def test_factory_reads_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://clinic@db.example/clinic")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("CLINIC_TIMEZONE", "Europe/Vienna")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://clinic@db.example/clinic"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["CLINIC_TIMEZONE"] == "Europe/Vienna"
    assert not (tmp_path / "secret_key").exists()


def test_security_headers_and_cookie_flags(app, browser, session):
    build_clinic(session)
    session.commit()
    response = browser.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    login = browser.login("frontdesk")
    cookie = next(c for c in login.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = browser.get("/patients/")
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.get_data(as_text=True)  # all script comes from /static


def test_error_pages_and_the_500_handler_rolls_back(app, fresh_app, session):
    """On an app of its own: the shared one takes no new routes once it has served a request."""
    app = fresh_app
    browser = Browser(app.test_client())
    build_clinic(session)
    session.commit()

    @any_staff
    def explode():
        db.session.add(ReferringPhysician(name="Half-saved record"))
        db.session.flush()
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    browser.login("frontdesk")
    response = browser.get("/explode")
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert session.query(ReferringPhysician).filter_by(name="Half-saved record").count() == 0
    missing = browser.get("/no/such/page")
    assert missing.status_code == 404 and "There is nothing at this address" in missing.get_data(as_text=True)


def test_dates_and_times_in_the_clinic_zone_and_format():
    instant = dt.datetime(2026, 11, 21, 7, 30, tzinfo=dt.UTC)
    assert fmt_datetime(instant, "Europe/Berlin") == "21.11.2026 08:30"
    summer = dt.datetime(2026, 7, 1, 6, 30, tzinfo=dt.UTC)
    assert fmt_datetime(summer, "Europe/Berlin") == "01.07.2026 08:30"
    assert fmt_date(dt.date(2026, 11, 21), "en_GB") == "21/11/2026"
    assert fmt_long_date(dt.date(2026, 12, 14), "de_DE") == "Montag, 14. Dezember 2026"
    assert fmt_long_date(dt.date(2026, 12, 14), "en_GB") == "Monday, 14 December 2026"
