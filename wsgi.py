"""WSGI entry point: ``gunicorn wsgi:app``. The only module that makes an app at import."""

from clinic import create_app, heap

app = create_app()
heap.install(app)  # a server process: keep the start-up objects out of the garbage collector's walks
