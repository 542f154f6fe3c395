"""Working groups: the solve, a repair, HR's moves, and restating each group's figures."""

from __future__ import annotations

import numpy as np
from flask_babel import gettext as _

from matcher import Grouping, GroupPlan, GroupWeights, describe_group, diversity_matrix, explain_group, plan_groups
from matcher.profiles import Rules, pair_key
from matcher.progress import Progress, report
from models import GroupMember, Round, WorkingGroup, db
from webapp.services.profiles import load_profiles
from webapp.services.rounds.eligibility import Eligibility, eligibility
from webapp.services.rounds.guards import RoundError, get_round, require
from webapp.services.rounds.history import hard_rules
from webapp.services.rounds.notes import note, unmatched_entry
from webapp.services.rounds.pins import add_pin
from webapp.services.rounds.outcome import Outcome, unmatched_entries


def solve_groups(round_: Round, who: Eligibility, rules: Rules, progress: Progress | None = None) -> Outcome:
    """Form the round's working groups; HR's pins keep two members together, forbids apart."""
    params = round_.parameters
    profiles = load_profiles(who.roles["member"])
    outcome = Outcome()
    if len(profiles) < params["group_min"]:
        outcome.notes.append(note("too_few_for_groups", eligible=len(profiles), group_min=params["group_min"]))
        outcome.unmatched = unmatched_entries(profiles, "too_few")
        return outcome
    ids = {p.id for p in profiles}
    report(progress, "scoring", 0.0)
    plan = plan_groups(
        profiles, (params["group_min"], params["group_max"]),
        anchor_level=params["anchor_level"], core_skills=_core_skills(round_),
        history=rules.history, cooldown_rounds=rules.cooldown_rounds,
        apart=[pair for pair in rules.forbidden if set(pair) <= ids],
        together=[pair_key(p.first_id, p.second_id) for p in round_.pins if {p.first_id, p.second_id} <= ids],
        weights=GroupWeights(**params["weights"]), time_limit=float(params["time_limit"]),
        progress=progress,
    )
    for number, indices in enumerate(plan.grouping.groups, start=1):
        block = plan.diversity[np.ix_(indices, indices)]
        group = WorkingGroup(number=number, diversity=float(np.triu(block, 1).sum()),
                             explanation=explain_group(plan, number - 1),
                             facts=describe_group(plan, number - 1))
        for index in indices.tolist():
            member_id = plan.members[index].id
            group.members.append(GroupMember(member_id=member_id,
                                             role="anchor" if member_id in plan.anchors else "member"))
        outcome.groups.append(group)
    outcome.matched = outcome.max_coverage = len(profiles)
    outcome.total = float(plan.grouping.total)
    outcome.notes.extend(note(n.kind, **n.params) for n in plan.notes)
    return outcome


def _core_skills(round_: Round) -> list[str] | None:
    """The community's core skills (anchors need one), or None for the whole organisation."""
    core = [s.name for s in round_.community.core_skills] if round_.community else []
    return core or None


def repair_groups(round_: Round) -> tuple[list[GroupMember], list[dict]]:
    """Offer each member who declined a group the group with room that they diversify most.

    Returns the new places, and who could not be placed and why (``Round.unmatched`` entries).
    """
    params = round_.parameters
    live = {g.id: [p for p in g.members if p.status != "declined"] for g in round_.groups}
    placed = {p.member_id for places in live.values() for p in places}
    declined = {p.member_id for g in round_.groups for p in g.members if p.status == "declined"}
    eligible = set(eligibility("groups", round_.community_id).roles["member"])
    seeking = sorted(m for m in declined if m not in placed and m in eligible)
    if not seeking:
        return [], []
    everyone = sorted(placed | set(seeking))
    index = {member_id: i for i, member_id in enumerate(everyone)}
    diversity = diversity_matrix(load_profiles(everyone), GroupWeights(**params["weights"]))
    rules = hard_rules(round_, {pair_key(m.first_id, m.second_id) for m in round_.matches})
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
    restate_groups(round_)
    placed_now = {p.member_id for p in new_places}
    left = [unmatched_entry(m, "no_group_with_room", group_max=params["group_max"])
            for m in seeking if m not in placed_now]
    return new_places, left


def move_member(round_id: int, member_id: int, to_number: int) -> WorkingGroup:
    """HR moves a member to another group of a solved round; sizes must stay in bounds after the move.

    The move edits this result only: a re-solve starts again from the pins and
    forbids, unless HR keeps the moves as pins first (``keep_moves``).
    """
    round_ = get_round(round_id, for_update=True)
    require(round_, "move")
    source, place = _place_of(round_, member_id)
    target = next((g for g in round_.groups if g.number == to_number), None)
    if target is None:
        raise RoundError(_("This round has no group %(number)d.", number=to_number))
    if target is source:
        return target
    low, high = round_.parameters["group_min"], round_.parameters["group_max"]
    after_source, after_target = len(source.members) - 1, len(target.members) + 1
    if after_source < low or after_target > high:
        raise RoundError(_("Groups keep between %(low)d and %(high)d members: after this move group %(source)d would "
                           "have %(source_size)d and group %(target)d %(target_size)d. Swap two members instead.",
                           low=low, high=high, source=source.number, source_size=after_source,
                           target=target.number, target_size=after_target))
    _shift(place, source, target)
    restate_groups(round_)
    round_.notes = [*round_.notes, note("moved", member_id=member_id, **{"from": source.number, "to": target.number})]
    return target


