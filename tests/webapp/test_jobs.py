"""Solving a round as a job: the progress page and its JSON, one solve per round, cancel, stale jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Job, JobStatus, Match, db
from models.base import utcnow
from tests.webapp.test_rounds_pages import flashes, get_round, mentoring_people, solved_round_id  # noqa: F401
from webapp import jobs
from webapp.services.rounds import solving


def _queued_solve(app, round_id) -> int:
    """A solve job queued for the round, as a web process leaves it for a worker (nothing runs it)."""
    with app.app_context():
        job = Job(kind=solving.SOLVE, target_id=round_id, status=JobStatus.QUEUED)
        db.session.add(job)
        db.session.commit()
        return job.id


def test_solving_through_the_page_runs_a_job_that_records_each_phase(as_hr, app, mentoring_people, monkeypatch):
    round_id = solved_round_id(app, solve=False)
    phases = []
    original = jobs.Progress.__call__

    def spy(self, phase, fraction=0.0):
        phases.append(phase)
        return original(self, phase, fraction)

    monkeypatch.setattr(jobs.Progress, "__call__", spy)
    response = as_hr.post(f"/hr/rounds/{round_id}/solve", follow_redirects=True)
    assert "Solved in" in flashes(response)
    assert phases[0] == "loading" and phases[-1] == "storing"
    assert {"scoring", "solving", "certifying"} <= set(phases)
    with app.app_context():
        job = db.session.scalar(sa.select(Job))
        assert (job.status, job.percent, job.attempts, job.target_id) == (JobStatus.FINISHED, 100, 1, round_id)
        assert job.started_at is not None and job.finished_at is not None
    assert get_round(app, round_id).status == "solved"


def test_a_queued_solve_shows_its_progress_page_and_a_second_solve_shows_the_same_job(as_hr, app, mentoring_people):
    round_id = solved_round_id(app, solve=False)
    job_id = _queued_solve(app, round_id)
    response = as_hr.post(f"/hr/rounds/{round_id}/solve")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/hr/rounds/{round_id}/solves/{job_id}")
    page = as_hr.get(f"/hr/rounds/{round_id}/solves/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "job.js" in page and "waiting for a worker" in page
    state = as_hr.get(f"/hr/rounds/{round_id}/solves/{job_id}.json").get_json()
    assert (state["status"], state["active"], state["percent"]) == ("queued", True, 0)
    review = as_hr.get(f"/hr/rounds/{round_id}").get_data(as_text=True)
    assert f'href="/hr/rounds/{round_id}/solves/{job_id}"' in review
    assert f'action="/hr/rounds/{round_id}/solve"' not in review
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1


def test_the_database_refuses_two_active_solves_of_one_round(app, mentoring_people):
    round_id = solved_round_id(app, solve=False)
    _queued_solve(app, round_id)
    with app.app_context(), pytest.raises(sa.exc.IntegrityError):
        db.session.add(Job(kind=solving.SOLVE, target_id=round_id, status=JobStatus.RUNNING))
        db.session.commit()


def test_hr_cancels_a_queued_solve_and_it_never_runs(as_hr, app, mentoring_people):
    round_id = solved_round_id(app, solve=False)
    job_id = _queued_solve(app, round_id)
    response = as_hr.post(f"/hr/rounds/{round_id}/solves/{job_id}/cancel", follow_redirects=True)
    assert "Solve cancelled" in flashes(response)
    with app.app_context():
        jobs.run(job_id)  # a worker picks it up late: it finds it cancelled
        assert db.session.get(Job, job_id).status == JobStatus.CANCELLED
    assert get_round(app, round_id).status == "draft"
    response = as_hr.post(f"/hr/rounds/{round_id}/solves/{job_id}/cancel", follow_redirects=True)
    assert "already ended" in flashes(response)


def test_a_solve_cancelled_while_it_runs_stores_nothing(app, mentoring_people, monkeypatch):
    round_id = solved_round_id(app)
    with app.app_context():
        before = {(m.first_id, m.second_id) for m in db.session.scalars(sa.select(Match))}
        solved_at = get_round(app, round_id).solved_at
    original = jobs.Progress.__call__

    def cancel_while_solving(self, phase, fraction=0.0):
        if phase == "solving":
            with app.app_context():
                jobs.cancel(db.session.get(Job, self.job_id))
        return original(self, phase, fraction)

    monkeypatch.setattr(jobs.Progress, "__call__", cancel_while_solving)
    with app.app_context():
        job, started = solving.start_solve(round_id)
        assert started and job.status == JobStatus.CANCELLED and job.message == "cancelled"
        assert {(m.first_id, m.second_id) for m in db.session.scalars(sa.select(Match))} == before
    assert get_round(app, round_id).solved_at == solved_at


def test_a_job_cancelled_between_computing_and_storing_leaves_the_round_as_it_was(app, mentoring_people, monkeypatch):
    round_id = solved_round_id(app, solve=False)
    original = solving.store

    def store_after_cancel(round_, computed):
        with db.engine.begin() as connection:
            connection.execute(sa.update(Job).values(status=JobStatus.CANCELLED))
        original(round_, computed)

    monkeypatch.setattr(solving, "store", store_after_cancel)
    with app.app_context():
        job, _ = solving.start_solve(round_id)
        assert job.status == JobStatus.CANCELLED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Match)) == 0
    assert get_round(app, round_id).status == "draft"


def test_a_running_job_without_heartbeat_is_marked_failed_and_the_round_can_be_solved_again(as_hr, app,
                                                                                             mentoring_people):
    round_id = solved_round_id(app, solve=False)
    job_id = _queued_solve(app, round_id)
    with app.app_context():
        late = utcnow() - timedelta(seconds=app.config["JOB_HEARTBEAT_SECONDS"] + 1)
        db.session.execute(sa.update(Job).values(status=JobStatus.RUNNING, heartbeat_at=late, phase="solving"))
        db.session.commit()
    state = as_hr.get(f"/hr/rounds/{round_id}/solves/{job_id}.json").get_json()
    assert (state["status"], state["active"]) == ("failed", False)
    assert "stopped answering" in state["message"]
    response = as_hr.post(f"/hr/rounds/{round_id}/solve", follow_redirects=True)
    assert "Solved in" in flashes(response)
    assert get_round(app, round_id).status == "solved"


def test_a_solve_whose_pins_cannot_hold_fails_with_the_reason_and_changes_nothing(app, mentoring_people,
                                                                                  monkeypatch):
    round_id = solved_round_id(app, solve=False)
    with app.app_context():
        job, _ = solving.start_solve(round_id)
    assert job.status == JobStatus.FINISHED  # the control: this round solves
    with app.app_context():
        db.session.execute(sa.update(Job).values(status=JobStatus.FAILED))
        db.session.commit()
        def infeasible(*_args, **_kwargs):
            raise solving.InfeasibleError("five in four")

        monkeypatch.setitem(solving._SOLVERS, "mentoring", infeasible)
        failed, _ = solving.start_solve(round_id)
        assert (failed.status, failed.message, failed.detail) == (JobStatus.FAILED, "infeasible", "five in four")
        assert "The pins and forbids cannot all hold together (five in four)" in jobs.message_of(failed)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Match)) == 2  # the first solve's


def test_the_thread_backend_runs_the_solve_after_the_request_returns(make_app, mentoring_people_factory):
    app = make_app(JOBS_SYNC=False, REDIS_URL=None, JOB_HEARTBEAT_SECONDS=2)
    mentoring_people_factory(app)
    round_id = solved_round_id(app, solve=False)
    with app.app_context():
        assert jobs.backend() == "thread"
        job, started = solving.start_solve(round_id)
        assert started
        ended = jobs.wait(job.id, timeout=60, poll=0.1)
        assert ended.status == JobStatus.FINISHED, (ended.message, ended.detail)
    assert get_round(app, round_id).status == "solved"


@pytest.fixture
def mentoring_people_factory(make_member):
    """``mentoring_people`` for an app a test makes itself."""
    from tests.webapp import test_rounds_pages as pages

    def make(app):
        return pages.mentoring_people.__wrapped__(app, make_member)

    return make


def test_a_members_save_during_a_solve_goes_through_because_the_solve_holds_no_write_lock(app, mentoring_people,
                                                                                           monkeypatch):
    round_id = solved_round_id(app, solve=False)
    saved = []
    original = jobs.Progress.__call__

    def save_while_solving(self, phase, fraction=0.0):
        if phase == "solving":  # another connection (a member's request) writes while the matcher runs
            engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"],
                                      connect_args={"timeout": 1} if db.engine.dialect.name == "sqlite" else {})
            with engine.begin() as connection:
                saved.append(connection.execute(sa.text("UPDATE members SET department = 'Audit' WHERE email = "
                                                        "'ann@example.com'")).rowcount)
            engine.dispose()
        return original(self, phase, fraction)

    monkeypatch.setattr(jobs.Progress, "__call__", save_while_solving)
    with app.app_context():
        job, _ = solving.start_solve(round_id)
    assert saved == [1] and job.status == JobStatus.FINISHED


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
