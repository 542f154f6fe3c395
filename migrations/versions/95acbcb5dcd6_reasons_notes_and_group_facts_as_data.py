"""reasons, notes and group facts as data

Until now a match's reasons, a round's notes and diagnoses and a group's
explanation were stored as English sentences. From here on they are stored
as a kind and its facts and put in words when read, in the reader's
language. This migration adds ``working_groups.facts`` and converts what is
stored: each sentence the earlier code wrote is parsed back into its kind and
facts; a sentence it cannot read (a name changed since, an unknown shape)
stays as it was and is still shown as written. A group's facts are counted
from its members as they are today.

The parsing lives here, not in the app, so this migration keeps meaning what
it meant when it was written.

Revision ID: 95acbcb5dcd6
Revises: 2b610b1f2475
Create Date: 2026-12-01 20:50:40.024082

"""
import re
from collections import Counter
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '95acbcb5dcd6'
down_revision = '2b610b1f2475'
branch_labels = None
depends_on = None

BANDS = ("Junior", "Mid-level", "Senior", "Lead", "Executive")

rounds = sa.table("rounds", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                  sa.column("community_id", sa.Integer), sa.column("notes", sa.JSON),
                  sa.column("unmatched", sa.JSON))
matches = sa.table("matches", sa.column("id", sa.Integer), sa.column("first_id", sa.Integer),
                   sa.column("second_id", sa.Integer), sa.column("first_role", sa.String),
                   sa.column("reasons", sa.JSON))
members = sa.table("members", sa.column("id", sa.Integer), sa.column("display_name", sa.String),
                   sa.column("department", sa.String), sa.column("function", sa.String),
                   sa.column("seniority", sa.String))
groups = sa.table("working_groups", sa.column("id", sa.Integer), sa.column("round_id", sa.Integer),
                  sa.column("diversity", sa.Float), sa.column("facts", sa.JSON))
places = sa.table("group_members", sa.column("group_id", sa.Integer), sa.column("member_id", sa.Integer),
                  sa.column("role", sa.String), sa.column("status", sa.String))
member_skills = sa.table("member_skills", sa.column("member_id", sa.Integer), sa.column("skill_id", sa.Integer),
                         sa.column("level", sa.Integer))
skills = sa.table("skills", sa.column("id", sa.Integer), sa.column("name", sa.String))
community_skills = sa.table("community_skills", sa.column("community_id", sa.Integer),
                            sa.column("skill_id", sa.Integer))


