"""Matching rounds: who is eligible, solving with the matcher, and the round's life cycle.

Every function here can run outside a request (a CLI command or a job queue
calls them the same way). They change the session and never commit: the
caller commits, so a round's result is stored in one transaction, and a
failing solve leaves the round exactly as it was.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone

import numpy as np
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from matcher import (
    GroupPlan,
    Grouping,
    GroupWeights,
    InfeasibleError,
    MentoringWeights,
    PeerWeights,
    assign_mentors,
    diagnose_unmatched,
    diagnose_unpaired,
    diversity_matrix,
    explain_group,
    pair_peers,
    plan_groups,
    score_mentoring,
    score_peers,
)
from matcher.profiles import History, Profile, Rules, pair_key
from models import (
    CommunityMembership,
    Feedback,
    Forbid,
    GroupMember,
    LearningGoal,
    Match,
    Member,
    MemberSkill,
    Pin,
    Round,
    WorkingGroup,
    db,
)
from models.base import utcnow
from models.round import ROUND_KINDS
from webapp.services.matches import ONE_SIDED, focus_of
from webapp.services.messages import Message, group_invitation, match_invitations
from webapp.services.profiles import load_profiles
from webapp.services.tokens import new_token

#: A rating at or below this keeps the pair apart in later rounds.
LOW_RATING = 2

WEIGHT_CLASSES = {"mentoring": MentoringWeights, "peer": PeerWeights, "groups": GroupWeights}

#: What a new round starts from; HR changes any of it on the set-up page.
DEFAULT_PARAMETERS = {
    "mentoring": {"priority": "coverage", "cooldown_rounds": 2},
    "peer": {"priority": "coverage", "cooldown_rounds": 2},
    "groups": {"group_min": 4, "group_max": 6, "anchor_level": 4, "cooldown_rounds": 1, "time_limit": 5.0},
}


class RoundError(ValueError):
    """The round cannot do what was asked (the message says why, for HR)."""


# --- set-up -------------------------------------------------------------------------------


def default_parameters(kind: str) -> dict:
    """The parameters of a new round of ``kind``, weights included."""
    _check_kind(kind)
    return {**DEFAULT_PARAMETERS[kind], "weights": asdict(WEIGHT_CLASSES[kind]())}


def create_round(kind: str, community_id: int | None, created_by: Member | None,
                 parameters: dict | None = None, name: str | None = None) -> Round:
    """A new draft round; parameters are checked now so a solve cannot trip on them later."""
    _check_kind(kind)
    merged = default_parameters(kind)
    for key, value in (parameters or {}).items():
        if key == "weights":
            merged["weights"] = {**merged["weights"], **value}
        else:
            merged[key] = value
    check_parameters(kind, merged)
    round_ = Round(
        kind=kind, community_id=community_id, created_by=created_by, parameters=merged,
        name=name or f"{kind.capitalize()} round {date.today().isoformat()}",
    )
    db.session.add(round_)
    db.session.flush()
    return round_


def check_parameters(kind: str, parameters: dict) -> None:
    """Raise ``RoundError`` naming the first parameter that is out of range or of the wrong type."""
    try:
        _check_parameter_values(kind, parameters)
    except (TypeError, ValueError) as error:
        if isinstance(error, RoundError):
            raise
        raise RoundError(f"A parameter has the wrong type: {error}") from None


def _check_parameter_values(kind: str, parameters: dict) -> None:
    try:
        WEIGHT_CLASSES[kind](**parameters.get("weights", {}))
    except (TypeError, ValueError) as error:
        raise RoundError(f"Weights: {error}") from None
    cooldown = parameters.get("cooldown_rounds", 0)
    if not isinstance(cooldown, int) or not 0 <= cooldown <= 10:
        raise RoundError("Cooldown must be a whole number of rounds from 0 to 10.")
    if kind in ("mentoring", "peer") and parameters.get("priority") not in ("coverage", "score"):
        raise RoundError("Priority must be 'coverage' or 'score'.")
    if kind == "groups":
        low, high = parameters.get("group_min"), parameters.get("group_max")
        if not (isinstance(low, int) and isinstance(high, int) and 2 <= low <= high <= 20):
            raise RoundError("Group sizes must satisfy 2 ≤ smallest ≤ largest ≤ 20.")
        if not 1 <= parameters.get("anchor_level", 4) <= 5:
            raise RoundError("The anchor level is between 1 and 5.")
        if not 0.1 <= float(parameters.get("time_limit", 5.0)) <= 120:
            raise RoundError("The time limit is between 0.1 and 120 seconds.")


def _check_kind(kind: str) -> None:
    if kind not in ROUND_KINDS:
        raise RoundError(f"A round is one of {', '.join(ROUND_KINDS)}; got {kind!r}.")


# --- eligibility ----------------------------------------------------------------------------


@dataclass
class Eligibility:
    """Who takes part in a round, by role, and why others do not (counts per reason)."""

    roles: dict[str, list[int]] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len({member_id for ids in self.roles.values() for member_id in ids})


def eligibility(kind: str, community_id: int | None, today: date | None = None) -> Eligibility:
    """Sort the members in scope into roles (learner, mentor, peer, member) and reasons to leave out."""
    _check_kind(kind)
    today = today or date.today()
    query = sa.select(Member).where(Member.active.is_(True)).order_by(Member.id)
    if community_id is not None:
        query = query.join(CommunityMembership).where(CommunityMembership.community_id == community_id)
    members = db.session.scalars(query).all()
    has_skills = _member_ids_with(MemberSkill)
    has_goals = _member_ids_with(LearningGoal)
    asked = unanswered_twice()
    result = Eligibility(roles={role: [] for role in _ROLES[kind]})
    excluded: dict[str, int] = defaultdict(int)
    for member in members:
        if member.paused_until and member.paused_until > today:
            excluded["paused"] += 1
            continue
        if member.id in asked:
            excluded[ASKED_TO_CONFIRM] += 1
            continue
        if member.id not in has_skills and member.id not in has_goals:
            excluded["no profile (no skills or goals yet)"] += 1
            continue
        roles = _roles_of(kind, member, member.id in has_skills, member.id in has_goals)
        if not roles:
            excluded[_NOT_OPTED_IN[kind]] += 1
        for role in roles:
            result.roles[role].append(member.id)
    result.excluded = dict(excluded)
    return result


ASKED_TO_CONFIRM = "asked to confirm they still want matches (two invitations unanswered)"
_ROLES = {"mentoring": ("learner", "mentor"), "peer": ("peer",), "groups": ("member",)}
_NOT_OPTED_IN = {
    "mentoring": "not opted in (neither wants a mentor with a goal, nor mentors with a skill)",
    "peer": "not opted in to peer swaps (or no skills and goals to swap)",
    "groups": "not opted in to working groups",
}


def _roles_of(kind: str, member: Member, skills: bool, goals: bool) -> list[str]:
    if kind == "mentoring":
        roles = []
        if member.wants_mentor and goals:
            roles.append("learner")
        if member.mentor_capacity > 0 and skills:
            roles.append("mentor")
        return roles
    if kind == "peer":
        return ["peer"] if member.open_to_peer_swaps and skills and goals else []
    return ["member"] if member.open_to_groups else []


def _member_ids_with(model) -> set[int]:
    return set(db.session.scalars(sa.select(model.member_id).distinct()))


# --- history --------------------------------------------------------------------------------


def round_history(round_: Round) -> History:
    """What earlier rounds say about pairs: who met when, who declined whom, who rated whom low.

    Cooldown and declines come from published rounds of the same kind; a
    rating of 1 or 2 from either side keeps a pair apart in every later round.
    """
    earlier = db.session.scalars(
        sa.select(Round)
        .where(Round.kind == round_.kind, Round.id != round_.id, Round.status.in_(("published", "closed")))
        .order_by(Round.published_at.desc(), Round.id.desc())
        .options(so.selectinload(Round.matches), so.selectinload(Round.groups).selectinload(WorkingGroup.members))
    ).all()
    rounds_ago: dict[tuple[int, int], int] = {}
    declined: set[tuple[int, int]] = set()
    for ago, past in enumerate(earlier, start=1):
        for key, was_declined in _pairs_of(past):
            rounds_ago.setdefault(key, ago)
            if was_declined:
                declined.add(key)
    return History(rounds_ago=rounds_ago, declined=frozenset(declined), low_rated=low_rated_pairs())


def low_rated_pairs() -> frozenset[tuple[int, int]]:
    """Pairs whose match either side rated 1–2, and each low rater with their groupmates."""
    pairs = set()
    rated_matches = db.session.execute(
        sa.select(Match.first_id, Match.second_id).join(Feedback, Feedback.match_id == Match.id)
        .where(Feedback.rating <= LOW_RATING)
    )
    pairs.update(pair_key(a, b) for a, b in rated_matches)
    groupmate = so.aliased(GroupMember)
    rated_groups = db.session.execute(
        sa.select(Feedback.member_id, groupmate.member_id)
        .join(groupmate, groupmate.group_id == Feedback.group_id)
        .where(Feedback.rating <= LOW_RATING, groupmate.member_id != Feedback.member_id)
    )
    pairs.update(pair_key(a, b) for a, b in rated_groups)
    return frozenset(pairs)


def mentor_ratings(mentor_ids) -> dict[int, tuple[float, int]]:
    """Each mentor's average rating from their learners, and how many ratings it rests on."""
    mentor_ids = list(mentor_ids)
    if not mentor_ids:
        return {}
    rows = db.session.execute(
        sa.select(Match.second_id, sa.func.avg(Feedback.rating), sa.func.count(Feedback.rating))
        .join(Feedback, (Feedback.match_id == Match.id) & (Feedback.member_id == Match.first_id))
        .where(Match.second_role == "mentor", Match.second_id.in_(mentor_ids), Feedback.rating.is_not(None))
        .group_by(Match.second_id)
    )
    return {mentor_id: (float(average), count) for mentor_id, average, count in rows}


