"""Access rules: one place that says who may see HR pages."""

from functools import wraps

from flask import abort
from flask_login import current_user

from webapp.extensions import login_manager


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
    """True for a local path such as ``/profile``; False for other hosts or schemes."""
    from urllib.parse import urlsplit

    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
