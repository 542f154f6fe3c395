"""Solving a round: the matcher runs on the eligible members and the result replaces the last one.

A solve has two halves: ``compute`` reads (no write transaction is open while
the matcher runs, so members' saves go on) and ``store`` writes the result in one
short transaction, after checking under the round's row lock that the round may
still be solved. In the web app a solve is a job (``start_solve``, run by
``webapp.jobs``); ``solve_round`` does both halves at once, for the tests and
services that want the result now.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matcher import InfeasibleError
from matcher.progress import Progress, report
from models import Job, Round, db
from webapp import jobs
from webapp.services.rounds.eligibility import Eligibility, eligibility
from webapp.services.rounds.groups import solve_groups
from webapp.services.rounds.guards import RoundError, get_round, require
from webapp.services.rounds.history import hard_rules
from webapp.services.rounds.outcome import Outcome, replace_result
from webapp.services.rounds.pairs import solve_mentoring, solve_peers
from webapp.services.rounds.parameters import check_parameters

_SOLVERS = {"mentoring": solve_mentoring, "peer": solve_peers, "groups": solve_groups}

#: A solve's job kind.
SOLVE = "solve_round"

class Infeasible(RoundError):
    """The pins and forbids cannot all hold together; ``why`` is the matcher's account of it."""

    def __init__(self, why: str):
        super().__init__(INFEASIBLE % {"why": why})
        self.why = why


INFEASIBLE = _l("The pins and forbids cannot all hold together (%(why)s). Remove a pin or a forbid and solve again.")
REFUSED = _l("The round could not be solved: %(why)s")


@dataclass
class Computed:
    """What ``compute`` found: the members and the matcher's answer, not yet stored."""

    who: Eligibility
    outcome: Outcome
    seconds: float


def compute(round_: Round, progress: Progress | None = None) -> Computed:
    """Run the round's matcher on its eligible members (reads only); raises ``RoundError``."""
    require(round_, "solve")
    check_parameters(round_.kind, round_.parameters)
    report(progress, "loading", 0.0)
    who = eligibility(round_.kind, round_.community_id)
    rules = hard_rules(round_)
    started = time.perf_counter()
    try:
        outcome = _SOLVERS[round_.kind](round_, who, rules, progress=progress)
    except InfeasibleError as error:
        raise Infeasible(str(error)) from None
    return Computed(who, outcome, time.perf_counter() - started)


def store(round_: Round, computed: Computed) -> None:
    """Replace the round's unpublished result with ``computed``, under the round's row lock
    (in the caller's transaction, not committed)."""
    db.session.execute(sa.select(Round.id).where(Round.id == round_.id).with_for_update())
    status = db.session.scalar(sa.select(Round.status).where(Round.id == round_.id)
                               .execution_options(populate_existing=True))
    round_.status = status  # as it is now: HR may have published it meanwhile
    require(round_, "solve")
    replace_result(round_, computed.outcome, computed.who, computed.seconds)


def solve_round(round_id: int) -> Round:
    """Run the round's matcher and store the result and figures now (in the caller's transaction).

    Re-solving replaces the previous unpublished result; pins and forbids hold.
    """
    round_ = get_round(round_id)
    store(round_, compute(round_))
    return round_


# --- as a job ---------------------------------------------------------------------------------


def start_solve(round_id: int, requested_by_id: int | None = None) -> tuple[Job, bool]:
    """Queue the round's solve, or find the one running: ``(job, started)``; ``RoundError`` when the
    round cannot be solved (so HR hears it at once)."""
    round_ = get_round(round_id)
    require(round_, "solve")
    check_parameters(round_.kind, round_.parameters)
    db.session.rollback()  # nothing to write: end the read before the job's own transaction
    return jobs.start(SOLVE, round_id, requested_by_id)


def solve_job(job: Job, progress: Progress) -> None:
    """The solve job: compute outside any write transaction, then store and finish in one short one."""
    round_ = get_round(job.target_id)
    try:
        computed = compute(round_, progress)
        progress("storing", 0.0)
        store(round_, computed)
        jobs.finish_in(job.id)
    except Infeasible as error:
        raise jobs.JobFailed("infeasible", error.why) from None
    except RoundError as error:
        raise jobs.JobFailed("refused", str(error)) from None
    db.session.commit()


def failure_message(job: Job) -> str:
    """Why a solve failed, in the reader's language."""
    if job.message == "infeasible":
        return str(INFEASIBLE % {"why": job.detail or "-"})
    if job.message == "refused":
        return str(REFUSED % {"why": job.detail or "-"})
    return _("It stopped on an unexpected error; the round is as it was before. You can solve again.")
