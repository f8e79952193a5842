"""The garbage collector in a long-running server process.

A full collection stops every thread of the process while it walks all the objects the process holds:
about 280 000 once the app has started and served its first pages (Flask, SQLAlchemy and its
statement caches, the translations, the compiled templates), 110-290 ms a collection on the build
machine, and under load every few seconds in each worker: the long tail of every page, the trivial
route's too (bench/RESULTS.md, 3 December 2026). Those objects live as long as the process does.
``gc.freeze()`` moves them where the collector no longer looks, so that a collection walks only what
the requests make.

It is done twice: once the app is built (before any request), and once the process has served
``WARM_REQUESTS`` (its templates compiled and caches filled). Objects of a request in flight at the
second moment are frozen with the rest and never collected; that is a few thousand objects once per
process. Only the WSGI entry point (wsgi.py) installs it: tests build many apps in one process.
"""

from __future__ import annotations

import gc
import itertools
import threading

from flask import Flask

WARM_REQUESTS = 100


def freeze() -> None:
    gc.collect()
    gc.freeze()


def install(app: Flask, warm_requests: int = WARM_REQUESTS) -> None:
    freeze()
    served = itertools.count(1)
    lock = threading.Lock()
    frozen_again = False

    @app.teardown_request
    def _freeze_once_warm(_error=None) -> None:
        nonlocal frozen_again
        if frozen_again or next(served) < warm_requests:
            return
        with lock:
            if not frozen_again:
                frozen_again = True
                freeze()
