"""HR pages for matching rounds: the list, setting a round up, the review, its controls and the CSV.

Views parse, call a function of ``webapp.services.rounds``, commit and
redirect. A ``RoundError`` is flashed and rolled back, so the round stays
exactly as it was. Invitations go out after the commit, never before.
"""

from __future__ import annotations

import smtplib
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from models import Community, Forbid, Member, Pin, Round, db
from models.round import ROUND_KINDS
from webapp.forms import ButtonForm
from webapp.rounds import bp
from webapp.rounds.forms import KIND_LABELS, PRIORITIES, MoveForm, PairForm, ScopeForm, round_form, weight_label
from webapp.security import hr_required
from webapp.services import round_review as review_service
from webapp.services.messages import deliver
from webapp.services.rounds import (
    WEIGHT_CLASSES,
    RoundError,
    add_forbid,
    add_pin,
    close_round,
    create_round,
    default_parameters,
    eligibility,
    get_round,
    headline_figures,
    move_member,
    publish_round,
    repair_round,
    result_count,
    solve_round,
)
from webapp.services.rounds import remove_rule as remove_rule_service
from webapp.services.text import sort_key

#: What the review page can show under its figures.
TABS = ("results", "unmatched", "rules")
WHOLE_ORGANISATION = "Whole organisation"


def _per_page() -> int:
    return current_app.config.get("ROUND_ROWS_PER_PAGE", 25)


def _round_or_404(round_id: int) -> Round:
    try:
        return get_round(round_id)
    except LookupError:
        abort(404)


def _to_review(round_id: int, **args):
    return redirect(url_for("rounds.review", round_id=round_id, **args))


def allowed(round_: Round) -> dict[str, bool]:
    """Which controls the round's state allows; the services refuse the rest anyway."""
    editable = round_.status in ("draft", "solved")
    return {
        "solve": editable,
        "rules": editable,
        "publish": round_.status == "solved",
        "repair": round_.status == "published",
        "close": round_.status == "published",
        "move": round_.kind == "groups" and round_.status == "solved",
        "export": round_.status != "draft",
    }


@bp.context_processor
def helpers():
    return {"kind_labels": KIND_LABELS, "priorities": PRIORITIES, "weight_label": weight_label,
            "status_word": review_service.status_word}


# --- the list ---------------------------------------------------------------------------------


@bp.route("")
@hr_required
def index():
    query = (sa.select(Round).order_by(Round.created_at.desc(), Round.id.desc())
             .options(so.selectinload(Round.community)))
    page = db.paginate(query, per_page=_per_page(), error_out=False)
    return render_template("rounds/index.html", page=page)


# --- a new round ------------------------------------------------------------------------------


def _community_choices() -> list[SelectChoice]:
    communities = sorted(db.session.scalars(sa.select(Community)).all(), key=lambda c: sort_key(c.name))
    return [SelectChoice(0, WHOLE_ORGANISATION)] + [SelectChoice(c.id, c.name) for c in communities]


def _chosen_scope(choices: list[SelectChoice]) -> tuple[ScopeForm, str, int]:
    """Step 1's kind and scope: from the query string (GET) or step 2's hidden fields (POST).

    An unknown kind or community in the query string shows its error and the
    defaults stand in; a POST names its community as it was, to be checked.
    """
    if request.method == "POST":
        kind, community = request.form.get("kind", ""), request.form.get("community", "")
        if kind not in ROUND_KINDS or not community.isdigit():
            abort(400)
        scope = ScopeForm(formdata=None, data={"kind": kind, "community": int(community)})
        scope.community.choices = choices
        return scope, kind, int(community)
    scope = ScopeForm(request.args)
    scope.community.choices = choices
    if request.args:
        scope.validate()
    known = {choice.value for choice in choices}
    kind = scope.kind.data if scope.kind.data in ROUND_KINDS else "mentoring"
    return scope, kind, scope.community.data if scope.community.data in known else 0


