"""Why a match or a working group was made, in the reader's language and from the reader's side.

The matcher stores each reason as data (a ``kind`` and its ``params``:
skills, levels, departments, zones) with the side whose point of view it
takes. Here those become words at read time, in the language of the page
or message being written: the learner reads "Teaches SQL: level 4; you are
at 1, aiming for 3", the mentor "Somchai wants to grow in SQL from level 1
to level 3; you are at 4", and HR, who is neither, reads the same fact in
the third person with both names. Switching the language re-renders old
matches too: nothing here is stored.

Names of people and skills are data: they are set apart from the words
around them (``<strong>`` in pages, “quotes” in plain-text email), so a Thai
name never runs into a Thai skill name.
"""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import gettext as _
from markupsafe import Markup, escape

from models import Match
from models.member import FORMER_MEMBER
from webapp.services.labels import seniority_label


def ngettext(singular: str, plural: str, n: int) -> str:
    """The translated singular or plural, not yet filled in (``Words.sentence`` fills and escapes it)."""
    return get_translations().ungettext(singular, plural, n)


#: Reason kinds whose words only make sense to one side of a match.
ONE_SIDED = frozenset({"goal", "you_teach", "they_teach"})


class Words:
    """How values are set apart: bold in HTML, curly quotes in plain text."""

    def __init__(self, html: bool = True):
        self.html = html

    def value(self, text) -> Markup | str:
        """A name, skill, department or other piece of data inside a sentence."""
        if self.html:
            return Markup("<strong>%s</strong>") % text
        return f"“{text}”"

    def plain(self, text) -> Markup | str:
        """Data shown as it is (numbers, zones), escaped in HTML."""
        return escape(text) if self.html else str(text)

    def sentence(self, translated: str, **values) -> Markup | str:
        """``translated`` (already through gettext) with ``values`` put in, escaped as needed."""
        if self.html:
            return Markup(escape(translated)) % values
        return translated % values

    def join(self, items: list) -> Markup | str:
        """``A``, ``A and B``, ``A, B and C`` in the current language."""
        items = list(items)
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        comma = _(", ")
        head = (Markup(comma).join(items[:-1]) if self.html else comma.join(items[:-1]))
        return self.sentence(_("%(first)s and %(last)s"), first=head, last=items[-1])


# --- one match, for one reader ------------------------------------------------------------------


def reason_lines(match: Match, viewer_id: int | None, *, html: bool = True) -> list:
    """The reasons for ``match`` as the member ``viewer_id`` reads them (HR with ``None``)."""
    words = Words(html)
    side = match.side_of(viewer_id) if viewer_id is not None else None
    reader = _Reader(match, side, words)
    lines = reader.focus_lines() if reader.is_mentor else []
    for reason in match.reasons:
        if reason.get("rule") or not reader.sees(reason):
            continue
        line = reader.line(reason)
        if line:
            lines.append(line)
    return lines


def first_step(match: Match, *, html: bool = True) -> Markup | str:
    """A concrete first step for a confirmed pair, starting from the goals that brought them together."""
    words = Words(html)
    goals = [words.sentence(_("%(skill)s level %(level)s → %(target)d"), skill=words.value(item["skill"]),
                            level=item["level"] or _("new"), target=item["target"])
             for item in match.focus[:2]]
    if not goals:
        return _("agree a first 30-minute session this week and share what each of you wants to learn.")
    return words.sentence(_("agree a first 30-minute session this week; start from the goal: %(goals)s."),
                          goals=words.join(goals))