def _pairs_of(round_: Round):
    for match in round_.matches:
        yield pair_key(match.first_id, match.second_id), match.declined
    for group in round_.groups:
        ids = sorted(gm.member_id for gm in group.members)
        declined = {gm.member_id for gm in group.members if gm.status == "declined"}
        for index, a in enumerate(ids):
            for b in ids[index + 1:]:
                yield (a, b), bool(declined & {a, b})


# --- members who stopped answering ----------------------------------------------------------


def unanswered_twice(member_id: int | None = None) -> set[int]:
    """Members whose last two rounds went unanswered and who have not confirmed since.

    A round counts as unanswered for a member when it closed while every
    invitation they had in it was still pending, leaving out matches the
    partner had already declined (nothing was left to answer). Such members
    are asked to confirm they still want to be matched, rather than being
    matched (and ignored) again or dropped silently. ``member_id`` limits the
    check to one member.
    """
    rounds: dict[int, dict[int, tuple[datetime, bool]]] = defaultdict(dict)
    for who, round_id, published_at, answered, unanswered in _invitation_answers(member_id):
        when, silent = rounds[who].get(round_id, (_aware(published_at), True))
        rounds[who][round_id] = (when, silent and not answered and unanswered)
    query = sa.select(Member.id, Member.participation_confirmed_at).where(
        Member.participation_confirmed_at.is_not(None), Member.id.in_(list(rounds)))
    confirmed = dict(db.session.execute(query).all())
    asked = set()
    for who, per_round in rounds.items():
        last_two = sorted(per_round.values(), reverse=True)[:2]
        if len(last_two) == 2 and all(silent for _, silent in last_two):
            when = confirmed.get(who)
            if when is None or _aware(when) < last_two[0][0]:
                asked.add(who)
    return asked


