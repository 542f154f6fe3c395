"""The relationship page of a confirmed match: agreement, sessions, calendar invitations, help, growth.

Only the match's two members and HR open it (another member's id is a 404,
like an id that does not exist); only the two members act in it. Views
parse, call a service, commit, then send the messages, then redirect.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from models import db
from webapp.forms import ButtonForm
from webapp.relationships import bp
from webapp.relationships.forms import (
    FREQUENCY_LABELS,
    LEVEL_CHOICES,
    MODE_LABELS,
    AgreementForm,
    ConfirmAgreementForm,
    GoalRowForm,
    LogForm,
    ProposeForm,
    ReasonForm,
)
from webapp.relationships.meeting_views import meeting_context, send_or_warn
from webapp.services.after_match import agreements, attention, growth, renewals
from webapp.services.after_match.access import own_relationship
from webapp.services.after_match.notices import CHECK_IN_WORDS, partner_of, partner_role
from webapp.services.rounds.dates import organisation_today


def load_relationship(match_id: int, *, acting: bool = False):
    """The match if the viewer may open it (a member of it, or HR), else a 404 page.

    ``acting``: the view changes something, which only the two members do (HR gets 403).
    """
    match = own_relationship(match_id, current_user)
    if match is None:
        abort(404)
    if acting and match.side_of(current_user.id) is None:
        abort(403)
    return match


def _to_page(match, anchor: str = ""):
    return redirect(url_for("relationships.show", match_id=match.id) + (f"#{anchor}" if anchor else ""))


@bp.context_processor
def helpers():
    return {"frequency_labels": FREQUENCY_LABELS, "mode_labels": MODE_LABELS, "check_in_words": CHECK_IN_WORDS,
            "partner_of": partner_of, "partner_role": partner_role, "reason_text": attention.reason_text}


@bp.route("/relationships/<int:match_id>")
@login_required
def show(match_id: int):
    """One confirmed match: the agreement, the sessions, help and the end, and growth at the end date."""
    match = load_relationship(match_id)
    return _page(match)


def _page(match, agreement_form=None, goal_forms=None, status: int = 200, **forms):
    side = match.side_of(current_user.id)
    agreement = agreements.agreement_of(match)
    choices = agreements.goal_choices(match, agreement)
    if goal_forms is None:
        goal_forms = {c.key: GoalRowForm(prefix=c.key, formdata=None, data={
            "included": c.included, "level_before": c.level_before, "target_level": c.target_level})
            for c in choices}
    if agreement_form is None:
        agreement_form = AgreementForm(formdata=None, data={
            "frequency": agreement.frequency if agreement else "fortnightly",
            "modes": agreement.modes if agreement else ["call"],
            "until": agreement.until if agreement else match.round.ends_on})
    assess = growth.reassessment_open(match) and side is not None
    context = dict(
        match=match, round=match.round, side=side, partner=partner_of(match, current_user) if side else None,
        agreement=agreement, choices=choices, goal_forms=goal_forms, agreement_form=agreement_form,
        confirm_form=ConfirmAgreementForm(formdata=None, version=agreement.version if agreement else ""),
        help_form=forms.pop("help_form", ReasonForm(formdata=None, prefix="help")),
        end_form=forms.pop("end_form", ReasonForm(formdata=None, prefix="end")),
        button=ButtonForm(), level_choices=LEVEL_CHOICES, today=organisation_today(),
        growth_goals=growth.goals_to_assess(match) if assess else growth.growth_by_goal(match),
        reassessing=assess, renewal=renewals.renewal_status(match, current_user) if side else None,
        flags=attention.open_flags_of(match) if current_user.is_hr else [],
        **meeting_context(match, current_user, **forms),
    )
    return render_template("relationships/show.html", **context), status


# --- the agreement ------------------------------------------------------------------------------


@bp.route("/relationships/<int:match_id>/agreement", methods=["POST"])
@login_required
def save_agreement(match_id: int):
    """Write or change the agreement; it counts as my confirmation and asks my partner for theirs."""
    match = load_relationship(match_id, acting=True)
    form = AgreementForm()
    choices = agreements.goal_choices(match, agreements.agreement_of(match))
    rows = {c.key: GoalRowForm(prefix=c.key) for c in choices}
    valid = all([form.validate_on_submit(), *[row.validate() for row in rows.values()]])
    if valid:
        answers = [agreements.GoalAnswer(key, row.included.data, row.level_before.data, row.target_level.data)
                   for key, row in rows.items()]
        try:
            _agreement, messages = agreements.save_agreement(
                match, current_user, answers, form.frequency.data, form.modes.data, form.until.data,
                organisation_today())
        except agreements.AgreementError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            send_or_warn(messages)
            flash(_("Agreement saved. %(partner)s is asked to confirm it.",
                    partner=partner_of(match, current_user).display_name), "success")
            return _to_page(match, "agreement")
    return _page(match, agreement_form=form, goal_forms=rows, status=422)


@bp.route("/relationships/<int:match_id>/agreement/confirm", methods=["POST"])
@login_required
def confirm_agreement(match_id: int):
    """Confirm the version of the agreement I read."""
    match = load_relationship(match_id, acting=True)
    form = ConfirmAgreementForm()
    if form.validate_on_submit() and form.version.data.isdigit() and \
            agreements.confirm_agreement(match, current_user, int(form.version.data)):
        db.session.commit()
        flash(_("You confirmed the agreement."), "success")
    else:
        db.session.rollback()
        flash(_("The agreement changed while you were reading it: read it again, then confirm."), "error")
    return _to_page(match, "agreement")


# --- help and the end -----------------------------------------------------------------------------


@bp.route("/relationships/<int:match_id>/help", methods=["POST"])
@login_required
def ask_for_help(match_id: int):
    """Ask HR for help with this match."""
    match = load_relationship(match_id, acting=True)
    form = ReasonForm(prefix="help")
    if form.validate_on_submit():
        try:
            messages = attention.request_help(match, current_user, form.reason.data)
        except attention.AttentionError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            send_or_warn(messages)
            flash(_("HR has your message and will get in touch."), "success")
            return _to_page(match)
    return _page(match, help_form=form, status=422)


@bp.route("/relationships/<int:match_id>/end", methods=["POST"])
@login_required
def end_match(match_id: int):
    """End this match early; the reason is for HR only."""
    match = load_relationship(match_id, acting=True)
    form = ReasonForm(prefix="end")
    if form.validate_on_submit():
        try:
            messages = attention.end_early(match, current_user, form.reason.data)
        except attention.AttentionError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            send_or_warn(messages)
            flash(_("The match has ended. %(partner)s has been told; the reason stays with HR.",
                    partner=partner_of(match, current_user).display_name), "info")
            return _to_page(match)
    return _page(match, end_form=form, status=422)


# --- growth and renewal ---------------------------------------------------------------------------


@bp.route("/relationships/<int:match_id>/growth", methods=["POST"])
@login_required
def save_growth(match_id: int):
    """My re-assessment of my goals, or my view of my partner's (levels 1–5)."""
    match = load_relationship(match_id, acting=True)
    levels = {}
    for goal in growth.goals_to_assess(match) if growth.reassessment_open(match) else []:
        raw = request.form.get(f"goal-{goal.id}", "")
        if raw.isdigit():
            levels[goal.id] = int(raw)
    return _button_action(match, lambda: growth.save_levels(match, current_user, levels), growth.GrowthError,
                          lambda saved: flash(ngettext("Saved %(num)d level.", "Saved %(num)d levels.", saved)
                                              if saved else _("Pick a level first."), "success" if saved else "info"))