class _Reader:
    """One reader of one match: which side they are on and how they name the people in it."""

    def __init__(self, match: Match, side: str | None, words: Words):
        self.match, self.side, self.words = match, side, words
        self.mentoring = match.first_role == "learner"
        self.is_mentor = self.mentoring and side == "second"

    def sees(self, reason: dict) -> bool:
        """A reason written for one side is for that side only; HR reads the first side's."""
        return reason.get("side", "both") in (self.side or "first", "both")

    def name(self, which: str) -> Markup | str:
        member = self.match.first if which == "first" else self.match.second
        return self.words.value(member.display_name)

    def partner(self) -> Markup | str:
        return self.name("second" if self.side == "first" else "first")

    def line(self, reason: dict):
        params = reason.get("params")
        if not params and reason.get("text"):  # a reason stored before reasons became data
            return self.words.plain(reason["text"])
        render = _RENDERERS.get(reason["kind"])
        return render(self, params or {}, reason) if render else None

    # -- mentoring ---------------------------------------------------------------------------

    def focus_lines(self) -> list:
        """What the learner wants to grow in, told to the mentor."""
        w, learner = self.words, self.name("first")
        lines = []
        for item in self.match.focus:
            if item.get("learner") != "first":
                continue
            values = dict(learner=learner, skill=w.value(item["skill"]), level=item["level"], target=item["target"],
                          teacher_level=item["teacher_level"])
            if item["level"]:
                text = _("%(learner)s wants to grow in %(skill)s from level %(level)d to level %(target)d; "
                         "you are at %(teacher_level)d")
            else:
                text = _("%(learner)s wants to learn %(skill)s from scratch up to level %(target)d; "
                         "you are at %(teacher_level)d")
            lines.append(w.sentence(text, **values))
        return lines

    def goal(self, p: dict, _reason):
        w = self.words
        values = dict(skill=w.value(p["skill"]), mentor_level=p["mentor_level"], learner_level=p["learner_level"],
                      target=p["target"], mentor=self.name("second"), learner=self.name("first"))
        if self.side is None:  # HR
            texts = {
                "teaches": _("%(mentor)s teaches %(skill)s: level %(mentor_level)d; %(learner)s is at "
                             "%(learner_level)d, aiming for %(target)d"),
                "a_little_beyond": _("%(mentor)s knows %(skill)s a little beyond %(learner)s: level "
                                     "%(mentor_level)d; %(learner)s is at %(learner_level)d, aiming for %(target)d"),
                "not_ahead": _("%(mentor)s is not ahead of %(learner)s in %(skill)s: level %(mentor_level)d; "
                               "%(learner)s is at %(learner_level)d, aiming for %(target)d"),
                "does_not_list": _("%(mentor)s does not list %(skill)s (%(learner)s is at %(learner_level)d, "
                                   "aiming for %(target)d)"),
            }
        else:
            texts = {
                "teaches": _("Teaches %(skill)s: level %(mentor_level)d; you are at %(learner_level)d, "
                             "aiming for %(target)d"),
                "a_little_beyond": _("Knows %(skill)s a little beyond you: level %(mentor_level)d; you are at "
                                     "%(learner_level)d, aiming for %(target)d"),
                "not_ahead": _("Not ahead of you in %(skill)s: level %(mentor_level)d; you are at "
                               "%(learner_level)d, aiming for %(target)d"),
                "does_not_list": _("Does not list %(skill)s (you are at %(learner_level)d, aiming for %(target)d)"),
            }
        return w.sentence(texts[p["verdict"]], **values)

    def seniority(self, p: dict, _reason):
        w = self.words
        values = dict(mentor_band=w.value(seniority_label(p["mentor_band"])),
                      learner_band=w.value(seniority_label(p["learner_band"])), gap=p["gap"])
        if p["gap"] == 0:
            return w.sentence(_("Same seniority band: %(mentor_band)s"), **values)
        if p["gap"] > 0:
            text = ngettext("Mentor %(num)d band up: %(mentor_band)s mentoring %(learner_band)s",
                            "Mentor %(num)d bands up: %(mentor_band)s mentoring %(learner_band)s", p["gap"])
            return w.sentence(text, num=p["gap"], **values)
        return w.sentence(_("Mentor in a lower band: %(mentor_band)s mentoring %(learner_band)s"), **values)

    def time_zone(self, p: dict, _reason):
        w = self.words
        if "hours_apart" in p:  # peers
            if self.side is None:
                return w.sentence(_("Time zones %(hours)s hours apart"), hours=w.plain(f"{p['hours_apart']:g}"))
            return w.sentence(_("Your time zones are %(hours)s hours apart"), hours=w.plain(f"{p['hours_apart']:g}"))
        if p.get("same_zone"):
            return w.sentence(_("Same time zone (%(zone)s)"), zone=w.plain(p["learner_zone"]))
        return w.sentence(_("Working hours overlap about %(hours)d of 8 hours (%(first)s ↔ %(second)s)"),
                          hours=p["overlap_hours"], first=w.plain(p["learner_zone"]), second=w.plain(p["mentor_zone"]))

    # -- peers ---------------------------------------------------------------------------------

    def _lifts(self, skills: list[dict], learner_is_reader: bool):
        w = self.words
        text = _("%(skill)s (%(teacher_level)d → your %(learner_level)d)") if learner_is_reader else \
            _("%(skill)s (%(teacher_level)d → their %(learner_level)d)")
        return w.join([w.sentence(text, skill=w.value(item["skill"]), teacher_level=item["teacher_level"],
                                  learner_level=item["learner_level"]) for item in skills])

    def teaching(self, p: dict, reason: dict):
        """``you_teach`` / ``they_teach``: who teaches whom in a peer swap, told to the reason's side."""
        w = self.words
        told_to = reason.get("side", "first")
        other = "second" if told_to == "first" else "first"
        teacher, learner = (told_to, other) if reason["kind"] == "you_teach" else (other, told_to)
        skills = p.get("skills", [])
        if self.side is None:  # HR: both names
            if not skills:
                return w.sentence(_("%(teacher)s covers none of %(learner)s's goals: a one-sided swap"),
                                  teacher=self.name(teacher), learner=self.name(learner))
            return w.sentence(_("%(teacher)s teaches %(learner)s %(skills)s"), teacher=self.name(teacher),
                              learner=self.name(learner), skills=self._lifts(skills, False))
        partner = self.partner()
        if reason["kind"] == "you_teach":
            if not skills:
                return w.sentence(_("You cover none of %(partner)s's goals: a one-sided swap"), partner=partner)
            return w.sentence(_("You teach %(partner)s %(skills)s"), partner=partner, skills=self._lifts(skills, False))
        if not skills:
            return w.sentence(_("%(partner)s covers none of your goals: a one-sided swap"), partner=partner)
        return w.sentence(_("%(partner)s teaches you %(skills)s"), partner=partner, skills=self._lifts(skills, True))

    def repeat(self, p: dict, _reason):
        n = p["rounds_ago"]
        if self.side is None:
            return self.words.sentence(ngettext("Paired %(num)d round ago", "Paired %(num)d rounds ago", n), num=n)
        return self.words.sentence(ngettext("You were paired %(num)d round ago", "You were paired %(num)d rounds ago",
                                            n), num=n)

    # -- both kinds ----------------------------------------------------------------------------

    def preferred(self, p: dict, _reason):
        """A member asked for this partner: "You asked for …" to them, "… asked for you" to the other."""
        by = p.get("by", [])
        if self.side is None:
            return self.words.join([self.words.sentence(_("%(member)s asked for %(partner)s"), member=self.name(side),
                                                        partner=self.name("second" if side == "first" else "first"))
                                    for side in by])
        if self.side in by:
            return self.words.sentence(_("You asked for %(partner)s"), partner=self.partner())
        return self.words.sentence(_("%(partner)s asked to be matched with you"), partner=self.partner())

    def community(self, p: dict, _reason):
        w = self.words
        names = w.join([w.value(name) for name in p["communities"]])
        text = ngettext("Both in the %(names)s community", "Both in the %(names)s communities", len(p["communities"]))
        return w.sentence(text, names=names, num=len(p["communities"]))

    def cross_department(self, p: dict, _reason):
        w = self.words
        first, second = p["departments"] if "departments" in p else (p["learner_department"], p["mentor_department"])
        return w.sentence(_("Different departments: %(first)s and %(second)s"), first=w.value(first),
                          second=w.value(second))

    def same_department(self, p: dict, _reason):
        return self.words.sentence(_("Same department (%(department)s): not a cross-department pair"),
                                   department=self.words.value(p["department"]))

    def language(self, p: dict, _reason):
        w = self.words
        return w.sentence(_("Both speak %(languages)s"), languages=w.join([w.value(x) for x in p["languages"]]))


