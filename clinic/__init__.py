"""The clinic application. ``create_app`` is the only place an app is made."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .config import PROJECT_ROOT, Defaults, from_environment


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.from_object(Defaults)
    app.config.update(from_environment(instance_path))
    if test_config:
        app.config.update(test_config)
    from .core import clock

    clock.pin_from_environment()
    # Statement values stay out of error texts and so out of logs (they carry patient data); a developer
    # may turn them on for a debugging session (SQL_LOG_PARAMETERS=1).
    engine_options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    engine_options.setdefault("hide_parameters", not app.config["SQL_LOG_PARAMETERS"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app.config["MAX_CONTENT_LENGTH"] = app.config["UPLOAD_MAX_REQUEST_MB"] * 1024 * 1024
    # CSRF is checked by our own before_request so that token-authenticated API calls can skip it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    from .cookie_session import SkewTolerantSessionInterface

    app.session_interface = SkewTolerantSessionInterface()

    from . import boundary, cli, errors, i18n, templating
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)

    with app.app_context():
        from .database import configure_engine

        configure_engine(db.engine)

    from .core import audit, changes

    audit.install()
    changes.install()

    boundary.bound_numbers(app)  # before the blueprints: ids in addresses fit the database

    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .feeds import bp as feeds_bp
    from .fhir import bp as fhir_bp
    from .frontdesk import bp as frontdesk_bp
    from .main import bp as main_bp
    from .observation import bp as observation_bp
    from .patients import bp as patients_bp
    from .portal import bp as portal_bp
    from .radiology import bp as radiology_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(patients_bp, url_prefix="/patients")
    app.register_blueprint(frontdesk_bp, url_prefix="/desk")
    app.register_blueprint(radiology_bp, url_prefix="/radiology")
    app.register_blueprint(observation_bp, url_prefix="/observation")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(fhir_bp, url_prefix="/fhir/R4")
    app.register_blueprint(feeds_bp)
    app.register_blueprint(portal_bp, url_prefix="/p")

    boundary.add_form_landings(app)  # after every blueprint: the POST-only form addresses answer a GET too
    boundary.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    return app
