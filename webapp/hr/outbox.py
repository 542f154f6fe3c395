"""HR's view of the outbox: messages that could not be sent, why, and a button to try again."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from models import db
from webapp import jobs
from webapp.forms import ButtonForm
from webapp.hr import bp
from webapp.http import is_id
from webapp.security import hr_required
from webapp.services import audit, outbox
from webapp.services.audit import MESSAGE_KINDS
from webapp.services.paging import page_number


@bp.route("/outbox")
@hr_required
def outbox_page():
    """How many messages wait, and each one that failed for good, with its reason."""
    page = outbox.failed_page(page_number(request.args.get("page")), 50)
    return render_template("hr/outbox.html", counts=outbox.counts(), page=page, reasons=outbox.REASONS,
                           kinds=MESSAGE_KINDS, button=ButtonForm())


@bp.route("/outbox/retry", methods=["POST"])
@hr_required
def retry_messages():
    """Send failed messages again: one (``message``) or all of them."""
    form = ButtonForm()
    if form.validate_on_submit():
        chosen = request.form.get("message", "")
        count = outbox.retry([int(chosen)] if is_id(chosen) else None)
        if count:
            audit.record("message_retry", actor=current_user, messages=count)
        db.session.commit()
        if count:
            jobs.dispatch("deliver")
        flash(ngettext("%(num)d message is back in the queue.", "%(num)d messages are back in the queue.", count),
              "success" if count else "info")
    return redirect(url_for("hr.outbox_page"))
