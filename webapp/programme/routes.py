"""HR's view of the programme after the match: what needs attention, and each mentor's record."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import AttentionFlag, db
from webapp.forms import ButtonForm
from webapp.programme import bp
from webapp.security import hr_required
from webapp.services.after_match import attention
from webapp.services.after_match.records import mentor_records


@bp.route("/attention")
@hr_required
def attention_list():
    """Matches that need attention, with the reasons, and matches ended early with theirs."""
    return render_template("programme/attention.html", rows=attention.open_flags(),
                           ended=attention.ended_early(), button=ButtonForm())


@bp.route("/attention/<int:flag_id>/handled", methods=["POST"])
@hr_required
def handled(flag_id: int):
    """HR has dealt with a flag; it leaves the list."""
    flag = db.session.get(AttentionFlag, flag_id)
    if flag is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        attention.mark_handled(flag, current_user)
        db.session.commit()
        flash(_("Marked as handled."), "success")
    return redirect(url_for("programme.attention_list"))


@bp.route("/mentors")
@hr_required
def mentors():
    """Each mentor's record: matches, met, average rating, and their learners' growth."""
    q = " ".join(request.args.get("q", "").split())[:100]
    page = mentor_records(q, request.args.get("page", 1, type=int), current_app.config.get("MEMBERS_PER_PAGE", 25))
    return render_template("programme/mentors.html", page=page, q=q)