@bp.route("/relationships/<int:match_id>/growth/confirm", methods=["POST"])
@login_required
def confirm_growth(match_id: int):
    """Confirm my re-assessment: my profile takes the new levels."""
    match = load_relationship(match_id, acting=True)

    def done(changes):
        words = _("; ").join(_("%(skill)s %(before)d → %(after)d", skill=c.skill, before=c.before, after=c.after)
                             + (_(" (goal reached)") if c.goal_reached else "") for c in changes)
        flash(_("Your profile is updated: %(changes)s.", changes=words), "success")

    return _button_action(match, lambda: growth.confirm_growth(match, current_user), growth.GrowthError, done)


@bp.route("/relationships/<int:match_id>/renew", methods=["POST"])
@login_required
def renew(match_id: int):
    """Ask to continue together in the next round."""
    match = load_relationship(match_id, acting=True)
    partner = partner_of(match, current_user).display_name
    return _button_action(
        match, lambda: renewals.request_renewal(match, current_user), renewals.RenewalError,
        lambda both: flash(_("You both asked: the next round of this kind keeps you together.") if both else
                           _("Asked. When %(partner)s asks too, the next round keeps you together.", partner=partner),
                           "success"))


def _button_action(match, action, refused, done):
    """A POST of the growth part: check the CSRF token, run ``action``; refused → flash, roll back; else commit, ``done``."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        result = action()
    except refused as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        done(result)
    return _to_page(match, "growth")


def ics_response(data: bytes, name: str) -> Response:
    """An ``.ics`` download."""
    return Response(data, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
