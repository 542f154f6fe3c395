"""What a member sees after HR publishes a round: matches, group invitations, feedback.

Each view loads only the logged-in member's own match or place (or the
place an invitation token names), so another member's id or token is a 404.
Views parse, call a service, commit, then deliver messages, then redirect.
"""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from models import db
from webapp.forms import ButtonForm
from webapp.i18n import format_day
from webapp.matches import bp
from webapp.matches.forms import FeedbackForm, ResponseForm
from webapp.security import private_page
from webapp.services import feedback as feedback_service
from webapp.services import responses
from webapp.services.labels import role_noun
from webapp.services.messages import deliver_after_commit
from webapp.services.reasons import first_step, group_purpose, group_summary, reason_lines
from webapp.services.rounds.participation import confirm_participation as keep_matching
from webapp.services.rounds.participation import unanswered_twice

#: What the member reads for each answer.
STATUS_WORDS = {"pending": _l("not answered yet"), "accepted": _l("accepted"), "declined": _l("declined")}


def partner_noun(match, member_id: int) -> str:
    """What the member's partner in ``match`` is to them: "mentor", "mentee" or "peer partner"."""
    return role_noun(match.second_role if match.side_of(member_id) == "first" else match.first_role)


@bp.context_processor
def helpers():
    return {"reason_lines": reason_lines, "first_step": first_step, "partner_noun": partner_noun,
            "status_words": STATUS_WORDS, "groupmates": responses.groupmates, "group_summary": group_summary,
            "group_purpose": group_purpose}


# --- my matches -------------------------------------------------------------------------------


def load_own(found):
    """``found`` (the logged-in member's own match or place, or None), or a 404 page.

    The lookups filter by the member, so another member's id finds nothing
    and gets the same 404 as an id that does not exist.
    """
    if found is None:
        abort(404)
    return found


@bp.route("/matches")
@login_required
def index():
    """The member's own matches and working groups across rounds, with Accept and Decline."""
    return render_template(
        "matches/index.html",
        rounds=responses.member_rounds(current_user.id),
        asked_to_confirm=current_user.id in unanswered_twice(current_user.id),
        form=ResponseForm(formdata=None),
        button=ButtonForm(),
    )


@bp.route("/matches/<int:match_id>/respond", methods=["POST"])
@login_required
def respond(match_id: int):
    """Accept or decline one of my matches."""
    match = load_own(responses.own_match(match_id, current_user.id))
    _answer(lambda answer, reason: responses.respond_to_match(match, current_user.id, answer, reason),
            _("the match with your %(partner)s", partner=partner_noun(match, current_user.id)))
    return redirect(url_for("matches.index") + f"#match-{match.id}")


@bp.route("/matches/groups/<int:group_id>/respond", methods=["POST"])
@login_required
def respond_group(group_id: int):
    """Accept or decline my place in a working group."""
    place = load_own(responses.own_place(group_id, current_user.id))
    _answer(lambda answer, reason: responses.respond_to_group(place, answer, reason),
            _("working group %(number)d", number=place.group.number))
    return redirect(url_for("matches.index") + f"#group-{group_id}")


def _answer(record, what: str) -> None:
    """Validate the answer form, record the answer, commit, deliver, and flash what happened."""
    form = ResponseForm()
    if not form.validate_on_submit():
        flash(_errors(form), "error")
        return
    try:
        result = record(form.answer.data, form.reason.data)
    except responses.ResponseError as error:
        db.session.rollback()
        flash(str(error), "error")
        return
    db.session.commit()
    _deliver(result.messages)
    if not result.changed:
        flash(_("Your answer to %(what)s was already recorded.", what=what), "info")
    elif form.answer.data == "accepted" and result.messages:
        flash(_("You accepted %(what)s. Both of you have accepted: you can now see each other's email.",
                what=what), "success")
    elif form.answer.data == "accepted":
        flash(_("You accepted %(what)s.", what=what), "success")
    else:
        flash(_("You declined %(what)s. Thank you for letting us know.", what=what), "info")


def _errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _deliver(messages) -> None:
    """Send after the commit; a mail server that is down must not turn a saved answer into an error page."""
    if deliver_after_commit(messages).failed:
        flash(_("Your answer is saved, but the emails about it could not be sent just now."), "error")


@bp.route("/matches/confirm-participation", methods=["POST"])
@login_required
def confirm_participation():
    """Say "keep matching me" after two unanswered invitations."""
    if ButtonForm().validate_on_submit():
        keep_matching(current_user)
        db.session.commit()
        flash(_("Thank you: you will be matched again from the next round."), "success")
    return redirect(url_for("matches.index"))


# --- group invitation links (no login) ----------------------------------------------------------

#: The cookie that carries an opened invitation, so no later address holds the token.
INVITATION_COOKIE = "copmatch_invitation"
#: How long an opened invitation stays open in the browser before the emailed link is needed again.
INVITATION_COOKIE_SECONDS = 3600


_private = private_page


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="invitation")


def _gone(status: int, message: str):
    return _private((render_template("matches/invitation_gone.html", status=status, message=message), status))


