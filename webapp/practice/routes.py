"""The body of practice: a community's notes (ranked by what trying them showed), one note with
"I tried it", and writing a note, on its own or from one's own question, feedback or session.

A note is read by its community's members and HR (404 for anyone else); a note written from a
question, feedback or session must be the member's own (404 otherwise).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Community, PracticeNote, Skill, db
from webapp.practice import bp
from webapp.practice.forms import NoteForm, SearchForm, TriedForm
from webapp.security import member_key, rate_limit
from webapp.services import practice as service
from webapp.services.questions import may_read as may_read_community


@bp.app_context_processor
def section():
    """``practice_section(community)`` for the community page's included section."""
    def practice_section(community):
        return service.community_section(community, current_user)
    return {"practice_section": practice_section, "outcome_words": service.OUTCOME_WORDS,
            "source_words": service.SOURCE_WORDS}


@bp.route("/communities/<int:community_id>/practice")
@login_required
def index(community_id: int):
    """All of a community's practice notes, best first, searchable in Thai or English."""
    community = db.session.get(Community, community_id)
    if community is None or not may_read_community(current_user, community.id):
        abort(404)
    search = SearchForm(request.args)
    query = (search.q.data or "") if search.validate() else ""
    return render_template("practice/index.html", community=community, search=search, query=query,
                           notes=service.ranked([community.id], include_hidden=current_user.is_hr, query=query))


@bp.route("/practice/<int:note_id>")
@login_required
def show(note_id: int):
    note = db.session.get(PracticeNote, note_id)
    if note is None or not service.may_read(current_user, note):
        abort(404)
    ranked = next((r for r in service.ranked([note.community_id], include_hidden=True, limit=10_000)
                   if r.note.id == note.id), None)
    return render_template("practice/show.html", note=note, ranked=ranked, form=TriedForm(formdata=None),
                           belongs=any(c.id == note.community_id for c in service.member_communities(current_user)))


@bp.route("/practice/<int:note_id>/tried", methods=["POST"])
@login_required
@rate_limit("RATELIMIT_POSTING", key=member_key)
def tried(note_id: int):
    """ "I tried it": how it went and what the member changed."""
    note = db.session.get(PracticeNote, note_id)
    if note is None or note.hidden or not any(c.id == note.community_id
                                              for c in service.member_communities(current_user)):
        abort(404)
    form = TriedForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("practice.show", note_id=note.id))
    service.tried(note, current_user, form.outcome.data, form.changed.data)
    db.session.commit()
    flash(_("Thank you: what you found helps the next person."), "success")
    return redirect(url_for("practice.show", note_id=note.id))


_SOURCES = {"question": "question_id", "feedback": "feedback_id", "session": "meeting_id"}


@bp.route("/practice/new", methods=["GET", "POST"])
@login_required
@rate_limit("RATELIMIT_POSTING", key=member_key)
def new():
    """Write a note: on its own, or from my answered question, my feedback or my session."""
    source = request.values.get("source", "own")
    source_id = request.values.get("source_id", type=int)
    if source not in ("own", *_SOURCES) or (source != "own" and not source_id):
        abort(404)
    draft = service.draft_from(current_user, **({_SOURCES[source]: source_id} if source != "own" else {}))
    if draft is None:
        abort(404)
    communities = service.member_communities(current_user)
    if not communities:
        flash(_("Join a community to write practice notes for it."), "info")
        return redirect(url_for("communities.index"))
    skills = db.session.scalars(db.select(Skill).where(Skill.approved.is_(True)).order_by(Skill.name)).all()
    form = NoteForm(community_choices=communities, skill_choices=skills)
    if request.method == "GET":
        form = NoteForm(formdata=None, community_choices=communities, skill_choices=skills, title=draft["title"],
                        body=draft["body"], skills=draft["skill_ids"], source=source, source_id=source_id or "",
                        community=draft["community_id"] or request.args.get("community", type=int))
    elif form.validate_on_submit():
        community = next((c for c in communities if c.id == form.community.data), None)
        if community is None:
            abort(404)
        try:
            note = service.write(current_user, community, form.title.data, form.body.data, form.skills.data,
                                 source=draft["source"], question=draft.get("question"),
                                 feedback=draft.get("feedback"), meeting=draft.get("meeting"))
        except service.PracticeError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Your practice note is in the community's body of practice."), "success")
            return redirect(url_for("practice.show", note_id=note.id))
    return render_template("practice/new.html", form=form, source=source)
