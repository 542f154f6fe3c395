"""Moderation: hide (coordinators and HR) and report (members) a question, answer or note; the
reports a coordinator handles; HR names a community's coordinators.

Content outside the member's communities, or hidden from them, is a 404; hiding is a 404 for
anyone who does not coordinate the content's community (HR may everywhere).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Community, CommunityMembership, Member, db
from webapp.forms import ButtonForm
from webapp.moderation import bp
from webapp.moderation.forms import CoordinatorForm, HideForm, ReportForm
from webapp.security import hr_required, member_key, rate_limit
from webapp.services import moderation as service
from webapp.services.questions import is_member

KINDS = "any(question, answer, note)"


def _back(kind: str, item):
    if kind == "note":
        return redirect(url_for("practice.show", note_id=item.id))
    question_id = item.question_id if kind == "answer" else item.id
    return redirect(url_for("questions.show", question_id=question_id))


@bp.app_context_processor
def helpers():
    def may_moderate(community_id: int) -> bool:
        return current_user.is_authenticated and service.may_moderate(current_user, community_id)
    return {"may_moderate": may_moderate, "hide_form": lambda: HideForm(formdata=None),
            "report_form": lambda: ReportForm(formdata=None)}


@bp.route(f"/moderation/<{KINDS}:kind>/<int:content_id>/hide", methods=["POST"])
@login_required
def hide(kind: str, content_id: int):
    """A coordinator of the content's community, or HR, hides it with a reason."""
    item = service.load(kind, content_id)
    if item is None or not service.may_moderate(current_user, service.community_of(kind, item)):
        abort(404)
    form = HideForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return _back(kind, item)
    service.hide(current_user, kind, item, form.reason.data)
    db.session.commit()
    flash(_("Hidden. Members no longer see it; HR still does."), "success")
    if not current_user.is_hr and kind != "answer":
        return redirect(url_for("moderation.reports", community_id=service.community_of(kind, item)))
    return _back(kind, item)


@bp.route(f"/moderation/<{KINDS}:kind>/<int:content_id>/report", methods=["POST"])
@login_required
@rate_limit("RATELIMIT_POSTING", key=member_key)
def report(kind: str, content_id: int):
    """A member of the community reports content to its coordinators."""
    item = service.load(kind, content_id)
    if item is None or item.hidden or not is_member(current_user, service.community_of(kind, item)):
        abort(404)
    form = ReportForm()
    if not form.validate_on_submit():
        abort(400)
    service.report(current_user, kind, item, form.reason.data)
    db.session.commit()
    flash(_("Thank you: the community's coordinators will look at it."), "success")
    return _back(kind, item)


@bp.route("/communities/<int:community_id>/reports")
@login_required
def reports(community_id: int):
    """The open reports of a community, for its coordinators and HR."""
    community = db.session.get(Community, community_id)
    if community is None or not service.may_moderate(current_user, community.id):
        abort(404)
    items = [(r, service.load(r.kind, r.content_id)) for r in service.open_reports(community.id)]
    return render_template("moderation/reports.html", community=community,
                           items=[(r, item) for r, item in items if item is not None], title_of=service.title_of)


@bp.route("/hr/communities/<int:community_id>/coordinators", methods=["GET", "POST"])
@hr_required
def coordinators(community_id: int):
    """HR names (and removes) a community's coordinators."""
    community = db.get_or_404(Community, community_id)
    form = CoordinatorForm()
    if form.validate_on_submit():
        member = db.session.get(Member, form.member_id.data)
        try:
            if member is None:
                raise service.ModerationError(_("A coordinator must be a member of the community."))
            service.name_coordinator(current_user, community.id, member)
        except service.ModerationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("%(name)s now coordinates %(community)s.", name=member.display_name, community=community.name),
                  "success")
        return redirect(url_for("moderation.coordinators", community_id=community.id))
    members = db.session.scalars(db.select(Member).join(CommunityMembership).where(
        CommunityMembership.community_id == community.id, Member.erased_at.is_(None)).order_by(Member.id)).all()
    return render_template("moderation/coordinators.html", community=community, members=members,
                           coordinators=service.coordinators(community.id), form=CoordinatorForm(formdata=None))


@bp.route("/hr/communities/<int:community_id>/coordinators/<int:member_id>/remove", methods=["POST"])
@hr_required
def remove_coordinator(community_id: int, member_id: int):
    community = db.get_or_404(Community, community_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    service.remove_coordinator(current_user, community.id, member_id)
    db.session.commit()
    flash(_("Coordinator removed."), "info")
    return redirect(url_for("moderation.coordinators", community_id=community.id))
