"""Find a mentor between rounds: suggestions, requests, the mentor's answer, and HR's switch.

Each member view loads only the member's own request (as its learner or its mentor), so
another member's request id is a 404. Views parse, call a service, commit, deliver, redirect.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from models import Community, Member, Skill, db
from webapp.forms import ButtonForm
from webapp.mentors import bp
from webapp.mentors.forms import (
    DeclineForm,
    MentorFilterForm,
    RequestForm,
    SelfServiceForm,
)
from webapp.security import hr_required, member_key, rate_limit
from webapp.services import mentors as service
from webapp.services import preferences
from webapp.services.messages import deliver_after_commit

#: What a member reads for each state of a request.
STATUS_WORDS = {"pending": _l("waiting for an answer"), "accepted": _l("accepted"),
                "declined": _l("declined"), "withdrawn": _l("withdrawn")}


@bp.context_processor
def helpers():
    return {"request_status": STATUS_WORDS}


def load_own(found):
    """The member's own request, or a 404 (another member's id finds nothing)."""
    if found is None:
        abort(404)
    return found


@bp.route("/mentors")
@login_required
def index():
    """Mentors suggested for my learning goals, with reasons and filters; my requests both ways."""
    communities = service.self_service_communities(current_user)
    skills = db.session.scalars(db.select(Skill).where(Skill.approved.is_(True)).order_by(Skill.name)).all()
    form = MentorFilterForm(request.args, communities=communities, skills=skills)
    if not form.validate():
        form = MentorFilterForm(formdata=None, communities=communities, skills=skills)
    found = service.suggestions(current_user, community_id=form.community.data or None,
                                skill_id=form.skill.data or None, department=(form.department.data or "").strip(),
                                language=(form.language.data or "").strip())
    sent, received = service.requests_for(current_user.id)
    return render_template("mentors/index.html", form=form, suggestions=found, sent=sent, received=received,
                           communities=communities, has_goals=bool(current_user.goals),
                           preferred={kind: preferences.preferences_of(current_user.id, kind)
                                      for kind in ("mentoring", "peer")},
                           max_preferences=preferences.MAX_PREFERENCES,
                           request_form=RequestForm(formdata=None), decline_form=DeclineForm(formdata=None),
                           button=ButtonForm())


@bp.route("/mentors/<int:mentor_id>/request", methods=["POST"])
@login_required
@rate_limit("RATELIMIT_POSTING", key=member_key)
def ask(mentor_id: int):
    """Ask a mentor of one of my communities, with a short message."""
    form = RequestForm()
    if not form.validate_on_submit():
        flash(_("Your request could not be sent: %(why)s", why=_errors(form)), "error")
        return redirect(url_for("mentors.index"))
    try:
        made = service.make_request(current_user, mentor_id, form.community_id.data, form.message.data)
    except LookupError:
        abort(404)
    except service.RequestError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("mentors.index"))
    db.session.commit()
    _deliver([service.request_message(made)])
    flash(_("Your request went to %(name)s. You will hear when they answer.", name=made.mentor.display_name),
          "success")
    return redirect(url_for("mentors.index") + "#sent")


@bp.route("/mentors/requests/<int:request_id>/accept", methods=["POST"])
@login_required
def accept(request_id: int):
    """The mentor accepts: the request becomes a confirmed match, if a place is still free."""
    found = load_own(service.own_request(request_id, current_user.id, as_mentor=True))
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        messages = service.accept(found)
    except service.RequestError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("mentors.index") + "#received")
    db.session.commit()
    _deliver(messages)
    flash(_("You are now %(name)s's mentor. Agree a first session on your page together.",
            name=found.learner.display_name), "success")
    return redirect(url_for("relationships.show", match_id=found.match_id))


@bp.route("/mentors/requests/<int:request_id>/decline", methods=["POST"])
@login_required
def decline(request_id: int):
    """The mentor declines; the reason is for HR only."""
    found = load_own(service.own_request(request_id, current_user.id, as_mentor=True))
    form = DeclineForm()
    if not form.validate_on_submit():
        flash(_errors(form), "error")
        return redirect(url_for("mentors.index") + "#received")
    try:
        messages = service.decline(found, form.reason.data)
    except service.RequestError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("mentors.index") + "#received")
    db.session.commit()
    _deliver(messages)
    flash(_("You declined the request. Thank you for answering."), "info")
    return redirect(url_for("mentors.index") + "#received")


@bp.route("/mentors/requests/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw(request_id: int):
    """The learner takes back a pending request."""
    found = load_own(service.own_request(request_id, current_user.id, as_mentor=False))
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        service.withdraw(found)
    except service.RequestError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("mentors.index") + "#sent")
    db.session.commit()
    flash(_("You withdrew your request."), "info")
    return redirect(url_for("mentors.index") + "#sent")


# --- preferences for the next round ---------------------------------------------------------------


@bp.route("/preferences/<any(mentoring, peer):kind>/<int:member_id>", methods=["POST"])
@login_required
@rate_limit("RATELIMIT_POSTING", key=member_key)
def prefer(kind: str, member_id: int):
    """Name a preferred mentor (or peer) for the next round: someone in one of my communities."""
    wanted = db.session.get(Member, member_id)
    if wanted is None or not preferences.may_prefer(current_user, wanted) or not ButtonForm().validate_on_submit():
        abort(404)
    try:
        preferences.prefer(current_user, wanted, kind)
    except LookupError:
        abort(404)
    except preferences.PreferenceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("mentors.index") + "#preferences")
    db.session.commit()
    flash(_("Noted: the next round tries to match you with %(name)s.", name=wanted.display_name), "success")
    return redirect(url_for("mentors.index") + "#preferences")


@bp.route("/preferences/<any(mentoring, peer):kind>/<int:member_id>/remove", methods=["POST"])
@login_required
def forget(kind: str, member_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    preferences.forget(current_user, member_id, kind)
    db.session.commit()
    flash(_("Preference removed."), "info")
    return redirect(url_for("mentors.index") + "#preferences")


# --- HR -------------------------------------------------------------------------------------------


@bp.route("/hr/mentor-requests")
@hr_required
def hr_requests():
    """HR: requests per community (decline reasons included) and the switch per community."""
    communities = db.session.scalars(db.select(Community).order_by(Community.name)).all()
    return render_template("mentors/hr.html", communities=communities, requests=service.all_requests(),
                           form=SelfServiceForm(formdata=None))


@bp.route("/hr/communities/<int:id>/self-service", methods=["POST"])
@hr_required
def self_service(id: int):
    """HR switches self-service requests on or off in a community."""
    community = db.get_or_404(Community, id)
    form = SelfServiceForm()
    if form.validate_on_submit():
        service.set_self_service(community, form.on.data == "1")
        db.session.commit()
        flash(_("Requests in %(community)s are now on.", community=community.name) if community.self_service
              else _("Requests in %(community)s are now off.", community=community.name), "success")
    return redirect(url_for("mentors.hr_requests"))


def _errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _deliver(messages) -> None:
    if deliver_after_commit(messages).failed:
        flash(_("Saved, but the emails about it could not be sent just now."), "error")
