"""What each side of a match can learn from the other: the ``focus`` a match stores.

The round stores it with the matcher's reasons at solve time; the member
pages, the first-step hint and the feedback form read it, so they show what
HR reviewed, not a recomputation.
"""

from __future__ import annotations

from matcher.profiles import Profile


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
