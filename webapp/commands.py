"""Command-line tasks: ``flask --app wsgi <command>``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from models import db
from webapp.auth.forms import MIN_PASSWORD_LENGTH
from webapp.hr.commands import import_members
from webapp.rounds.commands import run_round
from webapp.services.accounts import AccountError, make_hr
from webapp.services.demo import database_is_empty, load_demo_data

DEMO_LOGINS_FILE = "demo-logins.txt"


def register(app: Flask) -> None:
    app.cli.add_command(create_hr)
    app.cli.add_command(demo_data)
    app.cli.add_command(import_members)
    app.cli.add_command(run_round)


@click.command("create-hr")
@click.argument("email")
@click.option("--password", help="Set this password (for scripts); otherwise you are asked.")
@click.option("--name", help="Display name for a new account.")
@with_appcontext
def create_hr(email: str, password: str | None, name: str | None) -> None:
    """Make EMAIL an HR account, creating it if needed."""
    if password is None:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(_("The password needs at least %(min)d characters.", min=MIN_PASSWORD_LENGTH))
    try:
        member, created = make_hr(email, password, name)
    except (AccountError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if created:
        click.echo(_("Created HR account %(email)s.", email=member.email))
    else:
        click.echo(_("Promoted HR account %(email)s.", email=member.email))


@click.command("demo-data")
@click.option("--members", default=300, show_default=True, help="How many members to create.")
@click.option("--seed", default=1, show_default=True, help="Random seed, for a repeatable organisation.")
@with_appcontext
def demo_data(members: int, seed: int) -> None:
    """Fill an EMPTY database with a believable demo organisation."""
    logins_file = Path(current_app.instance_path) / DEMO_LOGINS_FILE
    if not database_is_empty():
        click.echo(_("The database already has members; demo data not loaded."))
        if logins_file.exists():
            click.echo(logins_file.read_text().rstrip())
        return
    try:
        logins = load_demo_data(members=members, seed=seed)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    text = logins.describe()
    logins_file.write_text(text + "\n")
    logins_file.chmod(0o600)
    click.echo(text)
