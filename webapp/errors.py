"""Error pages: a clear page for every failure, and a clean session after a crash."""

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from models import db


def _reason(error: HTTPException) -> str | None:
    """The description a view gave with ``abort(code, description=...)``, if any.

    Werkzeug's own default descriptions are English sentences for developers;
    without a view's own reason the page shows its translated default instead.
    """
    description = error.description
    return None if not description or description == type(error).description else description


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        # Flask-WTF's reasons ("The CSRF token is missing.") are English only; one message says it all.
        reason = _("The form could not be checked (CSRF): it has expired or was sent from another page. "
                   "Go back, reload the page and try again.")
        return render_template("errors/400.html", reason=reason), 400

    @app.errorhandler(400)
    def bad_request(error):
        return render_template("errors/400.html", reason=_reason(error)), 400

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(410)
    def gone(error):
        return render_template("errors/410.html", reason=_reason(error)), 410

    @app.errorhandler(429)
    def too_many_requests(_error):
        from webapp.security import seconds_until_retry

        seconds = seconds_until_retry()
        response = app.make_response((render_template("errors/429.html", wait=waiting_time(seconds)), 429))
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_template("errors/500.html"), 500


def waiting_time(seconds: int) -> str:
    """"30 seconds", "2 minutes", "1 hour", in the page's language (rounded up)."""
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    if seconds < 3600:
        minutes = -(-seconds // 60)
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = -(-seconds // 3600)
    return ngettext("%(num)d hour", "%(num)d hours", hours)
