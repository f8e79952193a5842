"""The ``scheduler`` command."""

import click


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the background jobs in this process (one scheduler per clinic)."""
    raise click.ClickException("The scheduler is being built (issue 7).")
