"""Mentoring and peer matches: one path builds them for a solve and for a repair.

A solve pairs every eligible member (after HR's pins); a repair pairs only
those whose match was declined, with the pairs the round already proposed
forbidden and the mentors' places that live matches hold taken out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from matcher import (
    MentoringWeights,
    PeerWeights,
    assign_mentors,
    diagnose_unmatched,
    diagnose_unpaired,
    pair_peers,
    score_mentoring,
    score_peers,
)
from matcher.profiles import Profile, Rules, ScoreTable, pair_key
from matcher.progress import Progress, report
from models import Match, Round
from webapp.services.after_match.renewals import renewals_for
from webapp.services.matches import focus_of
from webapp.services.profiles import load_profiles
from webapp.services.preferences import add_bonus, honoured_note, wished_pairs
from webapp.services.reasons import ONE_SIDED
from webapp.services.rounds.eligibility import Eligibility, eligibility
from webapp.services.rounds.history import hard_rules
from webapp.services.rounds.notes import note, unmatched_entry
from webapp.services.rounds.outcome import Outcome, unmatched_entries


@dataclass(frozen=True)
class Pairs:
    """What the matcher made of a set of members: its scores, its answer, and the matches."""

    table: ScoreTable
    result: object  # MentorAssignment or PeerPairing
    matches: list[Match]
    capacity: np.ndarray | None = None  # mentoring: the places the solver could fill
    boosted: frozenset = frozenset()  # (chooser, preferred) pairs whose score got the preference bonus


def mentoring_pairs(learners: list[Profile], mentors: list[Profile], weights: dict, rules: Rules,
                    priority: str, taken: Counter | None = None, progress: Progress | None = None, *,
                    wished=frozenset(), bonus: float = 0.0) -> Pairs:
    """Assign ``learners`` to ``mentors``; ``taken`` counts places already held per mentor id.

    ``wished`` (learner, mentor) pairs get ``bonus`` added to their score where the rules allow them.
    """
    taken = taken or Counter()
    report(progress, "scoring", 0.0)
    table = score_mentoring(learners, mentors, MentoringWeights(**weights), rules)
    boosted = add_bonus(table.scores, [p.id for p in learners], [p.id for p in mentors], set(wished), bonus)
    capacity = np.maximum(table.capacity - np.array([taken[p.id] for p in mentors], dtype=table.capacity.dtype), 0)
    result = assign_mentors(table.scores, capacity, priority=priority, progress=progress)
    matches = [_with_wish(_mentoring_match(learners[i], mentors[j], table, i, j), boosted)
               for i, j in result.pairs.tolist()]
    return Pairs(table, result, matches, capacity, frozenset(boosted))


def peer_pairs(members: list[Profile], weights: dict, rules: Rules, priority: str,
               progress: Progress | None = None, *, wished=frozenset(), bonus: float = 0.0) -> Pairs:
    """Pair ``members`` for skill swaps; the member with the lower id is a match's first side."""
    report(progress, "scoring", 0.0)
    table = score_peers(members, PeerWeights(**weights), rules)
    ids = [p.id for p in members]
    boosted = add_bonus(table.scores, ids, ids, set(wished), bonus, symmetric=True)
    result = pair_peers(table.scores, priority=priority, progress=progress)
    matches = []
    for i, j in result.pairs.tolist():
        a, b = sorted((i, j), key=lambda index: members[index].id)
        matches.append(_with_wish(_peer_match(members, table, a, b), boosted))
    return Pairs(table, result, matches, boosted=frozenset(boosted))


def _with_wish(match: Match, boosted: set[tuple[int, int]]) -> Match:
    """Add the reason "You asked for …" to a match one of its members wished for."""
    by = [side for side, (a, b) in (("first", (match.first_id, match.second_id)),
                                    ("second", (match.second_id, match.first_id))) if (a, b) in boosted]
    if by:
        match.reasons = [*match.reasons, {"kind": "preferred", "params": {"by": by}, "contribution": 0.0,
                                          "side": "both", "text": "Asked for by " + " and ".join(by)}]
    return match


# --- a solve ----------------------------------------------------------------------------------


