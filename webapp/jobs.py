"""Background work: one module for the queue, whatever runs it.

Three ways to run a job, chosen by the app's config:

- **RQ on Redis** when ``REDIS_URL`` is set: ``flask --app wsgi worker`` runs the
  workers (as many as you like, on any machine that reaches Redis and the database);
- **a background thread of the web process** otherwise (the embedded default of
  ``make run``): the same job code, no other process to start;
- **synchronously**, in the caller, when ``JOBS_SYNC`` is true (the tests).

A *tracked* job (a solve) has a ``models.Job`` row: its status, phase, percentage,
heartbeat and why it failed, so any web process shows it and a worker that dies
leaves a row that says so. The web layer only calls ``start``, ``cancel`` and
``current``/``get``; the work itself is a plain function named in ``HANDLERS``,
called as ``handler(job, progress)``.

A handler computes outside any write transaction and stores its result with
``finish_in(job)`` in the same short transaction: if the job was cancelled or
declared dead meanwhile, nothing is stored.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_babel import lazy_gettext as _l

from models import Job, JobStatus, db
from models.job import ACTIVE_JOB_STATUSES

#: What each job kind runs: ``module:function``. Tracked jobs get ``(job, progress)``.
HANDLERS = {
    "solve_round": "webapp.services.rounds.solving:solve_job",
}
#: Untracked tasks (no Job row): ``module:function`` called with the given arguments.
TASKS = {
    "deliver": "webapp.services.outbox:deliver_due",
    "tick": "webapp.services.scheduled:tick",
}

#: Why a job failed or stopped (``Job.message``), as HR reads it.
JOB_MESSAGES = {
    "cancelled": _l("Cancelled by HR; the round is as it was before."),
    "stale": _l("The worker running it stopped answering (no heartbeat); the round is as it was before. "
                "You can solve again."),
    "crashed": _l("It stopped on an unexpected error; the round is as it was before. You can solve again."),
}

#: The phases' words (``Job.phase``).
PHASE_LABELS = {
    "loading": _l("Loading profiles"),
    "scoring": _l("Scoring"),
    "solving": _l("Solving"),
    "certifying": _l("Certifying"),
    "storing": _l("Storing"),
}

DEFAULT_HEARTBEAT_SECONDS = 120


class JobStopped(Exception):
    """The job was cancelled, or declared dead, while it ran: stop and store nothing."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- which backend ----------------------------------------------------------------------------


def backend(app: Flask | None = None) -> str:
    """``"sync"``, ``"rq"`` or ``"thread"``, from ``JOBS_SYNC`` and ``REDIS_URL``."""
    config = (app or current_app).config
    if config.get("JOBS_SYNC"):
        return "sync"
    return "rq" if config.get("REDIS_URL") else "thread"


def heartbeat_seconds() -> float:
    return float(current_app.config.get("JOB_HEARTBEAT_SECONDS") or DEFAULT_HEARTBEAT_SECONDS)


def redis_connection(app: Flask | None = None):
    from redis import Redis

    return Redis.from_url((app or current_app).config["REDIS_URL"])


def rq_queue(app: Flask | None = None):
    from rq import Queue

    app = app or current_app
    return Queue(app.config.get("JOBS_QUEUE", "copmatch"), connection=redis_connection(app),
                 default_timeout=int(app.config.get("JOB_TIMEOUT_SECONDS", 3600)))


_executors: dict[int, ThreadPoolExecutor] = {}
_executor_lock = threading.Lock()


def _executor(app: Flask) -> ThreadPoolExecutor:
    """The web process's own worker threads (one pool per app and process)."""
    key = id(app)
    with _executor_lock:
        pool = _executors.get(key)
        if pool is None or getattr(pool, "_copmatch_pid", None) != os.getpid():
            pool = ThreadPoolExecutor(max_workers=int(app.config.get("JOBS_THREADS", 2)),
                                      thread_name_prefix="copmatch-job")
            pool._copmatch_pid = os.getpid()  # a forked child makes its own
            _executors[key] = pool
    return pool


def dispatch(task: str, *args, delay: float = 0.0) -> None:
    """Run ``task`` (a name in ``TASKS`` or ``"run"`` for a tracked job) on the configured backend."""
    app = current_app._get_current_object()
    mode = backend(app)
    if mode == "sync":
        if delay <= 0:
            perform(task, *args)
        return  # a delayed task in sync mode waits for the next tick (tests run it themselves)
    if mode == "rq":
        queue = rq_queue(app)
        if delay > 0:
            queue.enqueue_in(timedelta(seconds=delay), perform, task, *args)
        else:
            queue.enqueue(perform, task, *args)
        return

    def in_thread():
        with app.app_context():
            try:
                perform(task, *args)
            except Exception:  # the thread's job is logged, never raised into nowhere
                app.logger.exception("Background task %s failed", task)
            finally:
                db.session.remove()

    if delay > 0:
        _later(app, task, delay, lambda: _executor(app).submit(in_thread))
    else:
        _executor(app).submit(in_thread)