_RENDERERS = {
    "goal": _Reader.goal,
    "seniority": _Reader.seniority,
    "time_zone": _Reader.time_zone,
    "you_teach": _Reader.teaching,
    "they_teach": _Reader.teaching,
    "repeat": _Reader.repeat,
    "community": _Reader.community,
    "cross_department": _Reader.cross_department,
    "same_department": _Reader.same_department,
    "language": _Reader.language,
    "preferred": _Reader.preferred,
}


# --- a working group ----------------------------------------------------------------------------


def group_summary(group, *, html: bool = True, for_hr: bool = False) -> list:
    """Who is in a working group and why, in member terms: departments, functions, seniority, the anchor.

    Members never read diversity figures; HR (``for_hr``) also gets the
    group's mean pair diversity against the round's average.
    """
    words = Words(html)
    facts = getattr(group, "facts", None)
    if not facts:  # stored before groups carried their facts
        return [words.plain(group.explanation)] if group.explanation else []
    if not facts.get("size"):
        return [_("Everyone invited to this group declined.")]
    lines = []
    departments = facts.get("departments", [])
    if departments:
        names = words.join([_counted(words, item) for item in departments])
        lines.append(words.sentence(ngettext("%(num)d department: %(names)s", "%(num)d departments: %(names)s",
                                             len(departments)), num=len(departments), names=names))
    functions = facts.get("functions", [])
    if functions:
        names = words.join([_counted(words, item) for item in functions])
        lines.append(words.sentence(ngettext("%(num)d function: %(names)s", "%(num)d functions: %(names)s",
                                             len(functions)), num=len(functions), names=names))
    bands = facts.get("seniority", [])
    if bands:
        mix = words.join([words.sentence(_("%(band)s (%(count)d)"), band=words.value(seniority_label(b["band"])),
                                         count=b["count"]) for b in bands])
        lines.append(words.sentence(_("Seniority: %(mix)s"), mix=mix))
    for anchor in facts.get("anchors", []):
        lines.append(words.sentence(_("Anchored by %(name)s, level %(level)d in %(skill)s"),
                                    name=words.value(anchor["name"] or str(FORMER_MEMBER)), level=anchor["level"],
                                    skill=words.value(anchor["skill"])))
    if not facts.get("anchors"):
        lines.append(_("No anchor: nobody in this group is at the anchor level in a core skill."))
    if for_hr and facts.get("mean_pair_diversity") is not None:
        lines.append(_group_diversity(words, facts))
    return lines


