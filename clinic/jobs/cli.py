"""The ``scheduler`` command: ``flask --app clinic scheduler [--once [--job NAME]...]``."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from .scheduler import Process, acquire, run_forever, run_once, signals_handled
from .tasks import JOBS


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("clinic.jobs").setLevel(logging.INFO)
    # APScheduler says "Running job …" at INFO for every run: every 30 seconds for the sender.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once, then exit (for operators and tests).")
@click.option(
    "--job",
    "jobs",
    multiple=True,
    type=click.Choice(list(JOBS)),
    help="With --once: only this job (repeat for several).",
)
@with_appcontext
def scheduler_command(once: bool, jobs: tuple[str, ...]) -> None:
    """Run the background jobs in this process: one scheduler per clinic.

    A second scheduler waits idle until the first one stops, then takes over. Never run the jobs
    inside the web server's workers: each worker would run every job.
    """
    if jobs and not once:
        raise click.UsageError("--job goes with --once.")
    _configure_logging()
    process = Process.for_app(current_app._get_current_object())
    if not once:
        run_forever(process)
        return

    # The jobs run in this thread: a signal asks them to stop after the item in hand.
    with signals_handled(process):
        if not acquire(process, wait=False):
            raise click.ClickException(
                "Another scheduler is running (it holds the lock) and runs these jobs itself. Nothing done."
            )
        try:
            for name, result in run_once(process, jobs or None).items():
                click.echo(f"{name}: {result}")
        finally:
            process.lock.release()
