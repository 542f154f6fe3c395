"""The scheduled work of relationships: one list of idempotent tasks, and ``run_scheduled(now)``.

Each task takes ``now`` (an aware moment; a naive one is taken as UTC), acts
as if it were that moment, changes the session and returns the messages it
composed. ``run_scheduled`` commits after each task and only then sends
that task's messages, so a task's record of what it sent (a check-in row, a
flag's ``notified_at``) is stored before anything goes out; running it
twice for the same moment sends nothing twice. ``flask --app wsgi tick``
calls ``run_scheduled``; tests call it with a controlled clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from models import db
from webapp.services import outbox
from webapp.services.after_match.attention import flag_needs_attention, nudge_flagged
from webapp.services.after_match.checkins import send_due_checkins
from webapp.services.after_match.ending import open_feedback_at_end_date
from webapp.services.after_match.growth import ask_for_reassessment
from webapp.services.after_match.notices import send
from webapp.services.messages import Message
from webapp.services.rounds.participation import aware

log = logging.getLogger(__name__)

#: The tasks, in the order they run: rounds that reach their end date close first, so no
#: check-in or nudge goes out for a round that has just ended.
SCHEDULED: list[Callable[[datetime], list[Message]]] = [
    open_feedback_at_end_date,
    ask_for_reassessment,
    send_due_checkins,
    flag_needs_attention,
    nudge_flagged,
]


class ScheduledTaskError(RuntimeError):
    """One or more scheduled tasks failed (each was rolled back; the others ran)."""


def run_scheduled(now: datetime) -> dict[str, int]:
    """Run every task of ``SCHEDULED`` as of ``now``; how many messages each sent, by task name.

    A failing task is rolled back and logged and the others still run; then
    ``ScheduledTaskError`` names the failures.
    """
    now = aware(now)
    sent: dict[str, int] = {}
    failed: list[str] = []
    for task in SCHEDULED:
        try:
            messages = outbox.stage(task(now))  # in the outbox with the task's own record of it
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Scheduled task %s failed", task.__name__)
            failed.append(task.__name__)
            continue
        sent[task.__name__] = send(messages).handed_over
    if failed:
        raise ScheduledTaskError(f"scheduled tasks failed: {', '.join(failed)}")
    return sent
