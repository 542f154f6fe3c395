"""The working-group page: its members and anchor, its purpose, its meetings and shared notes.

Members whose place is accepted and HR open it; anyone else gets a 404.
HR may give one group a purpose of its own.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import db
from webapp.relationships import bp
from webapp.relationships.forms import PurposeForm
from webapp.relationships.meeting_views import meeting_context
from webapp.security import hr_required
from webapp.services.after_match.access import group_people, own_group
from webapp.services.reasons import group_purpose, group_summary
from webapp.services.rounds.dates import set_group_purpose
from webapp.services.rounds.guards import RoundError


def load_group(group_id: int):
    """The working group if the viewer accepted a place in it (or is HR), else a 404 page."""
    group = own_group(group_id, current_user)
    if group is None:
        abort(404)
    return group


@bp.route("/groups/<int:group_id>")
@login_required
def group(group_id: int):
    """One working group: who is in it, what it is for, its meetings and shared notes."""
    return _page(load_group(group_id))


def _page(group, status: int = 200, purpose_form=None, **forms):
    context = dict(group=group, round=group.round, people=group_people(group), purpose=group_purpose(group),
                   summary=group_summary(group), purpose_form=purpose_form or PurposeForm(
                       formdata=None, purpose=group.purpose or ""),
                   **meeting_context(group, current_user, **forms))
    return render_template("relationships/group.html", **context), status


@bp.route("/groups/<int:group_id>/purpose", methods=["POST"])
@hr_required
def group_purpose_edit(group_id: int):
    """HR gives this group a purpose of its own (empty: the round's)."""
    group = load_group(group_id)
    form = PurposeForm()
    if form.validate_on_submit():
        try:
            set_group_purpose(group, form.purpose.data)
        except RoundError as error:
            db.session.rollback()
            form.purpose.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved the group's purpose."), "success")
            return redirect(url_for("relationships.group", group_id=group.id))
    return _page(group, status=422, purpose_form=form)
