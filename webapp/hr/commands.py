"""``flask --app wsgi import-members FILE.csv [--dry-run]``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from models import db
from webapp.hr.imports import send_invitations
from webapp.services import audit
from webapp.services.importer import ImportProblems, apply_import, plan_import


@click.command("import-members")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Only show what would change; write nothing.")
@click.option(
    "--base-url",
    default=None,
    show_default="COPMATCH_BASE_URL",
    help="Where members reach CoPMatch, for the set-password links.",
)
@with_appcontext
def import_members(file, dry_run: bool, base_url: str | None) -> None:
    """Create or update members from the HR system's CSV (all or nothing)."""
    if base_url:  # this one command's links, as if BASE_URL were set so
        current_app.config["BASE_URL"] = base_url.rstrip("/")
    data = file.read()
    try:
        plan = plan_import(data)
    except ImportProblems as error:
        db.session.rollback()
        click.echo(ngettext("Nothing imported: %(num)d problem.", "Nothing imported: %(num)d problems.",
                            len(error.problems)), err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    summary = plan.summary
    click.echo(_("%(new)d new, %(updated)d updated, %(unchanged)d unchanged.", **summary))
    if plan.new_skills:
        click.echo(_("New skills (HR-approved): %(names)s", names=", ".join(plan.new_skills)))
    if plan.new_communities:
        click.echo(_("New communities: %(names)s", names=", ".join(plan.new_communities)))
    for change in plan.changes:
        if change.status != "unchanged":
            details = f": {'; '.join(change.changes)}" if change.changes else ""
            status = f"{change.status_label:8}"
            click.echo("  " + _("line %(line)d %(status)s %(email)s (%(name)s)", line=change.line, status=status,
                                email=change.email, name=change.name) + details)
    if dry_run:
        db.session.rollback()
        click.echo(_("Dry run: nothing written."))
        return
    result = apply_import(plan, current_app.config["INVITATION_DAYS"])
    audit.record("import", created=result.created, updated=result.updated, unchanged=result.unchanged)
    db.session.commit()
    click.echo(_("Imported: %(created)d created, %(updated)d updated.", created=result.created,
                 updated=result.updated))
    if result.reclaimed:
        click.echo(ngettext("%(num)d account whose address was never confirmed was reclaimed: its password is "
                            "cleared and its sessions ended.",
                            "%(num)d accounts whose addresses were never confirmed were reclaimed: their passwords "
                            "are cleared and their sessions ended.", result.reclaimed))
    if result.invitations:
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            report = send_invitations(result)
        if report.sent is None:
            click.echo(_("The set-password emails could not be sent: the mail server did not answer (see the log)."),
                       err=True)
        elif report.links:
            click.echo(_("No mail server is set, so the set-password links are here (send each to its member; "
                         "they work once):"))
            for email, _name, link in report.links:
                click.echo(f"  {email}  {link}")
        else:
            click.echo(ngettext("Sent %(num)d set-password email.", "Sent %(num)d set-password emails.", report.sent))