def _closed_link(place):
    """The page for a link that does not (or no longer) open an invitation, or None when it does."""
    if place is None:
        return _gone(404, _("This invitation link is not valid. Check that you copied the whole link "
                            "from your email."))
    if not place.member.is_active:  # a deactivated (or erased) member's link shows and records nothing
        return _gone(410, _("This invitation link no longer works. If you think that is a mistake, contact HR."))
    if place.status == "declined":
        return _gone(410, _("You declined this invitation, so the link no longer works. If that was a "
                                   "mistake, contact HR."))
    if responses.link_expired(place):
        return _gone(410, _("This invitation expired on %(day)s. To take part, ask HR for a new link; if "
                                   "you already accepted, log in and see your groups under My matches.",
                                   day=format_day(place.expires_at)))
    return None


@bp.route("/invitations/<token>")
def open_invitation(token: str):
    """The emailed link: check it, keep it in a short-lived signed cookie, and go on to the
    invitation page, so the token is in no later address, history entry, referrer or log line."""
    place = responses.place_for_token(token)
    closed = _closed_link(place)
    if closed is not None:
        return closed
    response = _private(redirect(url_for("matches.invitation"), 303))
    response.set_cookie(INVITATION_COOKIE, _signer().dumps(place.token_hash), max_age=INVITATION_COOKIE_SECONDS,
                        path=url_for("matches.invitation"), httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _opened_place():
    """The place whose invitation this browser opened within the hour, or None."""
    try:
        token_hash = _signer().loads(request.cookies.get(INVITATION_COOKIE, ""), max_age=INVITATION_COOKIE_SECONDS)
    except BadSignature:
        return None
    return responses.place_for_token_hash(token_hash) if isinstance(token_hash, str) else None


@bp.route("/invitation", methods=["GET", "POST"])
def invitation():
    """A working-group invitation opened from its emailed link, without logging in."""
    if INVITATION_COOKIE not in request.cookies:
        return _gone(404, _("Open the invitation from the link in your email. (For your privacy this page "
                                  "remembers an opened invitation for an hour only.)"))
    place = _opened_place()
    closed = _closed_link(place)
    if closed is not None:
        return closed
    form = ResponseForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            result = responses.respond_to_group(place, form.answer.data, form.reason.data)
        except responses.ResponseError as refused:
            db.session.rollback()
            error, status = str(refused), 409
        else:
            db.session.commit()
            _deliver(result.messages)
            if place.status == "declined":  # shown once: later visits get the 410 above
                return _private(render_template("matches/invitation_declined.html", group=place.group))
            flash(_("Thank you: you accepted. You can now see the emails of the members who accepted."), "success")
            return _private(redirect(url_for("matches.invitation")))
    elif form.is_submitted():
        error, status = _errors(form), 400
    return _private((render_template("matches/invitation.html", place=place, form=form, error=error,
                                     action=url_for("matches.invitation")), status))


# --- feedback after a round -------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback(round_id: int):
    """Feedback on my matches and groups of a closed round: met, rating, a practice note."""
    round_ = load_own(feedback_service.feedback_round(round_id, current_user.id))
    if not round_.can("give_feedback"):
        return render_template("matches/feedback_not_open.html", round=round_), \
            409 if request.method == "POST" else 200
    items = feedback_service.feedback_items(round_, current_user.id)
    forms = {item.key: _feedback_form(item) for item in items}
    button = ButtonForm()
    if button.validate_on_submit():
        valid = all([form.validate() for form in forms.values()])  # a list: every form gets its errors
        if valid:
            try:
                saved = _save_feedback(round_, items, forms)
                db.session.commit()
            except feedback_service.FeedbackError as error:
                db.session.rollback()
                flash(str(error), "error")
            except IntegrityError:  # the same feedback saved from another tab at the same moment
                db.session.rollback()
                flash(_("Your feedback was just saved from another window; check it and save again."), "error")
            else:
                if saved:
                    flash(_("Thank you: feedback saved for %(saved)d of %(total)d.", saved=saved, total=len(items)),
                          "success")
                else:
                    flash(_("Nothing to save yet: answer “Did you meet?” first."), "info")
                return redirect(url_for("matches.feedback", round_id=round_.id))
    return render_template("matches/feedback.html", round=round_, items=items, forms=forms, button=button)


def _feedback_form(item: feedback_service.FeedbackItem) -> FeedbackForm:
    """The item's form: the submitted values on a POST, what the member said before on a GET."""
    given = item.feedback
    data = None
    if given is not None:
        data = {"met": "yes" if given.met else "no", "rating": given.rating,
                "practice_note": given.practice_note, "shareable": given.shareable,
                "skill": str(given.skill_id) if given.skill_id else ""}
    return FeedbackForm(prefix=item.key, data=data, skills=item.skills)


def _save_feedback(round_, items, forms) -> int:
    saved = 0
    for item in items:
        form = forms[item.key]
        if not form.answered:
            continue
        feedback_service.save_feedback(round_, current_user.id, item, feedback_service.Answers(
            met=form.met.data == "yes", rating=form.rating.data, practice_note=form.practice_note.data or "",
            shareable=form.shareable.data, skill_id=int(form.skill.data) if form.skill.data else None,
        ))
        saved += 1
    return saved
