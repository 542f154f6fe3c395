"""HR pages for matching rounds: the list, setting a round up, the review, its controls and the CSV.

Views parse, call a service function, commit and redirect. A ``RoundError``
is flashed and rolled back, so the round stays exactly as it was.
Invitations go out after the commit, never before.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from models import Job, Round, db
from models.job import JobStatus
from models.round import ROUND_KINDS
from webapp import jobs
from webapp.forms import ButtonForm
from webapp.http import is_id
from webapp.i18n import format_number
from webapp.rounds import bp
from webapp.rounds.forms import (
    KIND_LABELS,
    PRIORITY_LABELS,
    PRIORITY_NAMES,
    MoveForm,
    PairForm,
    ScheduleForm,
    ScopeForm,
    round_form,
    weight_label,
    weight_meaning,
)
from webapp.security import hr_required
from webapp.services import audit
from webapp.services import round_review as review_service
from webapp.services.communities import communities_in_order
from webapp.services.members import get_member
from webapp.services.messages import deliver_after_commit
from webapp.services.paging import ListPage, page_number
from webapp.services.reasons import group_summary
from webapp.services.rounds import pins as pin_service
from webapp.services.rounds.eligibility import eligibility, exclusion_label
from webapp.services.rounds.figures import headline_figures, invitation_count, result_count
from webapp.services.rounds.groups import keep_moves, move_member, moves_since_solve, swap_members
from webapp.services.rounds.guards import RoundError, get_round
from webapp.services.after_match.ending import announce_feedback
from webapp.services.after_match.notices import send
from webapp.services.rounds.dates import default_dates, set_dates, set_round_purpose
from webapp.services.rounds.lifecycle import (
    close_round,
    create_round,
    default_round_name,
    repair_round,
    send_new_link,
)
from webapp.services.rounds.notes import diagnosis_members, diagnosis_text, member_names, note_lines
from webapp.services.rounds.parameters import WEIGHT_CLASSES, default_parameters
from webapp.services.rounds.publishing import PUBLISH, start_publish
from webapp.services.rounds.solving import SOLVE, start_solve
from webapp.services.text import without_controls

#: What the review page can show under its figures.
TABS = ("results", "unmatched", "pins")
WHOLE_ORGANISATION = _l("Whole organisation")


def _per_page() -> int:
    return current_app.config.get("ROUND_ROWS_PER_PAGE", 25)


def load_round(round_id: int) -> Round:
    """The round ``round_id``, or a 404 page (HR pages only: the view checks the role)."""
    try:
        return get_round(round_id)
    except LookupError:
        abort(404)


def _to_review(round_id: int, **args):
    return redirect(url_for("rounds.review", round_id=round_id, **args))


@bp.context_processor
def helpers():
    return {"kind_names": review_service.KIND_NAMES, "kind_labels": KIND_LABELS, "priorities": PRIORITY_LABELS,
            "priority_names": PRIORITY_NAMES, "weight_label": weight_label, "role_word": review_service.role_word,
            "role_counts": review_service.ROLE_COUNTS, "status_word": review_service.status_word,
            "answer_key": review_service.answer_key, "exclusion_label": exclusion_label, "note_lines": note_lines,
            "group_summary": group_summary}


# --- the list ---------------------------------------------------------------------------------


@bp.route("")
@hr_required
def index():
    """Every round, newest first, with its status and stored figures."""
    page = review_service.rounds_page(page_number(request.args.get("page")), _per_page())
    return render_template("rounds/index.html", page=page)


# --- a new round ------------------------------------------------------------------------------


def _community_choices() -> list[SelectChoice]:
    return [SelectChoice(0, WHOLE_ORGANISATION)] + [SelectChoice(c.id, c.name) for c in communities_in_order()]


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
    """Set a round up: kind and scope, then weights and parameters; create it (and solve it)."""
    choices = _community_choices()
    names = {choice.value: choice.label for choice in choices}
    scope, kind, community_id = _chosen_scope(choices)
    starts_on, ends_on = default_dates(kind)
    form = round_form(kind, default_parameters(kind), community=str(community_id), starts_on=starts_on,
                      ends_on=ends_on)
    if form.validate_on_submit():
        if community_id not in names:
            form.form_errors.append(_("That community no longer exists: choose the scope again."))
        else:
            try:
                round_ = create_round(kind, community_id or None, get_member(current_user.id),
                                      form.parameters(), (form.name.data or "").strip() or None,
                                      starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                      purpose=form.purpose.data)
            except RoundError as error:
                form.form_errors.append(str(error))
                db.session.rollback()
            else:
                db.session.commit()
                round_id = round_.id
                if form.create_and_solve.data:
                    return _start_solve(round_id, created=True)
                flash(_created_message(round_), "success")
                return _to_review(round_id)
    in_scope = community_id if community_id in names else 0
    status = 422 if form.errors else 200
    return render_template(
        "rounds/new.html", scope=scope, form=form, kind=kind, scope_name=names[in_scope],
        who=eligibility(kind, in_scope or None), defaults=default_parameters(kind),
        default_name=default_round_name(kind),
    ), status


def _created_message(round_: Round) -> str:
    if round_.can("publish"):
        return _("Created and solved “%(name)s”: review the result, then publish it.", name=round_.name)
    return _("Created the draft “%(name)s”: solve it when you are ready.", name=round_.name)


def _solved_message(round_: Round) -> str:
    numbers = {"seconds": format_number(round_.seconds, 2), "matched": format_number(round_.matched or 0),
               "count": format_number(round_.eligible)}
    if round_.kind == "groups":
        return ngettext("Solved in %(seconds)s s: %(matched)s of %(count)s eligible member placed in groups.",
                        "Solved in %(seconds)s s: %(matched)s of %(count)s eligible members placed in groups.",
                        round_.eligible, **numbers)
    return ngettext("Solved in %(seconds)s s: %(matched)s of %(count)s eligible member matched.",
                    "Solved in %(seconds)s s: %(matched)s of %(count)s eligible members matched.",
                    round_.eligible, **numbers)


def _start_solve(round_id: int, created: bool = False):
    """Queue the round's solve (or find the one running) and show its progress; a solve that has
    already ended (the synchronous mode of the tests) is said at once, as a finished page would."""
    try:
        job, started = start_solve(round_id, current_user.id)
    except RoundError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _to_review(round_id)

    def finished(job):
        round_ = load_round(round_id)
        flash(_created_message(round_) if created else _solved_message(round_), "success")

    return _follow_job(round_id, job, started, finished)


def _follow_job(round_id: int, job: Job, started: bool, finished):
    """Where a started job leads: the round (with ``finished(job)``'s words) when it has already
    ended, else its progress page (saying so when it is one that was already under way)."""
    if job.status == JobStatus.FINISHED:
        finished(job)
        return _to_review(round_id)
    if not job.status.active:
        flash(jobs.message_of(job), "error")
        return _to_review(round_id)
    if not started:
        flash(_("This round is already being published: here is its progress.") if job.kind == PUBLISH
              else _("This round is already being solved: here is that solve."), "info")
    return redirect(url_for("rounds.solving", round_id=round_id, job_id=job.id))


# --- the review -------------------------------------------------------------------------------


@bp.route("/<int:round_id>")
@hr_required
def review(round_id: int):
    """The round's figures, charts and controls, and one tab: results, unmatched, or pins and forbids."""
    round_ = load_round(round_id)
    tab = request.args.get("tab", "results")
    tab = tab if tab in TABS else "results"
    q = " ".join(without_controls(request.args.get("q", "")).split())[:100]
    sort = request.args.get("sort", "name")
    sort = sort if sort in review_service.PAIR_SORTS else "name"
    page = page_number(request.args.get("page"))
    listing, rows, colours, chart_rows = None, [], {}, []
    if tab == "results" and round_.kind == "groups":
        listing = review_service.group_page(round_.id, q, page, _per_page())
        colours = review_service.department_colours(round_.id)
        rows = review_service.group_rows(listing.items, colours)
        chart_rows = review_service.group_rows(review_service.all_groups(round_.id), colours)
    elif tab == "results":
        listing = review_service.pair_page(round_.id, q, sort, page, _per_page())
        rows = review_service.pair_rows(listing.items)
    elif tab == "unmatched":
        listing = ListPage.of(review_service.unmatched_rows(round_, q), page, _per_page())
        rows = listing.items
    pins, forbids = review_service.pins_and_forbids(round_)
    pair_form = PairForm(formdata=None)
    if round_.kind == "mentoring":
        pair_form.first_email.label.text, pair_form.second_email.label.text = _("Learner's email"), _("Mentor's email")
    args = {name: value for name, value in (("tab", tab), ("q", q), ("sort", sort)) if value}
    return render_template(
        "rounds/review.html", round=round_, tab=tab, q=q, sort=sort, sorts=review_service.PAIR_SORTS,
        listing=listing, rows=rows, colours=colours, chart_rows=chart_rows, pins=pins, forbids=forbids, args=args,
        figures=headline_figures(round_), bins=review_service.score_histogram(round_),
        solving_now=jobs.current(SOLVE, round_.id),
        publishing_now=jobs.current(PUBLISH, round_.id),
        results_count=result_count(round_), invitations=invitation_count(round_) if round_.can("publish") else 0,
        defaults=default_parameters(round_.kind),
        meanings={name: weight_meaning(round_.kind, name, meaning)
                  for name, _default, meaning in WEIGHT_CLASSES[round_.kind].describe()},
        button=ButtonForm(), pair_form=pair_form, move_form=MoveForm(formdata=None),
        moves=moves_since_solve(round_) if round_.can("move") else 0,
        schedule_form=ScheduleForm(formdata=None, starts_on=round_.starts_on, ends_on=round_.ends_on,
                                   purpose=round_.purpose or ""),
    )


# --- the controls -----------------------------------------------------------------------------


def _act(round_id: int, action, done, form=None, **back):
    """Run one change of a round: refused → flash, roll back; done → commit, then ``done(result)``."""
    load_round(round_id)
    form = form or ButtonForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors) or _("Please try again."),
              "error")
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


