"""Access rules: who may see HR pages, where ``next`` may lead, how a log-in starts a
session, and the rate limits on everything an outsider could try many times."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user

from webapp.extensions import limiter, login_manager


def hr_required(view):
    """Let HR through; send visitors to log in and answer 403 to members."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_hr:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def private_page(response):
    """A page reached by a personal link (it may carry emails): keep it out of caches and referrers."""
    from flask import make_response

    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def is_safe_next(target: str | None) -> bool:
    r"""True for a local path such as ``/profile``; False for other hosts or schemes, and for
    anything with a control character (``/profile\r\nSet-Cookie: ...`` would split the header).

    >>> is_safe_next("/profile"), is_safe_next("//evil.example"), is_safe_next("/profile\r\nSet-Cookie:x=1")
    (True, False, False)
    """
    from webapp.services.text import text_problem

    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if text_problem(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def start_session(member, remember: bool = False) -> None:
    """Log ``member`` in on a fresh session: nothing from before the log-in is kept.

    The CSRF token in particular is new, so a token someone planted or saw
    before the log-in is worth nothing after it.
    """
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the request's token here
    login_user(member, remember=remember)


# --- rate limits ----------------------------------------------------------------------------------


def rate_limit(setting: str, key=get_remote_address, *, methods=("POST",), failures_only: bool = False,
               scope: str | None = None):
    """Limit a view by ``current_app.config[setting]`` (e.g. ``"5 per minute; 20 per hour"``) per ``key``.

    ``failures_only`` counts only requests that did not succeed (anything but
    a redirect), so members who log in at the first try never use up a limit.
    ``scope`` shares one counter between several views (e.g. every view that
    sends an email to an address). Tests switch limits off with
    ``RATELIMIT_ENABLED=False`` and on again to exercise them.
    """
    options = {"key_func": key, "methods": list(methods),
               "deduct_when": (lambda response: response.status_code != 302) if failures_only else None}
    if scope:
        return limiter.shared_limit(lambda: current_app.config[setting], scope=scope, **options)
    return limiter.limit(lambda: current_app.config[setting], **options)


def submitted_email() -> str:
    """The rate-limit key of the address typed into a form (per account, known or not).

    A hash of the address, so that neither the limiter's log lines nor the
    keys in Redis hold anyone's email.
    """
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"email:{email_key(email)}" if email else f"address:{get_remote_address()}"


def email_key(email: str) -> str:
    """A short keyed hash standing for an email address in rate-limit keys."""
    import hashlib
    import hmac

    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


def member_key() -> str:
    """The rate-limit key of the logged-in member (their address when nobody is logged in)."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"address:{get_remote_address()}"


def seconds_until_retry() -> int:
    """How long the limit this request broke still holds, in whole seconds (at least 1)."""
    import time

    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, int(breached.reset_at - time.time()))
