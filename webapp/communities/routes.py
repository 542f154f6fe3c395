"""Communities of Practice: the list, a community's page, join and leave."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Community, db
from webapp.communities import bp
from webapp.communities.forms import MemberSearchForm
from webapp.forms import ButtonForm
from webapp.services import communities as service
from webapp.services.feedback import practice_notes
from webapp.services.members import search_members
from webapp.services.paging import page_number, paginate

MEMBERS_PER_PAGE = 25
#: How many experts the community page lists before "Show all".
EXPERTS_SHOWN = 8


def visible_community(community_id: int) -> Community:
    """The community, or a 404 page when there is none or HR archived it (members no longer see it)."""
    community = db.get_or_404(Community, community_id)
    if community.archived:
        abort(404)
    return community


@bp.route("/communities")
@login_required
def index():
    """Every Community of Practice, with supply and demand for each core skill."""
    return render_template("communities/index.html", summaries=service.overview())


@bp.route("/communities/<int:id>")
@login_required
def show(id: int):
    """A community's purpose, core skills, experts, body of practice and searchable members."""
    community = visible_community(id)
    form = MemberSearchForm(request.args)
    if not form.validate():
        form = MemberSearchForm(formdata=None)
    page = paginate(
        search_members(form.q.data or "", community_id=community.id),
        page_number(request.args.get("page")),
        current_app.config.get("COMMUNITY_MEMBERS_PER_PAGE", MEMBERS_PER_PAGE),
    )
    return render_template(
        "communities/show.html",
        community=community,
        form=form,
        page=page,
        skills=service.skills_of(page.items),
        experts=service.experts(community),
        experts_shown=EXPERTS_SHOWN,
        notes=practice_notes(community, limit=10),
        belongs=service.is_member(current_user, community),
        button=ButtonForm(),
        link_profiles="profile.public" in current_app.view_functions,
    )


@bp.route("/communities/<int:id>/join", methods=["POST"])
@login_required
def join(id: int):
    """Join the community (a button POST)."""
    community = visible_community(id)
    if ButtonForm().validate_on_submit():
        if service.join(current_user, community):
            db.session.commit()
            flash(_("Welcome to “%(name)s”.", name=community.name), "success")
        else:
            flash(_("You are already a member of “%(name)s”.", name=community.name), "info")
    return redirect(url_for("communities.show", id=community.id))


@bp.route("/communities/<int:id>/leave", methods=["POST"])
@login_required
def leave(id: int):
    """Leave the community (a button POST)."""
    community = visible_community(id)
    if ButtonForm().validate_on_submit():
        if service.leave(current_user, community):
            db.session.commit()
            flash(_("You have left “%(name)s”.", name=community.name), "info")
        else:
            flash(_("You are not a member of “%(name)s”.", name=community.name), "info")
    return redirect(url_for("communities.show", id=community.id))
