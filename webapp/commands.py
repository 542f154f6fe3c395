"""Command-line tasks: ``flask --app wsgi <command>``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from models import db
from webapp.hr.commands import import_members
from webapp.queue_commands import send_messages, tick_command, worker
from webapp.rounds.commands import run_round
from webapp.services import audit
from webapp.services.accounts import AccountError, find_member_by_email, make_hr
from webapp.services.messages import deliver_after_commit
from webapp.services.demo import database_is_empty, load_demo_data
from webapp.services.privacy import purge_expired as purge

DEMO_LOGINS_FILE = "demo-logins.txt"


def register(app: Flask) -> None:
    app.cli.add_command(create_hr)
    app.cli.add_command(demo_data)
    app.cli.add_command(import_members)
    app.cli.add_command(run_round)
    app.cli.add_command(purge_expired)
    app.cli.add_command(tick_command)
    app.cli.add_command(send_messages)
    app.cli.add_command(worker)


@click.command("create-hr")
@click.argument("email")
@click.option("--password", help="Password for a new account (for scripts); otherwise you are asked.")
@click.option("--name", help="Display name for a new account.")
@with_appcontext
def create_hr(email: str, password: str | None, name: str | None) -> None:
    """Make EMAIL an HR account, creating it if needed.

    An existing account keeps its own password: the role changes, its
    sessions end, and nobody else gets in. One whose address was never
    confirmed is reclaimed first; an account without a password gets a
    set-password link by email.
    """
    existing = find_member_by_email(email)
    if existing is None and password is None and current_app.config["PASSWORD_LOGIN"]:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    was_hr = existing is not None and existing.is_hr
    try:
        outcome = make_hr(email, password, name)
    except (AccountError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    member = outcome.member
    if not was_hr:
        db.session.flush()
        audit.record("role_change", subject=member, role="hr")
    db.session.commit()
    if outcome.created:
        click.echo(_("Created HR account %(email)s.", email=member.email))
        return
    if outcome.reclaimed:
        click.echo(_("The address %(email)s was never confirmed: the account's password is cleared and its "
                     "sessions ended.", email=member.email))
    click.echo(_("Promoted HR account %(email)s.", email=member.email))
    click.echo(_("Its sessions have ended: it logs in again to use the HR role."))
    if outcome.password_set:
        click.echo(_("It had no password: the one given is set."))
    elif password and member.password_hash:
        click.echo(_("Its password is unchanged (the one given is not used): the account is its owner's."))
    if outcome.messages:
        if deliver_after_commit(outcome.messages).failed:
            raise click.ClickException(_("The set-password email could not be sent (see the log); the member can "
                                         "use “Forgot your password?” on the log-in page."))
        click.echo(_("A set-password link went to %(email)s.", email=member.email))


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


@click.command("purge-expired")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Keep this many days instead of RETENTION_DAYS.")
@with_appcontext
def purge_expired(days: int | None) -> None:
    """Empty decline reasons and free-text feedback older than RETENTION_DAYS (safe to run from cron)."""
    days = days or current_app.config["RETENTION_DAYS"]
    try:
        result = purge(days)
        db.session.commit()
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(_("Removed text older than %(days)d days: %(reasons)d decline reason(s), %(notes)d feedback note(s).",
                 days=days, reasons=result.reasons, notes=result.notes))
