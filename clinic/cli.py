"""Flask commands: ``seed-demo``, ``users create|token|revoke-token|list``, ``scheduler``, ``dicom``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .core import audit
from .core.errors import DomainError
from .extensions import db
from .models import ApiToken
from .models.vocab import Role
from .services import accounts

users = AppGroup("users", help="Staff accounts and API tokens.")


@users.command("create")
@click.argument("username")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice(Role.values()), help="Repeat for several roles."
)
@click.option("--name", "full_name", default="", help="Full name shown on screens.")
@click.option("--email", default=None)
def create_user(username: str, roles: tuple[str, ...], full_name: str, email: str | None) -> None:
    """Create a staff account. The password is asked for, never taken from the command line."""
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    audit.set_actor(db.session, audit.Actor(None, "cli"))
    try:
        user = accounts.create_user(db.session, username, full_name or username, password, set(roles), email=email)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Created {user.username} with role(s) {', '.join(sorted(user.roles))}.")


@users.command("token")
@click.argument("username")
@click.option("--name", default="api", help="What the token is for, e.g. the system that uses it.")
def create_token(username: str, name: str) -> None:
    """Print a new API token for USERNAME, once. Only its hash is stored."""
    user = accounts.find_user(db.session, username)
    if user is None or not user.active:
        raise click.ClickException(f"No active user {username!r}.")
    audit.set_actor(db.session, audit.Actor(None, "cli"))
    token = accounts.issue_token(db.session, user, name)
    db.session.commit()
    click.echo(token)


@users.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke an API token by its id (see ``users tokens``)."""
    audit.set_actor(db.session, audit.Actor(None, "cli"))
    try:
        accounts.revoke_token(db.session, token_id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Token {token_id} revoked.")


@users.command("tokens")
def list_tokens() -> None:
    """List API tokens (id, user, name, prefix, state)."""
    for token in db.session.scalars(select(ApiToken).order_by(ApiToken.id)):
        state = "revoked" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.user.username}\t{token.name}\t{token.prefix}…\t{state}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet (used by `make run`).")
def seed_demo(if_empty: bool) -> None:
    """Build the demo clinic. Running it again changes nothing."""
    from .demo import seed
    from .models import User
    from .scheduling.context import Settings

    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("The database already has users; no demo data added.")
        return
    audit.set_actor(db.session, audit.Actor(None, "seed-demo"))
    created = seed(db.session, Settings.from_config(current_app.config), current_app.config["UPLOAD_DIR"])
    db.session.commit()
    click.echo("Demo clinic created." if created else "Demo data already present; nothing changed.")


def init_app(app: Flask) -> None:
    from .dicom.cli import dicom_command
    from .jobs.cli import scheduler_command

    app.cli.add_command(users)
    app.cli.add_command(seed_demo)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(dicom_command)
