"""``flask --app wsgi run-round --kind mentoring --community NAME [--publish]``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from flask_babel import gettext as _

from models import Community, JobStatus, db
from models.base import normalize_key
from models.round import ROUND_KINDS
from webapp import jobs
from webapp.services import audit
from webapp.services.labels import scope_label
from webapp.services.messages import deliver_after_commit
from webapp.services.round_review import KIND_NAMES
from webapp.services.rounds.figures import headline_figures
from webapp.services.rounds.guards import RoundError, get_round
from webapp.services.rounds.lifecycle import create_round, publish_round
from webapp.services.rounds.notes import note_lines
from webapp.services.rounds.solving import start_solve


@click.command("run-round")
@click.option("--kind", type=click.Choice(ROUND_KINDS), required=True, help="Which matcher to run.")
@click.option("--community", "community_name", help="The community's name; leave out for the whole organisation.")
@click.option("--name", help="A name for the round (default: kind and date).")
@click.option("--publish", is_flag=True, help="Publish straight away and send the invitations.")
@with_appcontext
def run_round(kind: str, community_name: str | None, name: str | None, publish: bool) -> None:
    """Create a round, solve it with the default parameters, print its figures.

    The output is in the app's ``DEFAULT_LOCALE`` (there is no member to ask).
    """
    community_id = None
    if community_name:
        community = db.session.scalar(sa.select(Community).where(Community.name_key == normalize_key(community_name)))
        if community is None:
            raise click.ClickException(_("No community called '%(name)s'.", name=community_name))
        community_id = community.id
    try:
        round_ = create_round(kind, community_id, None, name=name)
        db.session.commit()
        round_id = round_.id
        job, _started = start_solve(round_id)
    except RoundError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    if job.status.active:
        click.echo(_("Solving round %(id)d in the background (job %(job)d)…", id=round_id, job=job.id), err=True)
        job = jobs.wait(job.id)
    if job.status != JobStatus.FINISHED:
        raise click.ClickException(jobs.message_of(job) or job.status.title)
    round_ = get_round(round_id)
    click.echo(_("Round %(id)d: “%(name)s” (%(kind)s, %(scope)s) is %(status)s.", id=round_.id, name=round_.name,
                 kind=KIND_NAMES[round_.kind], scope=scope_label(round_), status=round_.status.title))
    for label, value in headline_figures(round_):
        click.echo(f"  {label + ':':<24}{value}")
    for note in note_lines(round_):
        click.echo("  " + _("note: %(note)s", note=note))
    if publish:
        publication = publish_round(round_.id)
        if publication.published:
            audit.record("publish", round_id=round_.id, invitations=len(publication.messages))
        db.session.commit()
        delivery = deliver_after_commit(publication.messages)
        click.echo(_("Published: %(num)d invitation message(s) sent.", num=delivery.handed_over))
        if delivery.failed:
            click.echo(_("%(num)d message(s) could not be sent: see the audit trail.", num=len(delivery.failed)),
                       err=True)
