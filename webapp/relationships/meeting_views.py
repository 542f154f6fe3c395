"""Sessions of a pair and meetings of a working group: propose, log, cancel, download the invitation.

The same views serve both: ``/relationships/<id>/meetings/...`` and
``/groups/<id>/meetings/...`` load their owner (a 404 for anyone outside it)
and share the rest.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Match, Member, db
from webapp.forms import ButtonForm
from webapp.relationships import bp
from webapp.relationships.forms import LogForm, ProposeForm
from webapp.services.after_match import meetings
from webapp.services.after_match.calendar import invitation
from webapp.services.after_match.notices import meeting_title, send


def send_or_warn(messages) -> None:
    """Send after the commit; say so when the mail server could not take them."""
    if send(messages).failed:
        flash(_("Saved, but the emails about it could not be sent just now."), "error")


def meeting_context(owner, viewer: Member, propose_form=None, log_form=None) -> dict:
    """What the meetings part of a page needs: the list, the forms, and whether private notes show."""
    skills = meetings.skill_choices(owner)
    return {
        "meetings": meetings.meetings_of(owner), "meeting_skills": skills,
        "propose_form": propose_form or ProposeForm(formdata=None),
        "log_form": log_form or LogForm(formdata=None, skills=skills),
        "sees_private": _takes_part(owner, viewer), "acts": _takes_part(owner, viewer),
        "can_propose": _open(owner),
    }


def _takes_part(owner, viewer: Member) -> bool:
    if isinstance(owner, Match):
        return owner.side_of(viewer.id) is not None
    return any(p.member_id == viewer.id and p.status == "accepted" for p in owner.members)


def _open(owner) -> bool:
    return not owner.round.can("give_feedback") and (not isinstance(owner, Match) or owner.live)


def _load(kind: str, owner_id: int, *, acting: bool = True):
    if kind == "relationships":
        from webapp.relationships.routes import load_relationship

        return load_relationship(owner_id, acting=acting)
    from webapp.relationships.groups import load_group

    owner = load_group(owner_id)
    if acting and not _takes_part(owner, current_user):
        abort(403)
    return owner


def _back(kind: str, owner, anchor: str = "meetings"):
    endpoint = "relationships.show" if kind == "relationships" else "relationships.group"
    key = "match_id" if kind == "relationships" else "group_id"
    return redirect(url_for(endpoint, **{key: owner.id}) + f"#{anchor}")


def _render(kind: str, owner, **forms):
    if kind == "relationships":
        from webapp.relationships.routes import _page
    else:
        from webapp.relationships.groups import _page
    return _page(owner, status=422, **forms)


KINDS = "<any(relationships, groups):kind>"


@bp.route(f"/{KINDS}/<int:owner_id>/meetings/propose", methods=["POST"])
@login_required
def propose(kind: str, owner_id: int):
    """Propose a session or meeting; everyone gets a calendar invitation."""
    owner = _load(kind, owner_id)
    form = ProposeForm()
    if form.validate_on_submit():
        try:
            _meeting, messages = meetings.propose_meeting(owner, current_user, form.day.data, form.at.data,
                                                          form.minutes.data, form.place.data or "")
        except meetings.MeetingError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            send_or_warn(messages)
            flash(_("Proposed. Everyone got a calendar invitation by email; you can also download it below."),
                  "success")
            return _back(kind, owner)
    return _render(kind, owner, propose_form=form)


@bp.route(f"/{KINDS}/<int:owner_id>/meetings/log", methods=["POST"])
@bp.route(f"/{KINDS}/<int:owner_id>/meetings/<int:meeting_id>/log", methods=["POST"])
@login_required
def log(kind: str, owner_id: int, meeting_id: int | None = None):
    """Log a session or meeting that took place (a proposed one, or a new entry)."""
    owner = _load(kind, owner_id)
    meeting = None
    if meeting_id is not None and (meeting := meetings.meeting_of(owner, meeting_id)) is None:
        abort(404)
    form = LogForm(skills=meetings.skill_choices(owner))
    if form.validate_on_submit():
        try:
            meetings.log_meeting(owner, current_user, form.day.data, form.minutes.data, form.skills.data or [],
                                 form.private_note.data or "", form.shared_note.data or "", meeting)
        except meetings.MeetingError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Session logged. Thank you: this is how HR knows the programme is working."), "success")
            return _back(kind, owner)
    return _render(kind, owner, log_form=form)


@bp.route(f"/{KINDS}/<int:owner_id>/meetings/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel(kind: str, owner_id: int, meeting_id: int):
    """Cancel a proposed meeting; everyone's calendar gets the cancellation."""
    owner = _load(kind, owner_id)
    meeting = meetings.meeting_of(owner, meeting_id)
    if meeting is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        try:
            messages = meetings.cancel_meeting(owner, meeting, current_user)
        except meetings.MeetingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            send_or_warn(messages)
            flash(_("Cancelled; everyone got the cancellation for their calendar."), "info")
    return _back(kind, owner)


@bp.route(f"/{KINDS}/<int:owner_id>/meetings/<int:meeting_id>.ics")
@login_required
def calendar_file(kind: str, owner_id: int, meeting_id: int):
    """The calendar invitation of a proposed meeting, to download."""
    from webapp.relationships.routes import ics_response

    owner = _load(kind, owner_id, acting=False)
    meeting = meetings.meeting_of(owner, meeting_id)
    if meeting is None or meeting.starts_at is None:
        abort(404)
    data = invitation(meeting, meetings.attendees(owner), meeting.proposed_by, meeting_title(owner, current_user),
                      cancel=meeting.state == "cancelled")
    return ics_response(data, f"copmatch-meeting-{meeting.id}.ics")
