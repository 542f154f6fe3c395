"""A real RQ worker killed (kill -9) in the middle of a solve, on PostgreSQL: the round is as it was,
the job is marked failed once its heartbeat is stale, and HR can solve again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import GroupMember, Job, JobStatus, Round, WorkingGroup, db
from tests.webapp.test_rounds_pages import profile
from webapp import jobs
from webapp.services.rounds import lifecycle, solving

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/13"


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (RQ's work horse, which leaves its process group)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_solve_leaves_the_round_as_it_was_and_hr_can_solve_again(make_app, make_member):
    if not redis_answers():
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    queue = f"copmatch-test-{uuid.uuid4().hex[:8]}"
    app = make_app(REDIS_URL=REDIS, JOBS_SYNC=False, JOBS_QUEUE=queue, JOB_HEARTBEAT_SECONDS=3)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the kill test runs on PostgreSQL (set TEST_DATABASE_URL)")
    departments = ["Finance", "Sales", "Engineering", "Operations"]
    for n in range(40):
        profile(app, make_member(email=f"k{n}@example.com", display_name=f"สมาชิก {n}", department=departments[n % 4],
                                 seniority=("Junior", "Senior")[n % 2], open_to_groups=True),
                skills=[("Lean", 5 if n < 8 else 2)])
    with app.app_context():
        round_id = lifecycle.create_round("groups", None, None, parameters={"time_limit": 60.0}, name="kill").id
        db.session.commit()
        job, started = solving.start_solve(round_id)  # in Redis, waiting for a worker
        assert started and job.status == JobStatus.QUEUED
        job_id = job.id
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS, "JOBS_QUEUE": queue, "JOB_HEARTBEAT_SECONDS": "3",
           "COPMATCH_ENV": "development", "PYTHONFAULTHANDLER": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"], cwd=ROOT,
                              env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        def solving_now():
            with app.app_context():
                found = db.session.get(Job, job_id, populate_existing=True)
                db.session.rollback()
                return found.status == JobStatus.RUNNING and found.phase == "solving"

        wait_for(solving_now, 60, "the worker to start solving")
        horses = children_of(worker.pid)
        assert horses, "RQ's work horse runs the job"
        for pid in (*horses, worker.pid):
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stderr.close()

    with app.app_context():
        assert jobs.get(job_id).status == JobStatus.RUNNING  # nobody knows yet
        failed = wait_for(lambda: (lambda j: j if j.status == JobStatus.FAILED else None)(jobs.get(job_id)), 15,
                          "the stale heartbeat")
        assert failed.message == "stale"
        round_ = db.session.get(Round, round_id)
        assert (round_.status, round_.eligible, round_.solved_at) == ("draft", None, None)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkingGroup)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupMember)) == 0

        round_.parameters = {**round_.parameters, "time_limit": 0.5}
        db.session.commit()
        app.config["JOBS_SYNC"] = True  # HR solves again (here in the test's own process)
        again, started = solving.start_solve(round_id)
        assert started and again.status == JobStatus.FINISHED, (again.message, again.detail)
        assert db.session.get(Round, round_id, populate_existing=True).status == "solved"