_timers: dict[tuple[int, str], tuple[float, threading.Timer]] = {}


def _later(app: Flask, task: str, delay: float, start) -> None:
    """Start ``task`` after ``delay`` seconds, unless it is already due sooner (one timer per task)."""
    when = time.monotonic() + delay
    with _executor_lock:
        known = _timers.get((id(app), task))
        if known is not None and known[1].is_alive() and known[0] <= when:
            return
        timer = threading.Timer(delay, start)
        timer.daemon = True
        _timers[(id(app), task)] = (when, timer)
        timer.start()


def start_ticker(app: Flask) -> None:
    """In the web process (thread backend): run ``tick`` every minute, in a daemon thread, once per process."""
    key = ("ticker", id(app), os.getpid())
    with _executor_lock:
        if key in _tickers:
            return
        _tickers.add(key)
    from webapp.services.scheduled import TICK_SECONDS

    def loop():
        while True:
            time.sleep(TICK_SECONDS)
            _executor(app).submit(_tick_in, app)

    threading.Thread(target=loop, daemon=True, name="copmatch-ticker").start()


_tickers: set = set()


def _tick_in(app: Flask) -> None:
    with app.app_context():
        try:
            perform("tick")
        except Exception:
            app.logger.exception("The scheduled tick failed")
        finally:
            db.session.remove()


def perform(task: str, *args):
    """The entry point every backend calls: with an app context (a worker may need to build the app)."""
    if not has_app_context():
        from webapp import create_app

        with create_app().app_context():
            return perform(task, *args)
    try:
        if task == "run":
            return run(*args)
        return _resolve(TASKS[task])(*args)
    finally:
        if backend() == "rq":  # a worker's job: leave no session (or connection) to the next one
            db.session.remove()


def _resolve(path: str):
    module, _sep, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


# --- tracked jobs -----------------------------------------------------------------------------


def get(job_id: int) -> Job | None:
    """The job, read afresh (after a stale sweep, so a dead worker's job reads as failed)."""
    sweep_stale()
    return db.session.scalar(sa.select(Job).where(Job.id == job_id).execution_options(populate_existing=True))


def current(kind: str, target_id: int) -> Job | None:
    """The active (queued or running) job of this kind on this target, if any."""
    sweep_stale()
    return db.session.scalar(sa.select(Job).where(Job.kind == kind, Job.target_id == target_id,
                                                  Job.status.in_(ACTIVE_JOB_STATUSES))
                             .execution_options(populate_existing=True))


def latest(kind: str, target_id: int) -> Job | None:
    """The newest job of this kind on this target, whatever its status."""
    sweep_stale()
    return db.session.scalar(sa.select(Job).where(Job.kind == kind, Job.target_id == target_id)
                             .order_by(Job.id.desc()).limit(1).execution_options(populate_existing=True))


def start(kind: str, target_id: int, requested_by_id: int | None = None) -> tuple[Job, bool]:
    """Queue a tracked job, or find the one already active on the target: ``(job, started)``.

    Commits the job's row first (any web process can now show it), then hands it to the backend;
    in sync mode it has run by the time this returns.
    """
    existing = current(kind, target_id)
    if existing is not None:
        return existing, False
    job = Job(kind=kind, target_id=target_id, requested_by_id=requested_by_id, status=JobStatus.QUEUED)
    db.session.add(job)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # another request started one a moment ago
        db.session.rollback()
        existing = current(kind, target_id)
        if existing is None:
            raise
        return existing, False
    job_id = job.id
    dispatch("run", job_id)
    return get(job_id), True


def cancel(job: Job) -> bool:
    """Cancel a queued or running job; a running one stops at its next phase and stores nothing."""
    done = _update(job.id, [JobStatus.QUEUED, JobStatus.RUNNING], status=JobStatus.CANCELLED,
                   message="cancelled", finished_at=utcnow())
    db.session.expire(job)
    return done


def sweep_stale(now: datetime | None = None) -> int:
    """Mark failed every running job whose heartbeat is older than ``JOB_HEARTBEAT_SECONDS``."""
    now = now or utcnow()
    stale = sa.and_(Job.status == JobStatus.RUNNING, Job.heartbeat_at < now - timedelta(seconds=heartbeat_seconds()))
    with db.engine.connect() as connection:  # a read first: polling a status must not take a write lock
        if connection.scalar(sa.select(sa.func.count()).select_from(Job).where(stale)) == 0:
            return 0
    with db.engine.begin() as connection:
        result = connection.execute(sa.update(Job).where(stale).values(status=JobStatus.FAILED, message="stale",
                                                                        finished_at=now))
    return result.rowcount


