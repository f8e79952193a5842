"""WSGI entry point: ``gunicorn wsgi:app``. The only module that makes an app at import."""

from clinic import create_app

app = create_app()
