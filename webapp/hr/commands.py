"""``flask --app wsgi import-members FILE.csv [--dry-run]``."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from models import db
from webapp.hr.imports import invitation_links
from webapp.services.importer import ImportProblems, apply_import, plan_import


@click.command("import-members")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Only show what would change; write nothing.")
@click.option(
    "--base-url",
    default=lambda: os.environ.get("COPMATCH_BASE_URL", "http://localhost:5000"),
    show_default="$COPMATCH_BASE_URL or http://localhost:5000",
    help="Where members reach CoPMatch, for the set-password links.",
)
@with_appcontext
def import_members(file, dry_run: bool, base_url: str) -> None:
    """Create or update members from the HR system's CSV (all or nothing)."""
    data = file.read()
    try:
        plan = plan_import(data)
    except ImportProblems as error:
        db.session.rollback()
        click.echo(f"Nothing imported: {len(error.problems)} problem(s).", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    summary = plan.summary
    click.echo(f"{summary['new']} new, {summary['updated']} updated, {summary['unchanged']} unchanged.")
    if plan.new_skills:
        click.echo(f"New skills (HR-approved): {', '.join(plan.new_skills)}")
    if plan.new_communities:
        click.echo(f"New communities: {', '.join(plan.new_communities)}")
    for change in plan.changes:
        if change.status != "unchanged":
            details = f": {'; '.join(change.changes)}" if change.changes else ""
            click.echo(f"  line {change.line} {change.status:8} {change.email} ({change.name}){details}")
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing written.")
        return
    result = apply_import(plan, current_app.config["INVITATION_DAYS"])
    db.session.commit()
    click.echo(f"Imported: {result.created} created, {result.updated} updated.")
    if result.invitations:
        click.echo("Set-password links (send each to its member; they work once):")
        with current_app.test_request_context(base_url=base_url):
            for email, _name, link in invitation_links(result):
                click.echo(f"  {email}  {link}")