def _send(messages) -> int:
    """Deliver after the commit; say how many could not go out (each is in the audit trail)."""
    delivery = deliver_after_commit(messages)
    _warn_unsent(len(delivery.failed), delivery.total)
    return delivery.handed_over


def _warn_unsent(failed: int, total: int) -> None:
    """Tell HR that ``failed`` of ``total`` messages could not go out (each is in the audit trail)."""
    if failed:
        flash(ngettext("The round is saved, but %(num)d of %(total)d messages could not be sent: the audit trail "
                       "says to whom and why.",
                       "The round is saved, but %(num)d of %(total)d messages could not be sent: the audit trail "
                       "says to whom and why.",
                       failed, total=total), "error")


@bp.route("/<int:round_id>/solve", methods=["POST"])
@hr_required
def solve(round_id: int):
    """Queue the matcher on the round's eligible members (the result will replace any unpublished
    one) and show the solve's progress; a solve already running is shown instead of a second."""
    load_round(round_id)
    if not ButtonForm().validate_on_submit():
        flash(_("Please try again."), "error")
        return _to_review(round_id)
    return _start_solve(round_id)


def _load_job(round_id: int, job_id: int) -> Job:
    """The round's solve ``job_id``, or a 404 page."""
    load_round(round_id)
    job = jobs.get(job_id)
    if job is None or job.kind not in (SOLVE, PUBLISH) or job.target_id != round_id:
        abort(404)
    return job


