"""A round's stored figures in words, the same on the review page and in the CLI.

The words and numbers are written in the reader's language when they are asked for.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from models import GroupMember, Match, Round, WorkingGroup, db
from webapp.i18n import format_number


def result_count(round_: Round) -> int:
    """How many matches (or working groups) the round holds, counted in the database."""
    model = WorkingGroup if round_.kind == "groups" else Match
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.round_id == round_.id))


def invitation_count(round_: Round) -> int:
    """How many invitations publishing would send: one to each side of a match, one per group place."""
    if round_.kind == "groups":
        return db.session.scalar(sa.select(sa.func.count()).select_from(GroupMember).join(WorkingGroup)
                                 .where(WorkingGroup.round_id == round_.id))
    return 2 * result_count(round_)


def headline_figures(round_: Round) -> list[tuple[str, str]]:
    """The round's stored figures as (label, value) pairs."""
    if round_.eligible is None:
        return [(_("Status"), _("%(status)s: not solved yet", status=round_.status.title))]
    matched = round_.matched or 0
    figures = [(_("Eligible members"), format_number(round_.eligible))]
    if round_.kind == "groups":
        figures.append((_("Groups"), ngettext("%(groups)s with %(count)s member", "%(groups)s with %(count)s members",
                                              matched, groups=format_number(result_count(round_)),
                                              count=format_number(matched))))
        figures.append((_("Total diversity"), format_number(round_.total or 0, 2)))
    else:
        figures.append((_("Matched"), _matched_words(round_.kind, matched, round_.max_coverage or 0)))
        figures.append((_("Total score"), format_number(round_.total or 0, 2)))
        if round_.upper_bound is not None:
            figures.append((_("Certified upper bound"), _("%(bound)s (gap %(gap)s%%)",
                                                          bound=format_number(round_.upper_bound, 2),
                                                          gap=format_number(100 * (round_.gap or 0), 3))))
    figures.append((_("Unmatched"), format_number(len(round_.unmatched))))
    figures.append((_("Solve time"), _("%(seconds)s s", seconds=format_number(round_.seconds, 2))))
    return figures


def _matched_words(kind: str, matched: int, most: int) -> str:
    """Words like "2 of 2 learners who could be (100% of the maximum possible)"."""
    numbers = {"matched": format_number(matched), "count": format_number(most)}
    if kind == "mentoring":
        words = ngettext("%(matched)s of %(count)s learner who could be",
                         "%(matched)s of %(count)s learners who could be", most, **numbers)
    else:
        words = ngettext("%(matched)s of %(count)s member who could be",
                         "%(matched)s of %(count)s members who could be", most, **numbers)
    if not most:
        return words
    return _("%(figure)s (%(share)s%% of the maximum possible)", figure=words,
             share=format_number(100 * matched / most))
