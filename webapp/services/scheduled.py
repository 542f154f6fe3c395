"""``tick``: the scheduled work, run by cron (``flask --app wsgi tick``) or by RQ's scheduler.

Every step is idempotent (each records what it did in the same transaction as the
messages it puts in the outbox), so running ``tick`` twice, or two at once, sends
nothing twice:

1. jobs whose worker stopped beating are marked failed, messages a dead worker left
   half-sent are shown to HR;
2. reminders of invitations unanswered after ``REMINDER_DAYS``;
3. the relationship tasks of ``after_match.schedule`` (feedback open when a round
   ends, check-ins, re-assessments, attention flags);
4. the retention purge (``RETENTION_DAYS``) and sent messages' records after ``OUTBOX_KEEP_DAYS``;
5. every message due in the outbox.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app

from models import db
from models.base import utcnow
from webapp import jobs
from webapp.services import outbox
from webapp.services.after_match.schedule import ScheduledTaskError, run_scheduled
from webapp.services.privacy import purge_expired
from webapp.services.reminders import remind_unanswered
from webapp.services.rounds.participation import aware

log = logging.getLogger(__name__)

#: How often RQ's scheduler runs ``tick`` when Redis is there.
TICK_SECONDS = 60
#: Days a sent message's record (kind, member, times; no text) is kept.
OUTBOX_KEEP_DAYS = 30


def tick(now: datetime | None = None) -> dict[str, int]:
    """Run the scheduled work as of ``now``; what each step did, by name."""
    now = aware(now or utcnow())
    figures = {"stale_jobs": jobs.sweep_stale(now), "stuck_messages": outbox.sweep_stuck(now)}
    reminders = outbox.stage(remind_unanswered(now))
    db.session.commit()
    figures["reminders"] = len(reminders)
    try:
        figures.update(run_scheduled(now))
    except ScheduledTaskError as error:  # the others ran; the log names the task
        log.error("%s", error)
        figures["failed_tasks"] = 1
    purge = purge_expired(current_app.config["RETENTION_DAYS"], now)
    db.session.commit()
    figures["purged_texts"] = purge.total
    figures["forgotten_messages"] = outbox.purge_sent(now - timedelta(days=OUTBOX_KEEP_DAYS))
    delivery = outbox.deliver_due(now)
    figures["sent"], figures["not_sent"] = delivery.sent, len(delivery.failed)
    if jobs.backend() == "rq":
        schedule_next_tick()
    return figures


def schedule_next_tick(after: float = TICK_SECONDS) -> None:
    """Ask RQ's scheduler for the next tick: one per minute whatever the number of workers (the
    job's id is the minute's)."""
    moment = utcnow() + timedelta(seconds=after)
    slot = int(moment.timestamp() // TICK_SECONDS)
    jobs.rq_queue().enqueue_at(moment, jobs.perform, "tick", job_id=f"copmatch-tick-{slot}")