def _invitation_answers(member_id: int | None):
    """``(member, round, published at, answered, unanswered)`` for every invitation sent."""
    done = Round.status.in_(("published", "closed"))
    closed = Round.status == "closed"
    for side, other in (("first", "second"), ("second", "first")):
        member, status = getattr(Match, f"{side}_id"), getattr(Match, f"{side}_status")
        other_status = getattr(Match, f"{other}_status")
        query = (sa.select(member, Round.id, Round.published_at, status != "pending",
                           closed & (status == "pending") & (other_status != "declined"))
                 .select_from(Match).join(Round, Match.round_id == Round.id).where(done))
        yield from db.session.execute(query if member_id is None else query.where(member == member_id))
    query = (sa.select(GroupMember.member_id, Round.id, Round.published_at, GroupMember.status != "pending",
                       closed & (GroupMember.status == "pending"))
             .select_from(GroupMember).join(WorkingGroup).join(Round).where(done))
    yield from db.session.execute(query if member_id is None else query.where(GroupMember.member_id == member_id))


def confirm_participation(member: Member) -> None:
    """The member says "keep matching me": they are eligible again from the next solve."""
    member.participation_confirmed_at = utcnow()


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC times; compare everything as aware UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- figures ------------------------------------------------------------------------------


def result_count(round_: Round) -> int:
    """How many matches (or working groups) the round holds, counted in the database."""
    model = WorkingGroup if round_.kind == "groups" else Match
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.round_id == round_.id))


def headline_figures(round_: Round) -> list[tuple[str, str]]:
    """The round's stored figures in words, for the review page and the CLI alike."""
    if round_.eligible is None:
        return [("Status", f"{round_.status}: not solved yet")]
    figures = [("Eligible members", f"{round_.eligible:,}")]
    if round_.kind == "groups":
        figures.append(("Groups", f"{result_count(round_):,} with {round_.matched or 0:,} members"))
        figures.append(("Total diversity", f"{round_.total or 0:,.2f}"))
    else:
        unit = "learners" if round_.kind == "mentoring" else "members"
        most = round_.max_coverage or 0
        share = f" ({100 * (round_.matched or 0) / most:.0f}% of the maximum possible)" if most else ""
        figures.append(("Matched", f"{round_.matched or 0:,} of {most:,} {unit} who could be{share}"))
        figures.append(("Total score", f"{round_.total or 0:,.2f}"))
        if round_.upper_bound is not None:
            figures.append(("Certified upper bound", f"{round_.upper_bound:,.2f} (gap {100 * (round_.gap or 0):.3f}%)"))
    figures.append(("Unmatched", f"{len(round_.unmatched):,}"))
    figures.append(("Solve time", f"{round_.seconds:.2f} s"))
    return figures


# --- solving --------------------------------------------------------------------------------


