"""The privacy notice, members' consent to it, and a member's download of their own data (PDPA).

A logged-in member who has not agreed to the current version of the notice is sent to it
before any other page; the notice itself, logging out, switching the language and the
download of their own data stay open to them.
"""

from __future__ import annotations

import json

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import db
from webapp.forms import ButtonForm
from webapp.i18n import current_language
from webapp.privacy import bp
from webapp.security import is_safe_next
from webapp.services import audit, privacy

#: Pages a member may reach before agreeing to the notice.
OPEN_BEFORE_CONSENT = frozenset({
    "static", "privacy.notice", "privacy.consent", "privacy.my_data", "auth.logout", "auth.login",
    "main.language", "main.healthz", "matches.open_invitation", "matches.invitation",
})
#: The session remembers "this member agreed to this version", so the check costs no query per page.
SESSION_KEY = "consented"


def _remembered() -> str:
    return f"{current_user.id}:{privacy.NOTICE_VERSION}"


@bp.before_app_request
def ask_for_consent():
    """Send a member who has not agreed to the current notice to it (a GET comes back afterwards)."""
    if request.endpoint in OPEN_BEFORE_CONSENT or request.endpoint is None:
        return None
    if not current_user.is_authenticated or session.get(SESSION_KEY) == _remembered():
        return None
    if privacy.has_consented(current_user):
        session[SESSION_KEY] = _remembered()
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("privacy.consent", next=target) if target else url_for("privacy.consent"))


@bp.route("/privacy")
def notice():
    """The privacy notice: what CoPMatch holds, why, who sees it, for how long, and your rights."""
    return render_template("privacy/notice.html", **_notice_context())


def _notice_context() -> dict:
    return {"version": privacy.NOTICE_VERSION, "contact": current_app.config.get("PRIVACY_CONTACT"),
            "retention_days": current_app.config["RETENTION_DAYS"]}


@bp.route("/privacy/consent", methods=["GET", "POST"])
@login_required
def consent():
    """Agree to the privacy notice: at the first login, and again when the notice changes."""
    form = ButtonForm()
    target = request.args.get("next")
    target = target if is_safe_next(target) else url_for("main.index")
    if form.validate_on_submit():
        if privacy.record_consent(current_user, current_language()) is not None:
            db.session.commit()
            flash(_("Thank you. You can read the privacy notice again at any time from the foot of each page."),
                  "success")
        session[SESSION_KEY] = _remembered()
        return redirect(target)
    return render_template("privacy/consent.html", form=form, agreed=privacy.has_consented(current_user),
                           **_notice_context())


@bp.route("/privacy/my-data.json")
@login_required
def my_data():
    """Download everything CoPMatch holds about me, as JSON."""
    data = privacy.personal_data(current_user)
    audit.record("data_export", actor=current_user, subject=current_user)
    db.session.commit()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="copmatch-my-data.json"'},
    )
