"""Solving a round: the matcher runs on the eligible members and the result replaces the last one."""

from __future__ import annotations

import time

from flask_babel import gettext as _

from matcher import InfeasibleError
from models import Round
from webapp.services.rounds.eligibility import eligibility
from webapp.services.rounds.groups import solve_groups
from webapp.services.rounds.guards import RoundError, get_round, require
from webapp.services.rounds.history import hard_rules
from webapp.services.rounds.outcome import replace_result
from webapp.services.rounds.pairs import solve_mentoring, solve_peers
from webapp.services.rounds.parameters import check_parameters

_SOLVERS = {"mentoring": solve_mentoring, "peer": solve_peers, "groups": solve_groups}


def solve_round(round_id: int) -> Round:
    """Run the round's matcher on its eligible members and store the result and figures.

    Re-solving replaces the previous unpublished result; pins and forbids hold.
    """
    round_ = get_round(round_id, for_update=True)
    require(round_, "solve")
    check_parameters(round_.kind, round_.parameters)
    who = eligibility(round_.kind, round_.community_id)
    rules = hard_rules(round_)
    started = time.perf_counter()
    try:
        outcome = _SOLVERS[round_.kind](round_, who, rules)
    except InfeasibleError as error:
        raise RoundError(_("The pins and forbids cannot all hold together (%(why)s). "
                           "Remove a pin or a forbid and solve again.", why=error)) from None
    replace_result(round_, outcome, who, time.perf_counter() - started)
    return round_