def job_state(job: Job, round_id: int) -> dict:
    """What the progress page shows, as data (the page's script reads it as JSON)."""
    return {"id": job.id, "status": job.status.value, "status_label": str(job.status.title),
            "active": job.status.active, "phase": job.phase,
            "phase_label": str(jobs.PHASE_LABELS.get(job.phase, _("Waiting for a worker"))),
            "percent": job.percent, "message": jobs.message_of(job),
            "review_url": url_for("rounds.review", round_id=round_id)}


@bp.route("/<int:round_id>/solves/<int:job_id>")
@hr_required
def solving(round_id: int, job_id: int):
    """A solve's progress: phase and percentage; the page refreshes itself (or its script polls)."""
    job = _load_job(round_id, job_id)
    return render_template("rounds/solving.html", round=load_round(round_id), job=job, publishing=job.kind == PUBLISH,
                           state=job_state(job, round_id), button=ButtonForm())


@bp.route("/<int:round_id>/solves/<int:job_id>.json")
@hr_required
def solving_status(round_id: int, job_id: int):
    """A solve's progress as JSON, for the progress page's script."""
    response = jsonify(job_state(_load_job(round_id, job_id), round_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:round_id>/solves/<int:job_id>/cancel", methods=["POST"])
@hr_required
def cancel_solve(round_id: int, job_id: int):
    """Cancel a queued or running solve: the round stays as it was before it."""
    job = _load_job(round_id, job_id)
    if not ButtonForm().validate_on_submit():
        flash(_("Please try again."), "error")
    elif jobs.cancel(job):
        audit.record("cancel_solve", actor=current_user, round_id=round_id, job_id=job_id, kind=job.kind)
        db.session.commit()
        flash(_("Publishing cancelled: the round is still solved and nobody was invited.") if job.kind == PUBLISH
              else _("Solve cancelled: the round is as it was before."), "success")
        return _to_review(round_id)
    else:
        flash(_("This solve has already ended."), "info")
    return redirect(url_for("rounds.solving", round_id=round_id, job_id=job_id))


@bp.route("/<int:round_id>/publish", methods=["POST"])
@hr_required
def publish(round_id: int):
    """Queue the round's publication (the invitations are written and sent in the background) and
    show its progress; one that has already ended (the synchronous mode) is said at once."""
    load_round(round_id)
    if not ButtonForm().validate_on_submit():
        flash(_("Please try again."), "error")
        return _to_review(round_id)
    try:
        job, started = start_publish(round_id, current_user.id)
    except RoundError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _to_review(round_id)
    return _follow_job(round_id, job, started, _say_published)


def _say_published(job: Job) -> None:
    """The words for a finished publication, from what its job recorded."""
    outcome = jobs.outcome_of(job)
    if not outcome.get("published"):
        flash(_("This round was already published; no invitations were sent again."), "info")
        return
    _warn_unsent(outcome.get("failed", 0), outcome.get("total", 0))
    sent = outcome.get("handed_over", 0)
    flash(ngettext("Published: %(count)s invitation sent.", "Published: %(count)s invitations sent.", sent,
                   count=format_number(sent)), "success")


@bp.route("/<int:round_id>/repair", methods=["POST"])
@hr_required
def repair(round_id: int):
    """Offer new matches or groups to the members whose match or place was declined."""
    def done(repair_):
        sent = _send(repair_.messages)
        flash(ngettext("Repaired: %(rematched)s member(s) offered a new match (%(count)s invitation sent); "
                       "%(left_over)s could not be.",
                       "Repaired: %(rematched)s member(s) offered a new match (%(count)s invitations sent); "
                       "%(left_over)s could not be.",
                       sent, rematched=format_number(repair_.rematched), count=format_number(sent),
                       left_over=format_number(repair_.left_over)), "success")
        names = member_names([*repair_.rematched_ids, *diagnosis_members(repair_.left)])
        if repair_.rematched_ids:
            flash(_("Offered a new match or group: %(names)s.",
                    names=", ".join(names.get(m, "?") for m in repair_.rematched_ids)), "info")
        if repair_.left:
            flash(_("Could not be re-matched: %(list)s.", list="; ".join(
                f"{names.get(entry['member_id'], '?')} ({diagnosis_text(entry, names)})" for entry in repair_.left)),
                "info")
        if repair_.told:
            _send(repair_.notices)
            flash(ngettext("Told %(num)s member that their partner declined.",
                           "Told %(num)s members that their partner declined.", repair_.told), "info")

    def action(_form):
        repair_ = repair_round(round_id)
        audit.record("repair", actor=current_user, round_id=round_id, rematched=repair_.rematched,
                     left_over=repair_.left_over, invitations=len(repair_.messages))
        return repair_

    return _act(round_id, action, done)


@bp.route("/<int:round_id>/groups/<int:group_id>/members/<int:member_id>/new-link", methods=["POST"])
@hr_required
def new_link(round_id: int, group_id: int, member_id: int):
    """Send a member who has not answered a fresh invitation link (the old one stops working)."""
    def done(message):
        if _send([message]):
            flash(_("Sent “%(name)s” a new invitation link; the old one no longer works.",
                    name=get_member(member_id).display_name), "success")

    return _act(round_id, lambda _form: send_new_link(round_id, group_id, member_id), done,
                **({"q": request.form["q"]} if request.form.get("q") else {}))


@bp.route("/<int:round_id>/close", methods=["POST"])
@hr_required
def close(round_id: int):
    """End the published round; feedback opens and members are told."""
    def action(_form):
        round_ = close_round(round_id)
        audit.record("close", actor=current_user, round_id=round_id)
        return announce_feedback(round_)

    def done(messages):
        if send(messages).failed:
            flash(_("The round is closed, but the emails saying feedback is open could not be sent just now."),
                  "error")
        flash(_("Closed: members can now give feedback."), "success")

    return _act(round_id, action, done)


@bp.route("/<int:round_id>/schedule", methods=["POST"])
@hr_required
def schedule(round_id: int):
    """Change the round's dates (and, for working groups, what the groups are for)."""
    def action(form: ScheduleForm):
        round_ = load_round(round_id)
        set_dates(round_, form.starts_on.data, form.ends_on.data)
        if round_.kind == "groups":
            set_round_purpose(round_, form.purpose.data)
        return round_

    return _act(round_id, action, lambda _round: flash(_("Saved the round's dates."), "success"), form=ScheduleForm())


def _pair_ids(form: PairForm) -> tuple[int, int]:
    """The two members a pin or forbid names, by id (a pair's row) or by email (typed)."""
    ids = []
    for side in ("first", "second"):
        raw_id, email = (form[f"{side}_id"].data or "").strip(), (form[f"{side}_email"].data or "").strip()
        if raw_id:
            if not is_id(raw_id):
                raise RoundError(_("Pick two members."))
            ids.append(int(raw_id))
        elif email:
            ids.append(pin_service.member_id_for_email(email))
        else:
            raise RoundError(_("Give both members' emails."))
    return ids[0], ids[1]


def _change_pair(round_id: int, change, message, **back):
    """Pin, forbid or take back the pair the form names; ``message`` is flashed with both names.

    ``message`` is a lazy text whose ``%(first)s`` and ``%(second)s`` are the two members' names.
    """
    def action(form: PairForm):
        first_id, second_id = _pair_ids(form)
        change(round_id, first_id, second_id)
        return first_id, second_id

    def done(pair):
        first, second = (get_member(member_id).display_name for member_id in pair)
        flash(message % {"first": first, "second": second}, "success")

    return _act(round_id, action, done, form=PairForm(), **back)


def _back_to_pins() -> dict:
    return {"tab": "pins"} if request.form.get("back") == "pins" else {}


@bp.route("/<int:round_id>/pins", methods=["POST"])
@hr_required
def pins(round_id: int):
    """Pin a pair for the next solve."""
    return _change_pair(round_id, pin_service.add_pin,
                        _l("Pinned: %(first)s and %(second)s. Solve again to apply it."), **_back_to_pins())


@bp.route("/<int:round_id>/forbids", methods=["POST"])
@hr_required
def forbids(round_id: int):
    """Forbid a pair for the next solve."""
    return _change_pair(round_id, pin_service.add_forbid,
                        _l("Forbidden: %(first)s and %(second)s. Solve again to apply it."), **_back_to_pins())


@bp.route("/<int:round_id>/pins/remove", methods=["POST"])
@hr_required
def remove_pin(round_id: int):
    """Take back a pin."""
    return _change_pair(round_id, pin_service.remove_pin, _l("Pin taken back. Solve again to apply it."), tab="pins")


@bp.route("/<int:round_id>/forbids/remove", methods=["POST"])
@hr_required
def remove_forbid(round_id: int):
    """Take back a forbid."""
    return _change_pair(round_id, pin_service.remove_forbid, _l("Forbid taken back. Solve again to apply it."),
                        tab="pins")


@bp.route("/<int:round_id>/move", methods=["POST"])
@hr_required
def move(round_id: int):
    """Move one member of a solved working-group round to another group."""
    def action(form: MoveForm):
        if not is_id(form.member_id.data):
            raise RoundError(_("Pick a member to move."))
        member_id = int(form.member_id.data)
        return get_member(member_id), move_member(round_id, member_id, form.to_number.data)

    def done(moved):
        member, group = moved
        flash(_("Moved “%(name)s” to group %(number)d (now %(size)d members).", name=member.display_name,
                number=group.number, size=len(group.members)), "success")

    return _act(round_id, action, done, form=MoveForm())


@bp.route("/<int:round_id>/swap", methods=["POST"])
@hr_required
def swap(round_id: int):
    """Swap two members of different groups of a solved working-group round (both sizes stay)."""
    def action(form: PairForm):
        first_id, second_id = _pair_ids(form)
        return first_id, second_id, swap_members(round_id, first_id, second_id)

    def done(swapped):
        first_id, second_id, (first_group, second_group) = swapped
        flash(_("Swapped “%(first)s” (now in group %(to)d) and “%(second)s” (now in group %(from)d); both groups "
                "keep %(first_size)d and %(second_size)d members.", first=get_member(first_id).display_name,
                second=get_member(second_id).display_name, to=second_group.number, **{"from": first_group.number},
                first_size=len(first_group.members), second_size=len(second_group.members)), "success")

    return _act(round_id, action, done, form=PairForm())


@bp.route("/<int:round_id>/keep-moves", methods=["POST"])
@hr_required
def keep_moves_view(round_id: int):
    """Keep HR's moves through the next solve, as pins."""
    def done(count: int):
        flash(ngettext("Kept the moves: %(num)d pin added, so solving again keeps each moved member with a "
                       "groupmate.", "Kept the moves: %(num)d pins added, so solving again keeps each moved member "
                       "with a groupmate.", count), "success")

    return _act(round_id, lambda _form: keep_moves(round_id), done)


# --- the export -------------------------------------------------------------------------------


@bp.route("/<int:round_id>/export.csv")
@hr_required
def export(round_id: int):
    """The round as CSV for Excel: one row per pair, or per group member."""
    round_ = load_round(round_id)
    body = review_service.export_csv(round_).encode("utf-8-sig")
    audit.record("round_export", actor=current_user, round_id=round_.id)
    db.session.commit()
    return Response(
        body,  # the BOM makes Excel read Thai as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="copmatch-round-{round_.id}-{round_.kind}.csv"'},
    )
