"""A check-in answered from its emailed link, without logging in.

The link names the answer; opening it shows a page whose form sends that
answer at once (``static/checkin.js``), or with one press where scripts are
off. A GET alone records nothing, so mail scanners that open every link in
a message cannot answer for the member. Unknown links get 404, expired ones
410, and nobody's data; an answered link shows the answer it recorded.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _

from models import db
from models.relationship import CHECK_IN_ANSWERS
from webapp.forms import ButtonForm
from webapp.i18n import format_day
from webapp.relationships import bp
from webapp.security import private_page
from webapp.services.after_match import checkins
from webapp.services.after_match.notices import CHECK_IN_WORDS, partner_of, send


def _gone(status: int, message: str):
    return private_page((render_template("relationships/checkin_gone.html", message=message, status=status), status))


def _load(token: str):
    """The check-in a link names, or the page that says why the link does not work."""
    check_in = checkins.check_in_for_token(token)
    if check_in is None:
        return None, _gone(404, _("This check-in link is not valid. Check that you copied the whole link from your "
                                  "email."))
    if check_in.answered_at is None and checkins.link_expired(check_in):
        return None, _gone(410, _("This check-in expired on %(day)s. Log in to tell us how it is going.",
                                  day=format_day(check_in.expires_at)))
    return check_in, None


@bp.route("/check-ins/<token>/<answer>", methods=["GET", "POST"])
def check_in(token: str, answer: str):
    """One click from the email: confirm (automatically, with scripts on) and record the answer."""
    if answer not in CHECK_IN_ANSWERS:
        abort(404)
    check_in, refused = _load(token)
    if refused is not None:
        return refused
    if check_in.answered_at is not None:
        return private_page(redirect(url_for("relationships.check_in_done", token=token)))
    form = ButtonForm()
    if form.validate_on_submit():
        result = checkins.answer_check_in(check_in, answer)
        db.session.commit()
        send(result.messages)  # a failure is logged; HR's list shows the request either way
        return private_page(redirect(url_for("relationships.check_in_done", token=token)))
    return private_page(render_template("relationships/checkin.html", check_in=check_in, answer=answer,
                                        words=CHECK_IN_WORDS[answer], form=form,
                                        partner=partner_of(check_in.match, check_in.member)))


@bp.route("/check-ins/<token>")
def check_in_done(token: str):
    """What a check-in link recorded."""
    check_in, refused = _load(token)
    if refused is not None:
        return refused
    if check_in.answered_at is None:
        abort(404)
    return private_page(render_template("relationships/checkin_done.html", check_in=check_in,
                                        words=CHECK_IN_WORDS[check_in.answer],
                                        partner=partner_of(check_in.match, check_in.member)))