def round_rules(round_: Round, also_forbidden=()) -> Rules:
    """The hard rules of a solve: cooldown and history, HR's forbids, and ``also_forbidden`` pairs."""
    forbidden = {pair_key(f.first_id, f.second_id) for f in round_.forbids} | set(also_forbidden)
    return Rules(cooldown_rounds=round_.parameters.get("cooldown_rounds", 2),
                 history=round_history(round_), forbidden=frozenset(forbidden))


def get_round(round_id: int, *, for_update: bool = False) -> Round:
    """The round, or ``LookupError``; ``for_update`` locks its row (PostgreSQL) until commit."""
    query = sa.select(Round).where(Round.id == round_id)
    if for_update:  # and read the row afresh: another transaction may have moved it on
        query = query.with_for_update().execution_options(populate_existing=True)
    round_ = db.session.scalar(query)
    if round_ is None:
        raise LookupError(f"no round with id {round_id}")
    return round_


def solve_round(round_id: int) -> Round:
    """Run the round's matcher on its eligible members and store the result and figures.

    Re-solving replaces the previous unpublished result; pins and forbids hold.
    """
    round_ = get_round(round_id, for_update=True)
    if round_.status not in ("draft", "solved"):
        raise RoundError(f"This round is {round_.status}; only a draft or solved round can be solved.")
    check_parameters(round_.kind, round_.parameters)
    who = eligibility(round_.kind, round_.community_id)
    rules = round_rules(round_)
    started = time.perf_counter()
    try:
        outcome = _SOLVERS[round_.kind](round_, who, rules)
    except InfeasibleError as error:
        raise RoundError(f"The pins and forbids cannot all hold together ({error}). "
                         "Remove a pin or a forbid and solve again.") from None
    seconds = time.perf_counter() - started
    _clear_result(round_)
    _store(round_, outcome, who, seconds)
    return round_


@dataclass
class _Outcome:
    """What a solver produced, before it is stored."""

    matches: list[Match] = field(default_factory=list)
    groups: list[WorkingGroup] = field(default_factory=list)
    matched: int = 0
    max_coverage: int | None = None
    total: float = 0.0
    upper_bound: float | None = None
    gap: float | None = None
    unmatched: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _solve_mentoring(round_: Round, who: Eligibility, rules: Rules) -> _Outcome:
    params = round_.parameters
    pins = [(p.first_id, p.second_id) for p in round_.pins]
    pinned_learners = {learner for learner, _ in pins}
    profiles = _profiles_by_id([*who.roles["learner"], *who.roles["mentor"], *(m for pin in pins for m in pin)])
    learners = [profiles[i] for i in who.roles["learner"] if i not in pinned_learners]
    mentors = [profiles[i] for i in who.roles["mentor"]]
    outcome = _Outcome()
    for learner_id, mentor_id in pins:
        outcome.matches.append(_pinned_match(profiles[learner_id], profiles[mentor_id], round_, rules))
    if not learners or not mentors:
        outcome.notes.append("No learners or no mentors are eligible in this scope.")
        outcome.unmatched = [{"member_id": p.id, "kind": "no_eligible_mentor",
                              "text": "No mentor is eligible in this round."} for p in learners]
        outcome.matched = outcome.max_coverage = len(outcome.matches)
        return outcome
    table = score_mentoring(learners, mentors, MentoringWeights(**params["weights"]), rules)
    capacity = table.capacity.copy()
    mentor_index = {p.id: j for j, p in enumerate(mentors)}
    for _, mentor_id in pins:
        if mentor_id in mentor_index:
            capacity[mentor_index[mentor_id]] = max(0, capacity[mentor_index[mentor_id]] - 1)
    result = assign_mentors(table.scores, capacity, priority=params["priority"])
    for i, j in result.pairs.tolist():
        outcome.matches.append(_mentoring_match(learners[i], mentors[j], table, i, j))
    coverage = result if params["priority"] == "coverage" else assign_mentors(table.scores, capacity)
    diagnoses = diagnose_unmatched(table, result)
    outcome.unmatched = [{"member_id": learners[d.member].id, "kind": d.kind, "text": d.text} for d in diagnoses]
    outcome.matched = len(outcome.matches)
    outcome.max_coverage = len(coverage.pairs) + len(pins)
    outcome.total, outcome.upper_bound, outcome.gap = _figures(result, outcome, pins)
    return outcome