def swap_members(round_id: int, first_id: int, second_id: int) -> tuple[WorkingGroup, WorkingGroup]:
    """HR swaps two members of different groups of a solved round: both groups keep their sizes."""
    round_ = get_round(round_id, for_update=True)
    require(round_, "move")
    (first_group, first), (second_group, second) = _place_of(round_, first_id), _place_of(round_, second_id)
    if first_group is second_group:
        raise RoundError(_("Both are in group %(number)d already: pick members of two different groups.",
                           number=first_group.number))
    _shift(first, first_group, second_group)
    _shift(second, second_group, first_group)
    restate_groups(round_)
    round_.notes = [*round_.notes, note("swapped", member_id=first_id, other_id=second_id,
                                        **{"from": first_group.number, "to": second_group.number})]
    return first_group, second_group


def keep_moves(round_id: int) -> int:
    """Keep HR's moves through the next solve: pin each moved member to a groupmate who was not moved.

    Returns how many pins were added. Only the moves since the last solve
    count (a solve replaces the round's notes).
    """
    round_ = get_round(round_id, for_update=True)
    require(round_, "move")
    moved = _moved_members(round_)
    added = 0
    for member_id in moved:
        group, _place = _place_of(round_, member_id)
        mates = sorted(group.members, key=lambda p: (p.role != "anchor", p.member_id))
        mate = next((p.member_id for p in mates if p.member_id not in moved), None)
        if mate is not None:
            add_pin(round_id, member_id, mate)
            added += 1
    round_.notes = [n for n in round_.notes if not (isinstance(n, dict) and n.get("kind") in MOVE_NOTES)]
    round_.notes = [*round_.notes, note("moves_kept", count=added)]
    return added


#: The notes a move or swap leaves on the round.
MOVE_NOTES = ("moved", "swapped")


def moves_since_solve(round_: Round) -> int:
    """How many members HR moved (or swapped) since the round was last solved."""
    return len(_moved_members(round_))


def _moved_members(round_: Round) -> list[int]:
    moved: dict[int, None] = {}
    for entry in round_.notes:
        if isinstance(entry, dict) and entry.get("kind") in MOVE_NOTES:
            params = entry.get("params", {})
            moved.update(dict.fromkeys(m for m in (params.get("member_id"), params.get("other_id")) if m))
    return list(moved)


def _place_of(round_: Round, member_id: int) -> tuple[WorkingGroup, GroupMember]:
    for group in round_.groups:
        for place in group.members:
            if place.member_id == member_id:
                return group, place
    raise RoundError(_("That member is not in any group of this round."))


def _shift(place: GroupMember, source: WorkingGroup, target: WorkingGroup) -> None:
    """Move one place from ``source`` to ``target``, keeping its role."""
    member_id, role = place.member_id, place.role
    source.members.remove(place)
    db.session.flush()
    target.members.append(GroupMember(member_id=member_id, role=role))
    db.session.flush()


def restate_groups(round_: Round) -> None:
    """Recompute every group's diversity, explanation and facts, and the round total, from who is in it.

    Declined places do not count. Used after HR moves someone or a repair
    fills a gap, so the stored figures always describe the stored groups.
    """
    params = round_.parameters
    live = [(g, [p for p in g.members if p.status != "declined"]) for g in round_.groups]
    live = [(g, places) for g, places in live if places]
    for group in round_.groups:
        group.diversity, group.explanation = 0.0, "Everyone invited to this group declined."
        group.facts = {"size": 0}  # nobody left: the pages say everyone declined
    if not live:
        round_.total = 0.0
        return
    profiles = load_profiles([p.member_id for _, places in live for p in places])
    diversity = diversity_matrix(profiles, GroupWeights(**params["weights"]))
    bounds = np.cumsum([0] + [len(places) for _, places in live])
    groups = [np.arange(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]
    labels = np.concatenate([np.full(len(g), k) for k, g in enumerate(groups)])
    sums = [float(np.triu(diversity[np.ix_(g, g)], 1).sum()) for g in groups]
    core = _core_skills(round_)
    plan = GroupPlan(
        members=tuple(profiles), grouping=Grouping(labels, groups, float(sum(sums)), 0), diversity=diversity,
        anchors=frozenset(p.member_id for _, places in live for p in places if p.role == "anchor"),
        anchor_level=params["anchor_level"], core_skills=tuple(core) if core else None, isolated=(), notes=(),
    )
    for k, (group, _) in enumerate(live):
        group.diversity, group.explanation = sums[k], explain_group(plan, k)
        group.facts = describe_group(plan, k)
    round_.total = float(sum(sums))
    db.session.flush()