def solve_mentoring(round_: Round, who: Eligibility, rules: Rules, progress: Progress | None = None) -> Outcome:
    """Pinned and renewed pairs first, then the matcher assigns the other learners to the places left."""
    params = round_.parameters
    hr_pins = [(p.first_id, p.second_id) for p in round_.pins]
    renewed = renewals_for(round_, set(who.roles["learner"]), set(who.roles["mentor"]),
                           {m for pin in hr_pins for m in pin}, rules.forbidden)
    pins = hr_pins + [(r.first_id, r.second_id) for r in renewed]
    pinned_learners = {learner for learner, _ in pins}
    profiles = _profiles_by_id([*who.roles["learner"], *who.roles["mentor"], *(m for pin in pins for m in pin)])
    learners = [profiles[i] for i in who.roles["learner"] if i not in pinned_learners]
    mentors = [profiles[i] for i in who.roles["mentor"]]
    outcome = Outcome(matches=_fixed_matches(profiles, hr_pins, renewed, round_, rules))
    if not learners or not mentors:
        outcome.notes.append(note("no_learners_or_mentors"))
        outcome.unmatched = unmatched_entries(learners, "no_eligible_mentor")
        outcome.matched = outcome.max_coverage = len(outcome.matches)
        return outcome
    wished = wished_pairs("mentoring", [p.id for p in learners])
    made = mentoring_pairs(learners, mentors, params["weights"], rules, params["priority"],
                           taken=Counter(mentor for _, mentor in pins), progress=progress, wished=wished,
                           bonus=float(params.get("preference_bonus", 0.0)))
    outcome.matches.extend(made.matches)
    if wished:
        outcome.notes.append(note("preferences", **honoured_note(
            wished, set(who.roles["mentor"]), made.boosted,
            {frozenset((m.first_id, m.second_id)) for m in made.matches})))
    coverage = made.result if params["priority"] == "coverage" else assign_mentors(made.table.scores, made.capacity)
    outcome.unmatched = [unmatched_entry(learners[d.member].id, d.kind, **d.params)
                         for d in diagnose_unmatched(made.table, made.result)]
    outcome.matched = len(outcome.matches)
    outcome.max_coverage = len(coverage.pairs) + len(pins)
    outcome.total, outcome.upper_bound, outcome.gap = _figures(made.result, outcome)
    return outcome


def solve_peers(round_: Round, who: Eligibility, rules: Rules, progress: Progress | None = None) -> Outcome:
    """Pinned and renewed pairs first, then the matcher pairs the other peers."""
    params = round_.parameters
    hr_pins = [pair_key(p.first_id, p.second_id) for p in round_.pins]
    peers = set(who.roles["peer"])
    renewed = renewals_for(round_, peers, peers, {m for pin in hr_pins for m in pin}, rules.forbidden)
    pins = hr_pins + [(r.first_id, r.second_id) for r in renewed]
    pinned = {member for pair in pins for member in pair}
    profiles = _profiles_by_id([*who.roles["peer"], *pinned])
    members = [profiles[i] for i in who.roles["peer"] if i not in pinned]
    outcome = Outcome(matches=_fixed_matches(profiles, hr_pins, renewed, round_, rules))
    if len(members) < 2:
        outcome.notes.append(note("too_few_peers"))
        outcome.unmatched = unmatched_entries(members, "no_eligible_partner")
        outcome.matched = outcome.max_coverage = 2 * len(outcome.matches)
        return outcome
    wished = wished_pairs("peer", [p.id for p in members])
    made = peer_pairs(members, params["weights"], rules, params["priority"], progress=progress, wished=wished,
                      bonus=float(params.get("preference_bonus", 0.0)))
    outcome.matches.extend(made.matches)
    if wished:
        outcome.notes.append(note("preferences", **honoured_note(
            wished, set(who.roles["peer"]), made.boosted,
            {frozenset((m.first_id, m.second_id)) for m in made.matches})))
    coverage = made.result if params["priority"] == "coverage" else pair_peers(made.table.scores)
    outcome.unmatched = [unmatched_entry(members[d.member].id, d.kind, **d.params)
                         for d in diagnose_unpaired(made.table, made.result)]
    outcome.matched = 2 * len(outcome.matches)
    outcome.max_coverage = 2 * (len(coverage.pairs) + len(pins))
    outcome.total, outcome.upper_bound, outcome.gap = _figures(made.result, outcome)
    return outcome


