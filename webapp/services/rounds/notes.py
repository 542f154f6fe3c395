"""What happened to a round and why members were left out: stored as data, read out in words.

A round keeps its notes (``Round.notes``) and the diagnosis of each
unmatched member (``Round.unmatched``) as a kind and its parameters, never as
sentences, so HR reads them in their own language and with today's names:
"HR moved Somchai from group 1 to group 28", not "member 286".
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from models import Member, Round, db
from models.member import FORMER_MEMBER
from webapp.i18n import format_day, format_number
from webapp.services.rounds.eligibility import exclusion_label


def note(kind: str, **params) -> dict:
    """One note for ``Round.notes``: what happened, with its facts."""
    return {"kind": kind, "params": params}


def note_lines(round_: Round) -> list[str]:
    """The round's notes in the reader's language."""
    names = member_names(n.get("params", {}).get(key) for n in round_.notes if isinstance(n, dict)
                         for key in ("member_id", "other_id"))
    return [_note_text(round_, entry, names) for entry in round_.notes]


def member_names(member_ids) -> dict[int, str]:
    """``{id: display name}`` for these members, in one query."""
    ids = {member_id for member_id in member_ids if member_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Member.id, Member.display_name, Member.erased_at).where(Member.id.in_(ids)))
    return {member_id: str(FORMER_MEMBER) if erased_at else name for member_id, name, erased_at in rows}


def _note_text(round_: Round, entry, names: dict[int, str]) -> str:
    if isinstance(entry, str):  # a note stored before notes became data
        return entry
    kind, p = entry["kind"], entry.get("params", {})
    if kind == "not_eligible":
        return _("Not eligible: %(reason)s (%(count)s)", reason=exclusion_label(p["reason"], round_.kind),
                 count=format_number(p["count"]))
    if kind == "preferences":
        return _("Preferences: %(honoured)s of %(asked)s honoured; not honoured because the preferred member was not "
                 "eligible: %(not_eligible)s, a hard rule kept them apart: %(ruled_out)s, a better overall matching "
                 "outweighed the bonus: %(outweighed)s.",
                 **{key: format_number(p.get(key, 0)) for key in
                    ("honoured", "asked", "not_eligible", "ruled_out", "outweighed")})
    if kind == "no_learners_or_mentors":
        return _("No learners or no mentors are eligible in this scope.")
    if kind == "too_few_peers":
        return _("Fewer than two members are eligible for peer swaps.")
    if kind == "too_few_for_groups":
        return ngettext("Only %(num)d member is eligible; a group needs %(group_min)d.",
                        "Only %(num)d members are eligible; a group needs %(group_min)d.",
                        p["eligible"], group_min=p["group_min"])
    if kind == "repaired":
        return ngettext("Repaired on %(day)s at %(time)s UTC: %(num)d member offered a new match, %(left)d could not be.",
                        "Repaired on %(day)s at %(time)s UTC: %(num)d members offered a new match, %(left)d could not be.",
                        p["rematched"], day=format_day(_parse_day(p["at"])), time=p["at"][11:16], left=p["left_over"])
    if kind == "moved":
        return _("HR moved %(name)s from group %(source)d to group %(target)d.",
                 name=names.get(p["member_id"], _("a former member")), source=p["from"], target=p["to"])
    if kind == "swapped":
        return _("HR swapped %(name)s (group %(source)d) and %(other)s (group %(target)d).",
                 name=names.get(p["member_id"], _("a former member")), other=names.get(p["other_id"], _("a former member")),
                 source=p["from"], target=p["to"])
    if kind == "moves_kept":
        return ngettext("HR kept the moves for the next solve: %(num)d pin added.",
                        "HR kept the moves for the next solve: %(num)d pins added.", p["count"])
    if kind == "relaxed_pairing":
        return _("Could not keep every %(attribute)s value paired within groups of %(low)d–%(high)d and the other "
                 "rules, so that rule was relaxed.", attribute=_attribute(p["attribute"]), low=p["low"],
                 high=p["high"])
    if kind == "sizes_vary":
        return _("Group sizes vary between %(low)d and %(high)d to keep %(attribute)s values paired.",
                 attribute=_attribute(p["attribute"]), low=p["low"], high=p["high"])
    if kind == "anchors_apart":
        return ngettext("Anchors were not paired with each other so that every group can have one; %(num)d member "
                        "is the only one of their %(attribute)s in their group.",
                        "Anchors were not paired with each other so that every group can have one; %(num)d members "
                        "are the only one of their %(attribute)s in their group.",
                        p["alone"], attribute=_attribute(p["attribute"]))
    return entry.get("text") or kind


def _attribute(name: str) -> str:
    return {"seniority": _("seniority"), "department": _("department"), "function": _("function")}.get(name, name)


def _parse_day(moment: str):
    from datetime import datetime

    return datetime.fromisoformat(moment)


# --- why members were left out ----------------------------------------------------------------


def unmatched_entry(member_id: int, kind: str, **params) -> dict:
    """One entry of ``Round.unmatched``: who, and the kind of reason with its facts."""
    return {"member_id": member_id, "kind": kind, "params": params}


def diagnosis_text(entry: dict, names: dict[int, str]) -> str:
    """Why one member was left unmatched, for HR; ``names`` holds the members it mentions."""
    kind, p = entry.get("kind", ""), entry.get("params")
    if p is None:  # stored before diagnoses became data
        return entry.get("text", "")

    def name(member_id) -> str:
        return names.get(member_id, _("a former member"))

    if kind == "no_eligible_mentor" and "rule_counts" in p:
        parts = [ngettext("%(rule)s (%(num)d mentor)", "%(rule)s (%(num)d mentors)", count, rule=rule_label(rule, p))
                 for rule, count in p["rule_counts"].items()]
        if p.get("no_seats"):
            parts.append(ngettext("No seats this round (%(num)d mentor)", "No seats this round (%(num)d mentors)",
                                  p["no_seats"]))
        return _("No eligible mentor: %(parts)s", parts=_("; ").join(parts))
    if kind == "no_eligible_mentor":
        return _("No mentor is eligible in this round.")
    if kind == "seats_taken":
        return _("Best eligible mentor %(mentor)s (%(score)s) is full; the seat went to %(other)s (%(other_score)s)",
                 mentor=name(p["mentor_id"]), score=format_number(p["mentor_score"], 2), other=name(p["taken_by_id"]),
                 other_score=format_number(p["taken_by_score"], 2))
    if kind == "not_worth_it" and "mentor_id" in p:
        return _("%(mentor)s had a free seat, but the pair scored only %(score)s", mentor=name(p["mentor_id"]),
                 score=format_number(p["score"], 2))
    if kind == "not_worth_it":
        return _("%(partner)s was free too, but the pair scored only %(score)s", partner=name(p["partner_id"]),
                 score=format_number(p["score"], 2))
    if kind == "no_eligible_partner" and "rule_counts" in p:
        parts = [ngettext("%(rule)s (%(num)d member)", "%(rule)s (%(num)d members)", count, rule=rule_label(rule, p))
                 for rule, count in p["rule_counts"].items()]
        return _("No eligible partner: %(parts)s", parts=_("; ").join(parts) or _("nobody else in the round"))
    if kind == "no_eligible_partner":
        return _("No other member is eligible in this round.")
    if kind == "partners_taken":
        values = dict(best=name(p["best_id"]), score=format_number(p["best_score"], 2),
                      other=name(p["paired_with_id"]))
        if p["eligible"] == 1:
            return _("The only eligible partner, %(best)s (%(score)s), was paired with %(other)s", **values)
        return _("All %(num)d eligible partners were paired with others; the best, %(best)s (%(score)s), "
                 "went to %(other)s", num=p["eligible"], **values)
    if kind == "too_few":
        return _("Too few members for a group.")
    if kind == "no_group_with_room":
        return _("No group they have not been in has room (groups hold at most %(num)d) without a pair that is "
                 "ruled out.", num=p.get("group_max", 0))
    return entry.get("text") or kind


def diagnosis_members(entries) -> set[int]:
    """Every member a list of diagnoses mentions, so their names load in one query."""
    ids = set()
    for entry in entries:
        ids.add(entry.get("member_id"))
        for key in ("mentor_id", "taken_by_id", "partner_id", "best_id", "paired_with_id"):
            ids.add((entry.get("params") or {}).get(key))
    ids.discard(None)
    return ids


def rule_label(rule: str, params: dict | None = None) -> str:
    """A hard rule of the matcher, in words."""
    params = params or {}
    words = {
        "same_person": _("The same person"),
        "reporting_line": _("In the same reporting line"),
        "no_shared_language": _("No language in common"),
        "declined": _("One of them declined the other before"),
        "low_rated": _("Their earlier match was rated low"),
        "forbidden": _("HR ruled this pair out"),
    }
    if rule == "cooldown":
        cooldown = params.get("cooldown_rounds", 0)
        return ngettext("Matched together in the last %(num)d round",
                        "Matched together within the last %(num)d rounds", cooldown)
    return words.get(rule, rule)