def upgrade():
    with op.batch_alter_table('working_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.JSON(), nullable=True))
    connection = op.get_bind()
    names = dict(connection.execute(sa.select(members.c.id, members.c.display_name)).all())
    for row in connection.execute(sa.select(matches)).mappings().all():
        converted = [_reason(reason, row, names) for reason in row["reasons"] or []]
        if converted != (row["reasons"] or []):
            connection.execute(sa.update(matches).where(matches.c.id == row["id"]).values(reasons=converted))
    for row in connection.execute(sa.select(rounds)).mappings().all():
        notes = [_note(note) for note in row["notes"] or []]
        unmatched = [_diagnosis(entry) for entry in row["unmatched"] or []]
        connection.execute(sa.update(rounds).where(rounds.c.id == row["id"]).values(notes=notes, unmatched=unmatched))
    _group_facts(connection)


def downgrade():
    with op.batch_alter_table('working_groups', schema=None) as batch_op:
        batch_op.drop_column('facts')


# --- a match's reasons --------------------------------------------------------------------------

_LEVELS = r"level (\d); you are at (\d), aiming for (\d)"
_GOALS = [
    ("teaches", re.compile(rf"^Teaches (.+) \({_LEVELS}\)$")),
    ("a_little_beyond", re.compile(rf"^Knows (.+) a little beyond you \({_LEVELS}\)$")),
    ("not_ahead", re.compile(rf"^Not ahead of you in (.+) \({_LEVELS}\)$")),
]
_LIFT = re.compile(r"(.+?) \((\d) → (?:their|your) (\d)\)(?:, |$)")


def _split(words: str) -> list[str]:
    """ "A", "A and B", "A, B and C" as the old code joined them."""
    head, _, last = words.rpartition(" and ")
    return [*(head.split(", ") if head else []), last]


def _reason(reason: dict, match, names) -> dict:
    if "params" in reason or not reason.get("text") or reason.get("rule"):
        return reason
    params = _reason_params(reason["kind"], reason["text"], reason.get("side", "both"), match, names)
    return {**reason, "params": params} if params is not None else reason


def _reason_params(kind: str, text: str, side: str, match, names):  # noqa: C901 - one branch per old sentence
    if kind == "goal":
        for verdict, pattern in _GOALS:
            if found := pattern.match(text):
                skill, mentor, mine, target = found.groups()
                return {"skill": skill, "priority": None, "learner_level": int(mine), "target": int(target),
                        "mentor_level": int(mentor), "verdict": verdict}
        if found := re.match(r"^Does not list (.+) \(you are at (\d), aiming for (\d)\)$", text):
            skill, mine, target = found.groups()
            return {"skill": skill, "priority": None, "learner_level": int(mine), "target": int(target),
                    "mentor_level": 0, "verdict": "does_not_list"}
        return None
    mentoring = match["first_role"] == "learner"
    if kind == "community":
        if found := re.match(r"^Both in the (.+) communit(?:y|ies)$", text):
            return {"communities": _split(found.group(1))}
        if found := re.match(r"^You both belong to (.+)$", text):
            return {"communities": found.group(1).split(", ")}
        return None
    if kind == "cross_department":
        if found := re.match(r"^Different department: (.+) ↔ (.+)$", text):
            return {"learner_department": found.group(1), "mentor_department": found.group(2)}
        if found := re.match(r"^Different departments: (.+) and (.+)$", text):
            return {"departments": [found.group(1), found.group(2)]}
        return None
    if kind == "time_zone":
        if found := re.match(r"^Same time zone \((.+)\)$", text):
            zone = found.group(1)
            return {"learner_zone": zone, "mentor_zone": zone, "overlap_hours": 8, "same_zone": True}
        if found := re.match(r"^Working hours overlap about (\d+) of 8 hours \((.+) ↔ (.+)\)$", text):
            return {"learner_zone": found.group(2), "mentor_zone": found.group(3),
                    "overlap_hours": int(found.group(1)), "same_zone": False}
        if found := re.match(r"^Your time zones are ([\d.]+) hours apart$", text):
            return {"hours_apart": float(found.group(1))}
        return None
    if kind == "seniority" and mentoring:
        if found := re.match(r"^Seniority gap that works: (.+) mentoring (.+)$", text):
            mentor, learner = found.groups()
            if mentor in BANDS and learner in BANDS:
                mentor_band, learner_band = BANDS.index(mentor) + 1, BANDS.index(learner) + 1
                return {"learner_band": learner_band, "mentor_band": mentor_band, "gap": mentor_band - learner_band}
        return None
    if kind == "language":
        if found := re.match(r"^Both speak (.+)$", text):
            return {"languages": _split(found.group(1))}
        return None
    if kind == "repeat":
        if found := re.match(r"^You were paired (\d+) round\(s\) ago$", text):
            return {"rounds_ago": int(found.group(1))}
        return None
    if kind in ("you_teach", "they_teach"):
        told_to = match["first_id"] if side == "first" else match["second_id"]
        partner = names.get(match["second_id"] if told_to == match["first_id"] else match["first_id"], "")
        if kind == "you_teach":
            if text == f"You cover none of {partner}'s goals: a one-sided swap":
                return {"skills": []}
            prefix = f"You teach {partner} "
        else:
            if text == f"{partner} covers none of your goals: a one-sided swap":
                return {"skills": []}
            prefix = f"{partner} teaches you "
        if not partner or not text.startswith(prefix):
            return None
        lifts = _LIFT.findall(text[len(prefix):])
        if not lifts:
            return None
        return {"skills": [{"skill": skill, "teacher_level": int(teacher), "learner_level": int(learner),
                            "target": None} for skill, teacher, learner in lifts]}
    return None


# --- a round's notes and diagnoses --------------------------------------------------------------

_EXCLUSIONS = {
    "paused": "paused",
    "asked to confirm they still want matches (two invitations unanswered)": "asked_to_confirm",
    "no profile (no skills or goals yet)": "no_profile",
    "not opted in (neither wants a mentor with a goal, nor mentors with a skill)": "not_opted_in",
    "not opted in to peer swaps (or no skills and goals to swap)": "not_opted_in",
    "not opted in to working groups": "not_opted_in",
}
_FIXED_NOTES = {
    "No learners or no mentors are eligible in this scope.": "no_learners_or_mentors",
    "Fewer than two members are eligible for peer swaps.": "too_few_peers",
}


def _note(note):
    if not isinstance(note, str):
        return note
    if note in _FIXED_NOTES:
        return {"kind": _FIXED_NOTES[note], "params": {}}
    if (found := re.match(r"^Not eligible: (.+) \((\d+)\)$", note)) and found.group(1) in _EXCLUSIONS:
        return {"kind": "not_eligible", "params": {"reason": _EXCLUSIONS[found.group(1)], "count": int(found.group(2))}}
    if found := re.match(r"^Only (\d+) members are eligible; a group needs (\d+)\.$", note):
        return {"kind": "too_few_for_groups", "params": {"eligible": int(found.group(1)), "group_min": int(found.group(2))}}
    if found := re.match(r"^Repaired (\d{4}-\d\d-\d\d \d\d:\d\d) UTC: (\d+) member\(s\) offered a new match, (\d+) could not be\.$", note):
        at = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc).isoformat()
        return {"kind": "repaired", "params": {"at": at, "rematched": int(found.group(2)), "left_over": int(found.group(3))}}
    if found := re.match(r"^HR moved member (\d+) from group (\d+) to group (\d+)\.$", note):
        return {"kind": "moved", "params": {"member_id": int(found.group(1)), "from": int(found.group(2)),
                                            "to": int(found.group(3))}}
    if found := re.match(r"^Could not keep every (\w+) value paired within groups of (\d+)-(\d+) and the other rules, so that rule was relaxed\.$", note):
        return {"kind": "relaxed_pairing", "params": {"attribute": found.group(1), "low": int(found.group(2)),
                                                      "high": int(found.group(3))}}
    if found := re.match(r"^Group sizes vary between (\d+) and (\d+) to keep (\w+) values paired\.$", note):
        return {"kind": "sizes_vary", "params": {"attribute": found.group(3), "low": int(found.group(1)),
                                                 "high": int(found.group(2))}}
    if found := re.match(r"^Anchors were not paired with each other to keep (\w+) values together, so that every group can have one; (\d+) member\(s\) are the only one of their \w+ in their group\.$", note):
        return {"kind": "anchors_apart", "params": {"attribute": found.group(1), "alone": int(found.group(2))}}
    return {"kind": "text", "text": note}


