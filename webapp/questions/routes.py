"""Ask the community: a community's questions, asking, answering and marking the answer that helped.

Only the community's members (and HR) read its questions; anyone else gets a 404, the same as
for a question that does not exist. Only the asker marks an answer helpful.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Community, Skill, db
from webapp.forms import ButtonForm
from webapp.questions import bp
from webapp.questions.forms import AnswerForm, QuestionForm, SearchForm
from webapp.security import member_key, rate_limit
from webapp.services import questions as service
from webapp.services.messages import deliver_after_commit


def readable_community(community_id: int) -> Community:
    """The community, if the logged-in member belongs to it (or is HR); else 404."""
    community = db.session.get(Community, community_id)
    if community is None or not service.may_read(current_user, community.id):
        abort(404)
    return community


def _skills(community: Community) -> list[Skill]:
    core = list(community.core_skills)
    return core or list(db.session.scalars(db.select(Skill).where(Skill.approved.is_(True)).order_by(Skill.name)))


@bp.route("/communities/<int:community_id>/questions")
@login_required
def index(community_id: int):
    """The community's questions (search in Thai or English) and the form to ask one."""
    community = readable_community(community_id)
    search = SearchForm(request.args)
    query = (search.q.data or "") if search.validate() else ""
    return render_template(
        "questions/index.html", community=community, search=search,
        found=service.community_questions(community, current_user, query), query=query,
        form=QuestionForm(formdata=None, skills=_skills(community)),
        belongs=service.is_member(current_user, community.id),
        first_answer_hours=service.first_answer_hours(community))


@bp.route("/communities/<int:community_id>/questions", methods=["POST"])
@login_required
@rate_limit("RATELIMIT_POSTING", key=member_key)
def ask(community_id: int):
    """Post a question; it is routed to at most five of the community's best-placed members."""
    community = readable_community(community_id)
    if not service.is_member(current_user, community.id):
        abort(404)
    form = QuestionForm(skills=_skills(community))
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("questions.index", community_id=community.id))
    try:
        question, messages = service.ask(current_user, community, form.title.data, form.body.data, form.skills.data)
    except service.QuestionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("questions.index", community_id=community.id))
    db.session.commit()
    deliver_after_commit(messages)
    flash(_("Your question is posted; %(count)d member(s) who know its skills were asked.", count=len(messages)),
          "success")
    return redirect(url_for("questions.show", question_id=question.id))


@bp.route("/questions/<int:question_id>")
@login_required
def show(question_id: int):
    """One question with its answers."""
    question = service.visible_question(question_id, current_user)
    if question is None:
        abort(404)
    return render_template("questions/show.html", question=question,
                           answers=service.visible_answers(question, current_user),
                           belongs=service.is_member(current_user, question.community_id),
                           form=AnswerForm(formdata=None), button=ButtonForm())


@bp.route("/questions/<int:question_id>/answers", methods=["POST"])
@login_required
@rate_limit("RATELIMIT_POSTING", key=member_key)
def answer(question_id: int):
    """Anyone in the community answers."""
    question = service.visible_question(question_id, current_user)
    if question is None or not service.is_member(current_user, question.community_id):
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("questions.show", question_id=question.id))
    try:
        reply = service.answer(current_user, question, form.body.data)
    except service.QuestionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("questions.show", question_id=question.id))
    db.session.commit()
    flash(_("Thank you: your answer is posted."), "success")
    return redirect(url_for("questions.show", question_id=question.id) + f"#answer-{reply.id}")


@bp.route("/questions/<int:question_id>/answers/<int:answer_id>/helpful", methods=["POST"])
@login_required
def helpful(question_id: int, answer_id: int):
    """The asker marks the answer that helped."""
    question = service.visible_question(question_id, current_user)
    if question is None or question.author_id != current_user.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        service.mark_helpful(question, answer_id)
    except LookupError:
        abort(404)
    db.session.commit()
    flash(_("Marked as the answer that helped."), "success")
    return redirect(url_for("questions.show", question_id=question.id) + f"#answer-{answer_id}")