def _solve_peers(round_: Round, who: Eligibility, rules: Rules) -> _Outcome:
    params = round_.parameters
    pins = [pair_key(p.first_id, p.second_id) for p in round_.pins]
    pinned = {member for pair in pins for member in pair}
    profiles = _profiles_by_id([*who.roles["peer"], *pinned])
    members = [profiles[i] for i in who.roles["peer"] if i not in pinned]
    outcome = _Outcome()
    for a, b in pins:
        outcome.matches.append(_pinned_match(profiles[a], profiles[b], round_, rules))
    if len(members) < 2:
        outcome.notes.append("Fewer than two members are eligible for peer swaps.")
        outcome.unmatched = [{"member_id": p.id, "kind": "no_eligible_partner",
                              "text": "No other member is eligible in this round."} for p in members]
        outcome.matched = outcome.max_coverage = 2 * len(outcome.matches)
        return outcome
    table = score_peers(members, PeerWeights(**params["weights"]), rules)
    result = pair_peers(table.scores, priority=params["priority"])
    for i, j in result.pairs.tolist():
        a, b = sorted((i, j), key=lambda index: members[index].id)
        outcome.matches.append(_peer_match(members, table, a, b))
    coverage = result if params["priority"] == "coverage" else pair_peers(table.scores)
    outcome.unmatched = [{"member_id": members[d.member].id, "kind": d.kind, "text": d.text}
                         for d in diagnose_unpaired(table, result)]
    outcome.matched = 2 * len(outcome.matches)
    outcome.max_coverage = 2 * (len(coverage.pairs) + len(pins))
    outcome.total, outcome.upper_bound, outcome.gap = _figures(result, outcome, pins)
    return outcome


def _profiles_by_id(member_ids) -> dict[int, Profile]:
    """Profiles of these members (each once), by id: one load, one reporting-line scan."""
    unique = list(dict.fromkeys(member_ids))
    return dict(zip(unique, load_profiles(unique)))


def _solve_groups(round_: Round, who: Eligibility, rules: Rules) -> _Outcome:
    params = round_.parameters
    profiles = load_profiles(who.roles["member"])
    outcome = _Outcome()
    if len(profiles) < params["group_min"]:
        outcome.notes.append(f"Only {len(profiles)} members are eligible; a group needs {params['group_min']}.")
        outcome.unmatched = [{"member_id": p.id, "kind": "too_few", "text": "Too few members for a group."}
                             for p in profiles]
        return outcome
    core = [s.name for s in round_.community.core_skills] if round_.community else None
    ids = {p.id for p in profiles}
    plan = plan_groups(
        profiles, (params["group_min"], params["group_max"]),
        anchor_level=params["anchor_level"], core_skills=core or None,
        history=rules.history, cooldown_rounds=rules.cooldown_rounds,
        apart=[pair for pair in rules.forbidden if set(pair) <= ids],
        together=[pair_key(p.first_id, p.second_id) for p in round_.pins if {p.first_id, p.second_id} <= ids],
        weights=GroupWeights(**params["weights"]), time_limit=float(params["time_limit"]),
    )
    diversity = plan.diversity
    for number, indices in enumerate(plan.grouping.groups, start=1):
        block = diversity[np.ix_(indices, indices)]
        group = WorkingGroup(number=number, diversity=float(np.triu(block, 1).sum()),
                             explanation=explain_group(plan, number - 1))
        for index in indices.tolist():
            member_id = plan.members[index].id
            group.members.append(GroupMember(member_id=member_id,
                                             role="anchor" if member_id in plan.anchors else "member"))
        outcome.groups.append(group)
    outcome.matched = outcome.max_coverage = len(profiles)
    outcome.total = float(plan.grouping.total)
    outcome.notes.extend(plan.notes)
    return outcome


_SOLVERS = {"mentoring": _solve_mentoring, "peer": _solve_peers, "groups": _solve_groups}


def _figures(result, outcome: _Outcome, pins) -> tuple[float, float, float]:
    """Total over all stored matches; the bound and gap are the solver's (pins are fixed)."""
    pinned_total = sum(m.score for m in outcome.matches if m.pinned)
    return float(result.total) + pinned_total, float(result.upper_bound) + pinned_total, float(result.gap)


def _mentoring_match(learner: Profile, mentor: Profile, table, i: int, j: int) -> Match:
    """A learner–mentor match with the learner's reasons and what they can learn."""
    reasons = [_stored(reason, "first" if reason.kind in ONE_SIDED else "both") for reason in table.explain(i, j)]
    return Match(first_id=learner.id, second_id=mentor.id, first_role="learner", second_role="mentor",
                 score=_finite(table.scores[i, j]), reasons=reasons,
                 focus=focus_of(learner, mentor, "first"))


def _peer_match(members: list[Profile], table, a: int, b: int) -> Match:
    """A peer swap; each side gets "you teach / they teach" in their own words."""
    reasons = [_stored(reason, "first" if reason.kind in ONE_SIDED else "both") for reason in table.explain(a, b)]
    reasons += [_stored(reason, "second") for reason in table.explain(b, a) if reason.kind in ONE_SIDED]
    return Match(first_id=members[a].id, second_id=members[b].id, first_role="peer", second_role="peer",
                 score=_finite(table.scores[a, b]), reasons=reasons,
                 focus=focus_of(members[a], members[b], "first") + focus_of(members[b], members[a], "second"))


def _stored(reason, side: str) -> dict:
    """A reason as JSON; a broken hard rule (``-inf``) is kept, flagged, for HR's eyes."""
    stored = {**reason.as_dict(), "side": side}
    if not np.isfinite(stored["contribution"]):
        stored.update(contribution=0.0, rule=True)
    return stored


