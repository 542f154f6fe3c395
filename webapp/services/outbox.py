"""The outbox: every message waits in the database until it is sent, and is sent at most once.

``send(messages)`` writes them (``OutboxMessage`` rows, each with its own
idempotency key) and hands them to a delivery job; ``deliver`` claims due rows
with a conditional UPDATE (pending → sending, committed before anything is
sent, so two workers never send one row), sends them and records how it went:

- sent: the row keeps its kind, member and times; its text is dropped (it may hold
  a private link, and it has done its work);
- the mail server could not be reached: tried again with back-off (the first
  retry within a minute), up to ``OUTBOX_MAX_ATTEMPTS``;
- refused, a bad address, or a message that could not be built: failed for good,
  shown to HR with its reason (``/hr/outbox``), who can retry it;
- a row left in ``sending`` (the worker died mid-send) is never sent again by itself:
  after ``STUCK_MINUTES`` it is marked failed ("may have been sent") for HR to decide.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from models import OutboxMessage, OutboxStatus, db
from models.base import utcnow
from webapp import jobs
from webapp.services import audit
from webapp.services import messages as mail
from webapp.services.paging import ListPage

#: Reasons a message is not tried again by itself.
PERMANENT = frozenset({mail.UNBUILDABLE, mail.BAD_ADDRESS, mail.REFUSED})
#: A row left in ``sending`` longer than this: its worker died after claiming it.
STUCK = "stuck"
STUCK_MINUTES = 15
#: Seconds before the n-th retry (the last repeats).
RETRY_SECONDS = (30, 120, 600, 1800, 7200)
#: Rows claimed and sent together (one SMTP connection).
BATCH = 200

#: Why a message is not sent yet, as HR reads it.
REASONS = {**audit.FAILURE_REASONS, STUCK: _l("the worker stopped while sending it: it may have been sent")}


def stage(messages: list[mail.Message]) -> list[mail.Message]:
    """Put the messages in the outbox in the caller's transaction (its commit is theirs): the same
    messages, each with its key, for ``send`` after the commit."""
    staged = [m if m.key else replace(m, key=uuid.uuid4().hex) for m in messages]
    add([m for m, original in zip(staged, messages) if not original.key])
    return staged


def add(messages: list[mail.Message]) -> list[OutboxMessage]:
    """The messages as outbox rows in the session (the caller's transaction commits them)."""
    rows = [OutboxMessage(key=m.key or uuid.uuid4().hex, member_id=m.member_id, kind=m.kind[:40], to=m.to[:320],
                          name=m.name[:200], subject=m.subject, body=m.body, problem=m.problem,
                          attachments=[{"filename": a.filename, "content_type": a.content_type,
                                        "data": base64.b64encode(a.data).decode("ascii")} for a in m.attachments])
            for m in messages]
    db.session.add_all(rows)
    return rows


def send(messages: list[mail.Message]) -> mail.Delivery:
    """Write the messages to the outbox (committed), then deliver them: now with ``JOBS_SYNC``,
    else in a background job (the delivery counts them as queued)."""
    staged = stage(messages)
    db.session.commit()
    keys = [m.key for m in staged]
    if jobs.backend() == "sync":
        return deliver(keys)
    jobs.dispatch("deliver")
    return mail.Delivery(queued=len(keys))


def deliver_due(now: datetime | None = None) -> mail.Delivery:
    """Send every message that is due (the delivery job, and ``tick``)."""
    return deliver(None, now)


def deliver(keys: list[str] | None = None, now: datetime | None = None) -> mail.Delivery:
    """Claim and send the due messages (only those with ``keys``, if given), batch by batch."""
    now = now or utcnow()
    total, to_report = mail.Delivery(), []
    while True:
        claimed = _claim(keys, now)
        if not claimed:
            break
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                                  .order_by(OutboxMessage.id).execution_options(populate_existing=True)).all()
        delivery = _send_rows(rows)
        to_report += _record(rows, delivery, now)
        total.sent += delivery.sent
        total.failed += delivery.failed
    if to_report:
        mail.report_failures(mail.Delivery(sent=total.sent, failed=to_report))
    if jobs.backend() != "sync":
        _schedule_next(now)
    return total