_FIXED_DIAGNOSES = {
    "No mentor is eligible in this round.": "no_eligible_mentor",
    "No other member is eligible in this round.": "no_eligible_partner",
    "Too few members for a group.": "too_few",
}


def _diagnosis(entry):
    if "params" in entry or entry.get("text") not in _FIXED_DIAGNOSES:
        return entry  # the matcher's own sentences name people by their names then: kept as written
    return {"member_id": entry["member_id"], "kind": _FIXED_DIAGNOSES[entry["text"]], "params": {}}


# --- a group's facts, counted from its members ------------------------------------------------------


def _group_facts(connection):
    people = {row.id: row for row in connection.execute(sa.select(members))}
    skill_names = dict(connection.execute(sa.select(skills.c.id, skills.c.name)).all())
    levels: dict[int, list[tuple[int, int]]] = {}
    for member_id, skill_id, level in connection.execute(sa.select(member_skills)):
        levels.setdefault(member_id, []).append((level, skill_id))
    core: dict[int, set[int]] = {}
    for community_id, skill_id in connection.execute(sa.select(community_skills)):
        core.setdefault(community_id, set()).add(skill_id)
    round_community = dict(connection.execute(sa.select(rounds.c.id, rounds.c.community_id)).all())
    by_group: dict[int, list] = {}
    for place in connection.execute(sa.select(places).where(places.c.status != "declined")):
        by_group.setdefault(place.group_id, []).append(place)
    rows = connection.execute(sa.select(groups.c.id, groups.c.round_id, groups.c.diversity)).all()
    means = {}
    for group_id, _round_id, diversity in rows:
        size = len(by_group.get(group_id, []))
        means[group_id] = 2 * (diversity or 0.0) / (size * (size - 1)) if size > 1 else 0.0
    for group_id, round_id, _diversity in rows:
        mates = [people[p.member_id] for p in by_group.get(group_id, []) if p.member_id in people]
        peers = [means[g] for g, r, _ in rows if r == round_id]
        anchors = []
        for place in by_group.get(group_id, []):
            if place.role == "anchor" and place.member_id in people:
                wanted = core.get(round_community.get(round_id), set())
                held = [(level, skill) for level, skill in levels.get(place.member_id, [])
                        if not wanted or skill in wanted]
                if held:
                    level, skill = max(held)
                    anchors.append({"member_id": place.member_id, "name": people[place.member_id].display_name,
                                    "skill": skill_names.get(skill, ""), "level": level})
        facts = {
            "size": len(mates),
            "departments": _counted(m.department for m in mates),
            "functions": _counted(m.function for m in mates),
            "seniority": [{"band": BANDS.index(band) + 1, "count": count}
                          for band, count in Counter(m.seniority for m in mates if m.seniority in BANDS).most_common()],
            "anchors": anchors,
            "mean_pair_diversity": means[group_id],
            "round_average": sum(peers) / len(peers) if peers else 0.0,
        }
        connection.execute(sa.update(groups).where(groups.c.id == group_id).values(facts=facts))


def _counted(values) -> list[dict]:
    return [{"name": name, "count": count} for name, count in Counter(v.strip() for v in values if v and v.strip()).most_common()]