def _update(job_id: int, when: list[JobStatus], **values) -> bool:
    """Change the job's row in a transaction of its own if its status is one of ``when``."""
    with db.engine.begin() as connection:
        result = connection.execute(sa.update(Job).where(Job.id == job_id, Job.status.in_(when)).values(**values))
    return result.rowcount == 1


def finish_in(job_id: int) -> None:
    """Mark the job finished in the *session's* transaction (the one storing its result).

    Raises ``JobStopped`` when it is no longer running (cancelled, or declared dead): the
    caller's transaction is then rolled back, so nothing of the result is stored.
    """
    result = db.session.execute(
        sa.update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(status=JobStatus.FINISHED, phase="storing", percent=100, finished_at=utcnow(),
                heartbeat_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise JobStopped()


class Progress:
    """The ``progress(phase, fraction)`` callable a handler gets: each call records the phase and
    percentage and beats the heart; a cancelled (or dead-declared) job raises ``JobStopped``."""

    def __init__(self, job_id: int, spans: dict[str, tuple[int, int]] | None = None):
        self.job_id = job_id
        self.spans = spans or {}

    def __call__(self, phase: str, fraction: float = 0.0) -> None:
        low, high = self.spans.get(phase, (0, 100))
        percent = int(low + (high - low) * min(max(fraction, 0.0), 1.0))
        if not _update(self.job_id, [JobStatus.RUNNING], phase=phase, percent=percent, heartbeat_at=utcnow()):
            raise JobStopped()


class _Heartbeat(threading.Thread):
    """Beats the job's heart while the handler computes (a phase can outlast the heartbeat)."""

    def __init__(self, app: Flask, job_id: int, every: float):
        super().__init__(daemon=True, name=f"copmatch-heartbeat-{job_id}")
        self.app, self.job_id, self.every = app, job_id, every
        self.stopped = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(self.every):
                try:
                    _update(self.job_id, [JobStatus.RUNNING], heartbeat_at=utcnow())
                except Exception:  # a database blip: the next beat tries again
                    self.app.logger.warning("Job %s: heartbeat failed", self.job_id)


def run(job_id: int) -> None:
    """Run a tracked job: claim it (queued → running), call its handler, record how it ended."""
    app = current_app._get_current_object()
    if not _update(job_id, [JobStatus.QUEUED], status=JobStatus.RUNNING, started_at=utcnow(),
                   heartbeat_at=utcnow(), attempts=Job.attempts + 1):
        return  # cancelled before it started, or another worker has it
    job = db.session.get(Job, job_id, populate_existing=True)
    heart = None
    if backend(app) != "sync":
        heart = _Heartbeat(app, job_id, max(heartbeat_seconds() / 4, 0.5))
        heart.start()
    try:
        _resolve(HANDLERS[job.kind])(job, Progress(job_id, SOLVE_SPANS))
    except JobStopped:
        db.session.rollback()
    except JobFailed as failure:
        db.session.rollback()
        _update(job_id, [JobStatus.RUNNING], status=JobStatus.FAILED, message=failure.code,
                detail=failure.detail, finished_at=utcnow())
    except Exception as error:
        db.session.rollback()
        app.logger.exception("Job %s (%s) failed", job_id, job.kind)
        _update(job_id, [JobStatus.RUNNING], status=JobStatus.FAILED, message="crashed",
                detail=type(error).__name__, finished_at=utcnow())
    finally:
        if heart is not None:
            heart.stopped.set()


class JobFailed(Exception):
    """A handler's known failure: ``code`` (a key of a messages table) and the technical ``detail``."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code, self.detail = code, detail


#: The share of the bar each phase of a solve takes.
SOLVE_SPANS = {"loading": (0, 10), "scoring": (10, 30), "solving": (30, 80), "certifying": (80, 95),
               "storing": (95, 100)}


def wait(job_id: int, timeout: float | None = None, poll: float = 0.5) -> Job:
    """Wait until the job is no longer active (for the command line); returns it as it ended."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        job = get(job_id)
        if job is None or not job.status.active:
            return job
        if deadline is not None and time.monotonic() > deadline:
            return job
        db.session.rollback()  # a fresh snapshot for the next read
        time.sleep(poll)


def message_of(job: Job) -> str:
    """Why the job failed or stopped, in the reader's language ("" when it did not)."""
    if job.message in JOB_MESSAGES:
        return str(JOB_MESSAGES[job.message])
    from webapp.services.rounds.solving import failure_message

    return failure_message(job) if job.message else ""