def _fixed_matches(profiles: dict[int, Profile], hr_pins, renewed, round_: Round, rules: Rules) -> list[Match]:
    """HR's pinned pairs, then the renewed pairs (both asked to continue), as matches."""
    matches = [_pinned_match(profiles[a], profiles[b], round_, rules) for a, b in hr_pins]
    for renewal in renewed:
        match = _pinned_match(profiles[renewal.first_id], profiles[renewal.second_id], round_, rules)
        match.renewed_from_id = renewal.from_match_id
        matches.append(match)
    return matches


def _profiles_by_id(member_ids) -> dict[int, Profile]:
    """Profiles of these members (each once), by id: one load, one reporting-line scan."""
    unique = list(dict.fromkeys(member_ids))
    return dict(zip(unique, load_profiles(unique)))


def _figures(result, outcome: Outcome) -> tuple[float, float, float]:
    """Total over all stored matches; the bound and gap are the solver's (pins are fixed)."""
    pinned_total = sum(m.score for m in outcome.matches if m.pinned)
    return float(result.total) + pinned_total, float(result.upper_bound) + pinned_total, float(result.gap)


# --- a repair ---------------------------------------------------------------------------------


def repair_pairs(round_: Round) -> tuple[list[Match], list[dict]]:
    """New matches for members whose match was declined or ended early; returns them and who was left over, and why.

    Live matches stay and keep their mentors' places (a match ended early
    frees its place); every pair the round already proposed is forbidden, so
    a declined or ended pair is never offered again. Each member left over
    gets the matcher's diagnosis, as a solve stores it (``Round.unmatched``).
    """
    live = [m for m in round_.matches if not m.declined and m.ended_at is None]
    busy = {member for m in live for member in (m.first_id, m.second_id)}
    declined = {member for m in round_.matches if m.declined or m.ended_at is not None
                for member in (m.first_id, m.second_id)} - busy
    who = eligibility(round_.kind, round_.community_id)
    rules = hard_rules(round_, {pair_key(m.first_id, m.second_id) for m in round_.matches})
    params = round_.parameters
    matches: list[Match] = []
    left: list[dict] = []
    if round_.kind == "mentoring":
        seeking = load_profiles([i for i in who.roles["learner"] if i in declined])
        taken = Counter(m.second_id for m in live)
        # The places live matches hold are taken out of the profiles, so the diagnosis counts the seats left.
        mentors = [replace(p, mentor_capacity=max(p.mentor_capacity - taken[p.id], 0))
                   for p in load_profiles(who.roles["mentor"])]
        if seeking and mentors:
            made = mentoring_pairs(seeking, mentors, params["weights"], rules, params["priority"])
            matches = made.matches
            left = [unmatched_entry(seeking[d.member].id, d.kind, **d.params)
                    for d in diagnose_unmatched(made.table, made.result)]
        else:
            left = unmatched_entries(seeking, "no_eligible_mentor")
    else:
        seeking = load_profiles([i for i in who.roles["peer"] if i in declined])
        if len(seeking) >= 2:
            made = peer_pairs(seeking, params["weights"], rules, params["priority"])
            matches = made.matches
            left = [unmatched_entry(seeking[d.member].id, d.kind, **d.params)
                    for d in diagnose_unpaired(made.table, made.result)]
        else:
            left = unmatched_entries(seeking, "no_eligible_partner")
    round_.matches.extend(matches)
    found = {m for match in matches for m in (match.first_id, match.second_id)}
    left = [entry for entry in left if entry["member_id"] not in found]
    return matches, left


# --- match rows -------------------------------------------------------------------------------


def scored_mentoring_match(learner: Profile, mentor: Profile, table: ScoreTable, i: int, j: int) -> Match:
    """The match a round would store for row ``i`` and column ``j`` of ``table`` (score, reasons, focus).

    Self-service suggestions and requests build their matches here, so they read as a round's do.
    """
    return _mentoring_match(learner, mentor, table, i, j)


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


def _stored(reason, side: str) -> dict:
    """A reason as JSON (kind, params, English text, contribution) and the side it is told to.

    A broken hard rule (``-inf``) is kept, flagged, for HR's eyes.
    """
    stored = {**reason.as_dict(), "side": side}
    if not np.isfinite(stored["contribution"]):
        stored.update(contribution=0.0, rule=True)
    return stored


def _finite(score) -> float:
    return float(score) if np.isfinite(score) else 0.0