def _claim(keys: list[str] | None, now: datetime) -> list[int]:
    """Due pending rows, pending → sending, committed: whoever updates a row first owns it."""
    due = sa.select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.PENDING,
                                            OutboxMessage.next_attempt_at <= now)
    if keys is not None:
        due = due.where(OutboxMessage.key.in_(keys))
    candidates = db.session.scalars(due.order_by(OutboxMessage.id).limit(BATCH)).all()
    if not candidates:
        db.session.rollback()
        return []
    claimed = db.session.scalars(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id).execution_options(synchronize_session=False)).all()
    db.session.commit()
    return list(claimed)


def _message(row: OutboxMessage) -> mail.Message:
    attachments = tuple(mail.Attachment(a["filename"], a["content_type"], base64.b64decode(a["data"]))
                        for a in row.attachments or ())
    return mail.Message(row.to, row.name, row.subject, row.body, attachments, row.kind, row.member_id,
                        row.problem, row.key)


def _send_rows(rows: list[OutboxMessage]) -> mail.Delivery:
    """Send the rows' messages on one connection; which went (by key) and which did not."""
    try:
        sent = mail.deliver([_message(row) for row in rows])
    except mail.NotAllSent as partly:
        return partly.delivery
    except Exception as error:  # anything else: none of them can be known to have gone out
        current_app.logger.error("Delivering messages failed (%s)", type(error).__name__)
        return mail.Delivery(failed=[mail.Failure(r.member_id, r.kind, mail.UNREACHABLE, r.key) for r in rows])
    return mail.Delivery(sent=sent, sent_keys=[row.key for row in rows])


def _record(rows: list[OutboxMessage], delivery: mail.Delivery, now: datetime) -> list[mail.Failure]:
    """Store each row's outcome (one transaction); the failures worth telling HR about now."""
    by_key = {row.key: row for row in rows}
    sent = set(delivery.sent_keys)
    limit = int(current_app.config.get("OUTBOX_MAX_ATTEMPTS", 6))
    report = []
    for failure in delivery.failed:
        row = by_key.get(failure.key)
        if row is None:
            continue
        final = failure.reason in PERMANENT or row.attempts >= limit
        row.reason = failure.reason
        if final:
            row.status = OutboxStatus.FAILED
        else:
            row.status = OutboxStatus.PENDING
            row.next_attempt_at = now + timedelta(seconds=RETRY_SECONDS[min(row.attempts, len(RETRY_SECONDS)) - 1])
        if final or row.attempts == 1:
            report.append(failure)
    for key in sent:
        row = by_key[key]
        row.status, row.sent_at, row.reason = OutboxStatus.SENT, now, None
        row.subject, row.body, row.attachments = "", "", []  # done: keep no private link at rest
    db.session.commit()
    return report


def _schedule_next(now: datetime) -> None:
    """Ask the queue to come back when the next retry is due (a tick would, too)."""
    due = db.session.scalar(sa.select(sa.func.min(OutboxMessage.next_attempt_at))
                            .where(OutboxMessage.status == OutboxStatus.PENDING))
    db.session.rollback()
    if due is not None:
        due = due if due.tzinfo else due.replace(tzinfo=now.tzinfo)
        jobs.dispatch("deliver", delay=max((due - now).total_seconds(), 1.0))


def sweep_stuck(now: datetime | None = None) -> int:
    """Rows left in ``sending`` by a worker that died: failed ("may have been sent"), never re-sent by
    themselves."""
    now = now or utcnow()
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.claimed_at < now - timedelta(minutes=STUCK_MINUTES))
        .values(status=OutboxStatus.FAILED, reason=STUCK).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def purge_sent(before: datetime) -> int:
    """Forget sent messages older than ``before`` (their text is already gone)."""
    result = db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT,
                                                               OutboxMessage.sent_at < before)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


# --- HR's view --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    pending: int
    sending: int
    sent: int
    failed: int


def counts() -> Counts:
    rows = dict(db.session.execute(sa.select(OutboxMessage.status, sa.func.count())
                                   .group_by(OutboxMessage.status)).all())
    return Counts(*(rows.get(status.value, 0) for status in
                    (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.SENT, OutboxStatus.FAILED)))


def failed_page(page: int, per_page: int) -> ListPage:
    """The messages that failed for good, newest first."""
    query = (sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
             .order_by(OutboxMessage.id.desc()))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return ListPage(items=list(items), page=page, per_page=per_page, total=total)


def retry(ids: list[int] | None = None) -> int:
    """Put failed messages (all, or ``ids``) back in the queue, due now; how many (committed)."""
    query = sa.update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    result = db.session.execute(query.values(status=OutboxStatus.PENDING, next_attempt_at=utcnow(), attempts=0)
                                .execution_options(synchronize_session=False))
    return result.rowcount
