"""A stored match in words, from either side: the reasons and a first step.

The matcher explains a pair once, at solve time, and the round stores those
reasons with a ``side`` (whose point of view the words take) and a ``focus``
(what each side can learn). Everything a member or a message says about a
match is read from there, so it shows what HR reviewed, not a recomputation.
"""

from __future__ import annotations

from matcher.profiles import Profile
from models import Match

#: Reason kinds whose words only make sense to one side.
ONE_SIDED = frozenset({"goal", "you_teach", "they_teach"})


def focus_of(learner: Profile, teacher: Profile, learner_side: str) -> list[dict]:
    """What ``learner`` can learn from ``teacher``: their goals the teacher is ahead in.

    Ordered as the learner ranked their goals (most wanted first).
    """
    focus = []
    for goal in learner.goals:
        level, teacher_level = learner.level(goal.skill), teacher.level(goal.skill)
        if teacher_level > level:
            focus.append({"learner": learner_side, "skill": goal.skill, "level": level,
                          "target": goal.target, "teacher_level": teacher_level})
    return focus


def reasons_for(match: Match, member_id: int) -> list[str]:
    """The reasons for ``match`` in words for the member ``member_id`` (or HR, with None).

    A mentor reads the learner's goals in their own terms ("Somchai wants to
    grow in SQL from level 2 to 4; you are at 5"), since the matcher's goal
    reasons are written to the learner.
    """
    side = match.side_of(member_id) if member_id is not None else "first"
    texts = [reason["text"] for reason in match.reasons
             if reason.get("side", "both") in (side, "both") and not reason.get("rule")]
    if match.first_role == "learner" and side == "second":
        learner = match.first.display_name
        texts[:0] = [f"{learner} wants to grow in {item['skill']} {_from_level(item['level'])} to level "
                     f"{item['target']}; you are at {item['teacher_level']}"
                     for item in match.focus if item["learner"] == "first"]
    return texts


def _from_level(level: int) -> str:
    return f"from level {level}" if level else "from scratch"


def first_step(match: Match) -> str:
    """A concrete first step for a confirmed pair, starting from the goal that brought them together."""
    goals = [f"{item['skill']} level {item['level'] or 'new'} → {item['target']}" for item in match.focus[:2]]
    if not goals:
        return "agree a first 30-minute session this week and share what each of you wants to learn."
    return f"agree a first 30-minute session this week; start from the goal: {' and '.join(goals)}."