@bp.route("/new", methods=["GET", "POST"])
@hr_required
def new():
    choices = _community_choices()
    names = {choice.value: choice.label for choice in choices}
    scope, kind, community_id = _chosen_scope(choices)
    form = round_form(kind, default_parameters(kind), community=str(community_id))
    if form.validate_on_submit():
        if community_id not in names:
            form.form_errors.append("That community no longer exists: choose the scope again.")
        else:
            try:
                round_ = create_round(kind, community_id or None, db.session.get(Member, current_user.id),
                                      form.parameters(), (form.name.data or "").strip() or None)
                if form.create_and_solve.data:
                    solve_round(round_.id)
            except RoundError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
            else:
                db.session.commit()
                flash(_created_message(round_), "success")
                return _to_review(round_.id)
    in_scope = community_id if community_id in names else 0
    status = 422 if form.errors else 200
    return render_template(
        "rounds/new.html", scope=scope, form=form, kind=kind, scope_name=names[in_scope],
        who=eligibility(kind, in_scope or None), defaults=default_parameters(kind), today=date.today().isoformat(),
    ), status


def _created_message(round_: Round) -> str:
    if round_.status == "solved":
        return f"Created and solved “{round_.name}”: review the result, then publish it."
    return f"Created the draft “{round_.name}”: solve it when you are ready."


# --- the review -------------------------------------------------------------------------------


@bp.route("/<int:round_id>")
@hr_required
def review(round_id: int):
    round_ = _round_or_404(round_id)
    tab = request.args.get("tab", "results")
    tab = tab if tab in TABS else "results"
    q = " ".join(request.args.get("q", "").split())[:100]
    sort = request.args.get("sort", "name")
    sort = sort if sort in review_service.PAIR_SORTS else "name"
    page_number = request.args.get("page", 1, type=int)
    listing, rows, colours = None, [], {}
    if tab == "results" and round_.kind == "groups":
        listing = review_service.group_page(round_.id, q, page_number, _per_page())
        colours = review_service.department_colours(round_.id)
        rows = review_service.group_rows(listing.items, colours)
    elif tab == "results":
        listing = review_service.pair_page(round_.id, q, sort, page_number, _per_page())
        rows = review_service.pair_rows(listing.items)
    elif tab == "unmatched":
        listing = review_service.ListPage.of(review_service.unmatched_rows(round_, q), page_number, _per_page())
        rows = listing.items
    pins, forbids = review_service.rules_of(round_)
    pair_form = PairForm(formdata=None)
    if round_.kind == "mentoring":
        pair_form.first_email.label.text, pair_form.second_email.label.text = "Learner's email", "Mentor's email"
    args = {name: value for name, value in (("tab", tab), ("q", q), ("sort", sort)) if value}
    return render_template(
        "rounds/review.html", round=round_, tab=tab, q=q, sort=sort, sorts=review_service.PAIR_SORTS,
        listing=listing, rows=rows, colours=colours, pins=pins, forbids=forbids, args=args,
        figures=headline_figures(round_), bins=review_service.score_histogram(round_),
        results_count=result_count(round_), can=allowed(round_), defaults=default_parameters(round_.kind),
        meanings={name: meaning for name, _, meaning in WEIGHT_CLASSES[round_.kind].describe()},
        button=ButtonForm(), pair_form=pair_form, move_form=MoveForm(formdata=None),
    )


# --- the controls -----------------------------------------------------------------------------


def _act(round_id: int, action, done, form=None, **back):
    """Run one change of a round: refused → flash, roll back; done → commit, then ``done(result)``."""
    _round_or_404(round_id)
    form = form or ButtonForm()
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors) or "Please try again.", "error")
        return _to_review(round_id, **back)
    try:
        result = action(form)
    except RoundError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        done(result)
    return _to_review(round_id, **back)


def _deliver(messages) -> int:
    """Send after the commit; a mail server that is down must not undo a published round."""
    try:
        return deliver(messages)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send %d message(s)", len(messages))
        flash("The round is saved, but the invitations could not be sent just now: check the mail settings.",
              "error")
        return 0


@bp.route("/<int:round_id>/solve", methods=["POST"])
@hr_required
def solve(round_id: int):
    def done(round_: Round):
        flash(f"Solved in {round_.seconds:.2f} s: {round_.matched or 0:,} of {round_.eligible:,} eligible "
              f"members {'placed in groups' if round_.kind == 'groups' else 'matched'}.", "success")

    return _act(round_id, lambda _: solve_round(round_id), done)


