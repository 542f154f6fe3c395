"""Error pages: a clear page for every failure, that still answers when the database does not.

Every error page is rendered without the database: no user loader (the page is drawn as for a
visitor, without the account menu), no language from the member's profile (the cookie or the
browser's choice instead), no query. So when the database is down, logged-in members and HR
get the application's own "temporarily unavailable" page (503), not the web server's bare
"Internal Server Error" that re-entering the failing user loader would give.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from models import db

log = logging.getLogger(__name__)

#: Database errors that mean "not reachable just now" rather than "this request is wrong".
UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
#: Seconds a client is asked to wait before trying again after a 503.
RETRY_AFTER = 30


def _reason(error: HTTPException) -> str | None:
    """The description a view gave with ``abort(code, description=...)``, if any.

    Werkzeug's own default descriptions are English sentences for developers;
    without a view's own reason the page shows its translated default instead.
    """
    description = error.description
    return None if not description or description == type(error).description else description


def _without_database() -> None:
    """Draw the page as for a visitor, in the cookie's or browser's language, and give the
    session's connection back: nothing on an error page may touch the database."""
    g._login_user = AnonymousUserMixin()  # Flask-Login then never calls the user loader
    g.skip_user_locale = True
    try:
        db.session.rollback()
    except Exception:  # a connection that is gone cannot roll back; the page is still drawn
        log.warning("Rolling back after an error failed", exc_info=True)


def page(template: str, status: int, **context):
    """An error page, rendered without the database."""
    _without_database()
    return render_template(template, **context), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        # Flask-WTF's reasons ("The CSRF token is missing.") are English only; one message says it all.
        _without_database()
        reason = _("The form could not be checked (CSRF): it has expired or was sent from another page. "
                   "Go back, reload the page and try again.")
        return render_template("errors/400.html", reason=reason), 400

    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # The Host header is not one of TRUSTED_HOSTS: no link can be built for it, so no page either.
        return _("This address is not served here."), 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(400)
    def bad_request(error):
        return page("errors/400.html", 400, reason=_reason(error))

    @app.errorhandler(sa.exc.DataError)
    def unstorable_value(_error):
        # The last line of defence: the forms refuse such values with a message first.
        log.warning("A request carried a value the database refused (%s)", type(_error.orig).__name__)
        return page("errors/400.html", 400, reason=_("A value you sent cannot be stored (it is too large, "
                                                     "or holds a character that is not allowed)."))

    @app.errorhandler(403)
    def forbidden(_error):
        return page("errors/403.html", 403)

    @app.errorhandler(404)
    def not_found(_error):
        return page("errors/404.html", 404)

    @app.errorhandler(405)
    def method_not_allowed(error):
        response, status = page("errors/405.html", 405)
        return response, status, {"Allow": ", ".join(error.valid_methods or ())}

    @app.errorhandler(410)
    def gone(error):
        return page("errors/410.html", 410, reason=_reason(error))

    @app.errorhandler(413)
    def too_large(_error):
        limit = request.max_content_length
        return page("errors/413.html", 413, megabytes=max(1, round(limit / (1024 * 1024))) if limit else None)

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        return page("errors/other.html", error.code or 500, code=error.code)

    def database_unavailable(error):
        log.error("The database is unavailable (%s)", type(getattr(error, "orig", None) or error).__name__)
        response, status = page("errors/503.html", 503)
        return response, status, {"Retry-After": str(RETRY_AFTER)}

    for unavailable in UNAVAILABLE:
        app.register_error_handler(unavailable, database_unavailable)

    @app.errorhandler(429)
    def too_many_requests(_error):
        from webapp.security import seconds_until_retry

        seconds = seconds_until_retry()
        response, status = page("errors/429.html", 429, wait=waiting_time(seconds))
        return response, status, {"Retry-After": str(seconds)}

    @app.errorhandler(500)
    def server_error(_error):
        return page("errors/500.html", 500)


def waiting_time(seconds: int) -> str:
    """"30 seconds", "2 minutes", "1 hour", in the page's language (rounded up)."""
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    if seconds < 3600:
        minutes = -(-seconds // 60)
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = -(-seconds // 3600)
    return ngettext("%(num)d hour", "%(num)d hours", hours)
