"""Background work from the command line: ``tick`` (for cron), ``send-messages`` and ``worker``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from models import db
from webapp import jobs
from webapp.services import outbox
from webapp.services.scheduled import schedule_next_tick, tick


@click.command("tick")
@with_appcontext
def tick_command() -> None:
    """Run the scheduled work once (reminders, check-ins, feedback notices, purge, due messages).

    Idempotent: meant for cron, e.g. every five minutes; running it twice sends nothing twice.
    """
    for name, count in tick().items():
        click.echo(f"{name}: {count}")


@click.command("send-messages")
@with_appcontext
def send_messages() -> None:
    """Send every message due in the outbox (where no worker runs)."""
    delivery = outbox.deliver_due()
    click.echo(_("%(sent)d message(s) sent, %(failed)d not sent.", sent=delivery.sent, failed=len(delivery.failed)))


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for tests and one-off runs).")
@with_appcontext
def worker(burst: bool) -> None:
    """An RQ worker with the app's settings: solves, deliveries and the scheduled tick (needs REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(_("Set REDIS_URL to the Redis server the web processes use."))
    from rq import Worker

    queue = jobs.rq_queue()
    if not burst:
        schedule_next_tick(after=1)
    db.session.remove()  # the work horses are forked: none inherits an open connection
    Worker([queue], connection=queue.connection).work(with_scheduler=not burst, burst=burst)