def _counted(words: Words, item: dict):
    if item["count"] == 1:
        return words.value(item["name"])
    return words.sentence(_("%(name)s (%(count)d)"), name=words.value(item["name"]), count=item["count"])


def _group_diversity(words: Words, facts: dict):
    mine, average = facts["mean_pair_diversity"], facts["round_average"]
    values = dict(mine=f"{mine:.2f}", average=f"{average:.2f}")
    if not average or abs(mine - average) <= 1e-9 * max(1.0, abs(average)):
        return words.sentence(_("Mean pair diversity %(mine)s, the same as the round average."), **values)
    percent = round(100 * abs(mine - average) / abs(average))
    if mine > average:
        text = _("Mean pair diversity %(mine)s, %(percent)d%% above the round average of %(average)s.")
    else:
        text = _("Mean pair diversity %(mine)s, %(percent)d%% below the round average of %(average)s.")
    return words.sentence(text, percent=percent, **values)


def group_purpose(group) -> str:
    """What a working group is for: the round's purpose, its community's, or what every group is for."""
    round_ = group.round
    purpose = getattr(group, "purpose", None) or getattr(round_, "purpose", None)
    if purpose:
        return purpose
    if round_.community is not None:
        return round_.community.description or _("Work on the core skills of %(community)s together.",
                                                 community=round_.community.name)
    return _("Cross-department group · everyone: colleagues from different parts of the organisation "
             "take on a shared work problem together.")