def _finite(score) -> float:
    return float(score) if np.isfinite(score) else 0.0


def _pinned_match(first: Profile, second: Profile, round_: Round, rules: Rules) -> Match:
    """A pair HR pinned: stored as it is, with the matcher's score and reasons for it."""
    weights = round_.parameters["weights"]
    if round_.kind == "mentoring":
        table = score_mentoring([first], [second], MentoringWeights(**weights), rules)
        match = _mentoring_match(first, second, table, 0, 0)
    else:
        table = score_peers([first, second], PeerWeights(**weights), rules)
        match = _peer_match([first, second], table, 0, 1)
    match.pinned = True
    return match


def _clear_result(round_: Round) -> None:
    round_.matches.clear()
    round_.groups.clear()
    db.session.flush()


def _store(round_: Round, outcome: _Outcome, who: Eligibility, seconds: float) -> None:
    round_.matches.extend(outcome.matches)
    round_.groups.extend(outcome.groups)
    round_.eligible = who.count
    round_.matched = outcome.matched
    round_.max_coverage = outcome.max_coverage
    round_.total = outcome.total
    round_.upper_bound = outcome.upper_bound
    round_.gap = outcome.gap
    round_.seconds = round(seconds, 3)
    round_.unmatched = outcome.unmatched
    round_.notes = outcome.notes + [f"Not eligible: {reason} ({count})" for reason, count in who.excluded.items()]
    round_.status = "solved"
    round_.solved_at = utcnow()
    db.session.flush()


# --- life cycle ---------------------------------------------------------------------------------


@dataclass
class Publication:
    """What ``publish_round`` did: whether this call published, and the messages to send.

    The messages carry the raw invitation links, which exist nowhere else:
    deliver them after the transaction commits.
    """

    published: bool
    messages: list[Message] = field(default_factory=list)


