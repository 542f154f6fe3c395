"""``flask --app wsgi run-round --kind mentoring --community NAME [--publish]``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from models import Community, db
from models.base import normalize_key
from models.round import ROUND_KINDS
from webapp.services.messages import deliver
from webapp.services.rounds.figures import headline_figures
from webapp.services.rounds.guards import RoundError
from webapp.services.rounds.lifecycle import create_round, publish_round
from webapp.services.rounds.solving import solve_round


@click.command("run-round")
@click.option("--kind", type=click.Choice(ROUND_KINDS), required=True, help="Which matcher to run.")
@click.option("--community", "community_name", help="The community's name; leave out for the whole organisation.")
@click.option("--name", help="A name for the round (default: kind and date).")
@click.option("--publish", is_flag=True, help="Publish straight away and send the invitations.")
@with_appcontext
def run_round(kind: str, community_name: str | None, name: str | None, publish: bool) -> None:
    """Create a round, solve it with the default parameters, print its figures."""
    community_id = None
    if community_name:
        community = db.session.scalar(sa.select(Community).where(Community.name_key == normalize_key(community_name)))
        if community is None:
            raise click.ClickException(f"No community called {community_name!r}.")
        community_id = community.id
    try:
        round_ = create_round(kind, community_id, None, name=name)
        solve_round(round_.id)
        db.session.commit()
    except RoundError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Round {round_.id}: {round_.name} ({round_.kind}, {round_.scope_name}) is {round_.status}.")
    for label, value in headline_figures(round_):
        click.echo(f"  {label + ':':<24}{value}")
    for note in round_.notes:
        click.echo(f"  note: {note}")
    if publish:
        publication = publish_round(round_.id)
        db.session.commit()
        sent = deliver(publication.messages)
        click.echo(f"Published: {sent} invitation message(s) sent.")