@bp.route("/<int:round_id>/publish", methods=["POST"])
@hr_required
def publish(round_id: int):
    def done(publication):
        if not publication.published:
            flash("This round was already published; no invitations were sent again.", "info")
            return
        sent = _deliver(publication.messages)
        flash(f"Published: {sent} invitation{'' if sent == 1 else 's'} sent.", "success")

    return _act(round_id, lambda _: publish_round(round_id), done)


@bp.route("/<int:round_id>/repair", methods=["POST"])
@hr_required
def repair(round_id: int):
    def done(repair_):
        sent = _deliver(repair_.messages)
        flash(f"Repaired: {repair_.rematched} member(s) offered a new match ({sent} invitation"
              f"{'' if sent == 1 else 's'} sent); {repair_.left_over} could not be.", "success")

    return _act(round_id, lambda _: repair_round(round_id), done)


@bp.route("/<int:round_id>/close", methods=["POST"])
@hr_required
def close(round_id: int):
    return _act(round_id, lambda _: close_round(round_id),
                lambda _: flash("Closed: members can now give feedback.", "success"))


def _pair_ids(form: PairForm) -> tuple[int, int]:
    """The two members a pin or forbid names, by id (a pair's row) or by email (typed)."""
    ids = []
    for side in ("first", "second"):
        raw_id, email = (form[f"{side}_id"].data or "").strip(), (form[f"{side}_email"].data or "").strip()
        if raw_id:
            if not raw_id.isdigit():
                raise RoundError("Pick two members.")
            ids.append(int(raw_id))
        elif email:
            member_id = db.session.scalar(sa.select(Member.id).where(Member.email == email.lower()))
            if member_id is None:
                raise RoundError(f"No member has the email {email}.")
            ids.append(member_id)
        else:
            raise RoundError("Give both members' emails.")
    return ids[0], ids[1]


def _rule(round_id: int, add, verb: str):
    def action(form: PairForm):
        first_id, second_id = _pair_ids(form)
        add(round_id, first_id, second_id)
        return first_id, second_id

    def done(pair):
        first, second = (db.session.get(Member, member_id).display_name for member_id in pair)
        flash(f"{verb}: {first} and {second}. Solve again to apply it.", "success")

    back = {"tab": "rules"} if request.form.get("back") == "rules" else {}
    return _act(round_id, action, done, form=PairForm(), **back)


@bp.route("/<int:round_id>/pins", methods=["POST"])
@hr_required
def pins(round_id: int):
    return _rule(round_id, add_pin, "Pinned")


@bp.route("/<int:round_id>/forbids", methods=["POST"])
@hr_required
def forbids(round_id: int):
    return _rule(round_id, add_forbid, "Forbidden")


@bp.route("/<int:round_id>/rules/remove", methods=["POST"])
@hr_required
def remove_rule(round_id: int):
    models = {"pin": Pin, "forbid": Forbid}

    def action(form: PairForm):
        model = models.get(request.form.get("rule", ""))
        if model is None:
            raise RoundError("Say whether to take back a pin or a forbid.")
        first_id, second_id = _pair_ids(form)
        remove_rule_service(round_id, model, first_id, second_id)
        return model

    def done(model):
        flash(f"{'Pin' if model is Pin else 'Forbid'} taken back. Solve again to apply it.", "success")

    return _act(round_id, action, done, form=PairForm(), tab="rules")


@bp.route("/<int:round_id>/move", methods=["POST"])
@hr_required
def move(round_id: int):
    def action(form: MoveForm):
        if not form.member_id.data.isdigit():
            raise RoundError("Pick a member to move.")
        member_id = int(form.member_id.data)
        return db.session.get(Member, member_id), move_member(round_id, member_id, form.to_number.data)

    def done(moved):
        member, group = moved
        flash(f"Moved {member.display_name} to group {group.number}.", "success")

    return _act(round_id, action, done, form=MoveForm())


# --- the export -------------------------------------------------------------------------------


@bp.route("/<int:round_id>/export.csv")
@hr_required
def export(round_id: int):
    round_ = _round_or_404(round_id)
    return Response(
        review_service.export_csv(round_).encode("utf-8-sig"),  # the BOM makes Excel read Thai as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="copmatch-round-{round_.id}-{round_.kind}.csv"'},
    )