def publish_round(round_id: int, invitation_days: int | None = None) -> Publication:
    """Publish a solved round: each match and group place becomes an invitation.

    Idempotent, also under concurrency: the status moves from solved to
    published in one conditional UPDATE, which only one transaction can win
    (PostgreSQL makes the loser wait for the winner's commit and then finds
    nothing to update; SQLite serialises writers). The loser creates nothing.
    """
    round_ = get_round(round_id)
    if round_.status in ("published", "closed"):
        return Publication(False)
    if round_.status != "solved":
        raise RoundError("Solve the round before publishing it.")
    won = db.session.execute(
        sa.update(Round).where(Round.id == round_id, Round.status == "solved")
        .values(status="published", published_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(round_)
    if not won:
        return Publication(False)
    days = invitation_days if invitation_days is not None else current_app.config["INVITATION_DAYS"]
    messages = _invite(round_, round_.matches, [p for g in round_.groups for p in g.members], days)
    return Publication(True, messages)


def _invite(round_: Round, matches, places, days: int) -> list[Message]:
    """Invitation messages for new matches, and a fresh link for each new group place."""
    db.session.flush()  # new rows get their ids and can load the members they point to
    messages = []
    for match in matches:
        messages.extend(match_invitations(match))
    expires = utcnow() + timedelta(days=days)
    for place in places:
        raw, place.token_hash = new_token()
        place.invited_at, place.expires_at = utcnow(), expires
        messages.append(group_invitation(place, raw))
    return messages


@dataclass
class Repair:
    """What ``repair_round`` did: members offered a new match or group, those left over."""

    rematched: int
    left_over: int
    messages: list[Message] = field(default_factory=list)


def repair_round(round_id: int, invitation_days: int | None = None) -> Repair:
    """Re-match only the members whose match or group place was declined.

    Accepted and pending matches stay as they are; declined ones stay on
    record (so the pair is never proposed again). Both sides of a declined
    match are offered someone new if they are still eligible; a member who
    declined a group is offered the group with room that they diversify most.
    """
    round_ = get_round(round_id, for_update=True)
    if round_.status != "published":
        raise RoundError(f"Only a published round can be repaired; this one is {round_.status}.")
    days = invitation_days if invitation_days is not None else current_app.config["INVITATION_DAYS"]
    if round_.kind == "groups":
        places, left_over = _repair_groups(round_)
        messages = _invite(round_, [], places, days)
        rematched = len(places)
    else:
        matches, left_over = _repair_pairs(round_)
        messages = _invite(round_, matches, [], days)
        rematched = len({m for match in matches for m in (match.first_id, match.second_id)})
    round_.notes = [*round_.notes, f"Repaired {utcnow():%Y-%m-%d %H:%M} UTC: {rematched} member(s) "
                    f"offered a new match, {left_over} could not be."]
    db.session.flush()
    return Repair(rematched, left_over, messages)


def _repair_rules_of(round_: Round) -> Rules:
    """A repair's rules: every pair the round already proposed is forbidden now."""
    return round_rules(round_, {pair_key(m.first_id, m.second_id) for m in round_.matches})


def _repair_pairs(round_: Round) -> tuple[list[Match], int]:
    live = [m for m in round_.matches if not m.declined]
    busy = {member for m in live for member in (m.first_id, m.second_id)}
    declined = {member for m in round_.matches if m.declined for member in (m.first_id, m.second_id)} - busy
    who = eligibility(round_.kind, round_.community_id)
    rules, weights = _repair_rules_of(round_), round_.parameters["weights"]
    matches: list[Match] = []
    if round_.kind == "mentoring":
        learners = load_profiles([i for i in who.roles["learner"] if i in declined])
        mentors = load_profiles(who.roles["mentor"])
        if learners and mentors:
            table = score_mentoring(learners, mentors, MentoringWeights(**weights), rules)
            taken = defaultdict(int)
            for match in live:
                taken[match.second_id] += 1
            capacity = np.maximum(table.capacity - [taken[p.id] for p in mentors], 0)
            result = assign_mentors(table.scores, capacity, priority=round_.parameters["priority"])
            matches = [_mentoring_match(learners[i], mentors[j], table, i, j) for i, j in result.pairs.tolist()]
        wanting = {p.id for p in learners}
    else:
        members = load_profiles([i for i in who.roles["peer"] if i in declined])
        if len(members) >= 2:
            table = score_peers(members, PeerWeights(**weights), rules)
            result = pair_peers(table.scores, priority=round_.parameters["priority"])
            for i, j in result.pairs.tolist():
                a, b = sorted((i, j), key=lambda index: members[index].id)
                matches.append(_peer_match(members, table, a, b))
        wanting = {p.id for p in members}
    round_.matches.extend(matches)
    found = {m for match in matches for m in (match.first_id, match.second_id)}
    return matches, len(wanting - found)


def _repair_groups(round_: Round) -> tuple[list[GroupMember], int]:
    params = round_.parameters
    live = {g.id: [p for p in g.members if p.status != "declined"] for g in round_.groups}
    placed = {p.member_id for places in live.values() for p in places}
    declined = {p.member_id: p.group_id for g in round_.groups for p in g.members if p.status == "declined"}
    eligible = set(eligibility("groups", round_.community_id).roles["member"])
    seeking = sorted(m for m in declined if m not in placed and m in eligible)
    if not seeking:
        return [], 0
    everyone = sorted(placed | set(seeking))
    index = {member_id: i for i, member_id in enumerate(everyone)}
    diversity = diversity_matrix(load_profiles(everyone), GroupWeights(**params["weights"]))
    rules = _repair_rules_of(round_)
    apart = rules.forbidden | rules.history.low_rated | rules.history.declined
    new_places = []
    for member_id in seeking:
        best, best_gain = None, -np.inf
        for group in round_.groups:
            mates = [p.member_id for p in live[group.id]]
            tried = {p.member_id for p in group.members}
            if len(mates) >= params["group_max"] or member_id in tried:
                continue
            if any(pair_key(member_id, mate) in apart for mate in mates):
                continue
            gain = float(diversity[index[member_id], [index[m] for m in mates]].sum())
            if gain > best_gain:
                best, best_gain = group, gain
        if best is not None:
            place = GroupMember(member_id=member_id, role="member")
            best.members.append(place)
            live[best.id].append(place)
            new_places.append(place)
    db.session.flush()
    _restate_groups(round_)
    return new_places, len(seeking) - len(new_places)


def move_member(round_id: int, member_id: int, to_number: int) -> WorkingGroup:
    """HR moves a member to another group of a solved round; sizes must stay in bounds.

    The move edits this result only: a re-solve starts again from the pins and forbids.
    """
    round_ = get_round(round_id, for_update=True)
    if round_.kind != "groups" or round_.status != "solved":
        raise RoundError("Members can be moved only in a solved, unpublished working-group round.")
    source = next((g for g in round_.groups for p in g.members if p.member_id == member_id), None)
    target = next((g for g in round_.groups if g.number == to_number), None)
    if source is None:
        raise RoundError("That member is not in any group of this round.")
    if target is None:
        raise RoundError(f"This round has no group {to_number}.")
    if target is source:
        return target
    low, high = round_.parameters["group_min"], round_.parameters["group_max"]
    if len(source.members) - 1 < low or len(target.members) + 1 > high:
        raise RoundError(f"Groups must keep between {low} and {high} members: group {source.number} has "
                         f"{len(source.members)}, group {target.number} has {len(target.members)}.")
    place = next(p for p in source.members if p.member_id == member_id)
    source.members.remove(place)
    db.session.flush()
    target.members.append(GroupMember(member_id=member_id, role=place.role))
    db.session.flush()
    _restate_groups(round_)
    round_.notes = [*round_.notes, f"HR moved member {member_id} from group {source.number} to group {target.number}."]
    return target


def _restate_groups(round_: Round) -> None:
    """Recompute every group's diversity and explanation, and the round total, from who is in it.

    Declined places do not count. Used after HR moves someone or a repair
    fills a gap, so the stored figures always describe the stored groups.
    """
    params = round_.parameters
    live = [(g, [p for p in g.members if p.status != "declined"]) for g in round_.groups]
    live = [(g, places) for g, places in live if places]
    for group in round_.groups:
        group.diversity, group.explanation = 0.0, "Everyone invited to this group declined."
    if not live:
        round_.total = 0.0
        return
    profiles = load_profiles([p.member_id for _, places in live for p in places])
    diversity = diversity_matrix(profiles, GroupWeights(**params["weights"]))
    bounds = np.cumsum([0] + [len(places) for _, places in live])
    groups = [np.arange(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]
    labels = np.concatenate([np.full(len(g), k) for k, g in enumerate(groups)])
    sums = [float(np.triu(diversity[np.ix_(g, g)], 1).sum()) for g in groups]
    core = tuple(s.name for s in round_.community.core_skills) if round_.community else ()
    plan = GroupPlan(
        members=tuple(profiles), grouping=Grouping(labels, groups, float(sum(sums)), 0), diversity=diversity,
        anchors=frozenset(p.member_id for _, places in live for p in places if p.role == "anchor"),
        anchor_level=params["anchor_level"], core_skills=core or None, isolated=(), notes=(),
    )
    for k, (group, _) in enumerate(live):
        group.diversity, group.explanation = sums[k], explain_group(plan, k)
    round_.total = float(sum(sums))
    db.session.flush()


def close_round(round_id: int) -> Round:
    """End a published round; feedback opens."""
    round_ = get_round(round_id, for_update=True)
    if round_.status != "published":
        raise RoundError(f"Only a published round can be closed; this one is {round_.status}.")
    round_.status = "closed"
    round_.closed_at = utcnow()
    db.session.flush()
    return round_


def add_pin(round_id: int, first_id: int, second_id: int) -> Pin:
    """HR pins a pair for the next solve (mentoring: learner first, mentor second)."""
    return _add_rule(Pin, round_id, first_id, second_id)


def add_forbid(round_id: int, first_id: int, second_id: int) -> Forbid:
    """HR forbids a pair for the next solve."""
    return _add_rule(Forbid, round_id, first_id, second_id)


def remove_rule(round_id: int, model, first_id: int, second_id: int) -> None:
    """HR takes back a pin (``Pin``) or a forbid (``Forbid``); nothing happens if there is none."""
    round_ = get_round(round_id)
    _check_rules_open(round_)
    for key in ((first_id, second_id), (second_id, first_id)):
        rule = db.session.get(model, (round_id, *key))
        if rule is not None:
            db.session.delete(rule)
    db.session.flush()


def _check_rules_open(round_: Round) -> None:
    if round_.status not in ("draft", "solved"):
        raise RoundError("Pins and forbids change only a draft or solved round.")


def _add_rule(model, round_id: int, first_id: int, second_id: int):
    round_ = get_round(round_id)
    _check_rules_open(round_)
    if first_id == second_id:
        raise RoundError("Pick two different members.")
    members = [db.session.get(Member, member_id) for member_id in (first_id, second_id)]
    for member_id, member in zip((first_id, second_id), members):
        if member is None:
            raise RoundError(f"No member with id {member_id}.")
    opposite = Forbid if model is Pin else Pin
    if any(db.session.get(opposite, (round_id, *key)) for key in ((first_id, second_id), (second_id, first_id))):
        names = " and ".join(m.display_name for m in members)
        what = "forbidden" if model is Pin else "pinned"
        raise RoundError(f"{names} are {what} in this round; take that back first.")
    if model is Pin and round_.kind == "mentoring":
        _check_mentoring_pin(round_, *members)
    else:
        first_id, second_id = pair_key(first_id, second_id)
    existing = db.session.get(model, (round_id, first_id, second_id))
    if existing is not None:
        return existing
    rule = model(round_id=round_id, first_id=first_id, second_id=second_id)
    db.session.add(rule)
    db.session.flush()
    return rule


def _check_mentoring_pin(round_: Round, learner: Member, mentor: Member) -> None:
    """A mentoring pin names an eligible learner, then an eligible mentor with a seat left."""
    who = eligibility("mentoring", round_.community_id)
    if learner.id not in who.roles["learner"]:
        raise RoundError(f"{learner.display_name} is not an eligible learner in this round (pins go learner first).")
    if mentor.id not in who.roles["mentor"]:
        raise RoundError(f"{mentor.display_name} is not an eligible mentor in this round.")
    pins = db.session.scalars(sa.select(Pin).where(Pin.round_id == round_.id)).all()
    if any(pin.first_id == learner.id for pin in pins):
        raise RoundError(f"{learner.display_name} is already pinned to a mentor.")
    seats = sum(pin.second_id == mentor.id for pin in pins)
    if seats >= mentor.mentor_capacity:
        raise RoundError(f"{mentor.display_name} mentors at most {mentor.mentor_capacity}; "
                         f"all their places are pinned already.")
