"""What every request and response gets, whatever the view: bounded ids in URLs, a size limit
checked before anything is parsed, security headers, and no caching of pages.

- ``<int:...>`` in a route only matches ids a database column can hold (up to 2³¹ − 1), so
  ``/members/99999999999999999999`` is a 404 on SQLite and PostgreSQL alike, not a 500.
- ``MAX_CONTENT_LENGTH`` applies to every request; a view that takes a file says how much more it
  takes with ``@takes_upload``. Werkzeug compares the ``Content-Length`` with the limit before
  reading the body, and stops reading a body without one at the limit: the answer is a 413.
- The headers: a Content-Security-Policy without inline script and with ``frame-ancestors
  'none'``, ``X-Content-Type-Options: nosniff``, a ``Referrer-Policy``, HSTS in production, and
  ``Cache-Control: no-store`` on everything but the static files, since pages and exports show
  personal data. A view may set its own value of any of them (an invitation page sends
  ``Referrer-Policy: no-referrer``); these are the defaults.

A small after-request hook rather than Flask-Talisman: Talisman overwrites a view's own
``Referrer-Policy`` and decides HSTS from ``request.is_secure``, which behind a TLS-terminating
proxy is false; browsers ignore HSTS sent over plain HTTP, so sending it in production is safe.
"""

from __future__ import annotations

import logging
import re
from functools import wraps

from flask import Flask, current_app, request
from werkzeug.routing import IntegerConverter

#: The largest id a URL may carry: PostgreSQL's ``integer`` (SQLite's is wider).
MAX_ID = 2**31 - 1

#: Scripts, styles and images only from this site; no plugins, no framing, no ``<base>`` tricks.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"
#: Room a multipart upload needs besides the file itself (boundaries, the CSRF token, the button).
UPLOAD_OVERHEAD = 64 * 1024


#: Addresses whose last part is a secret token (an invitation or a set-password link).
TOKEN_PATHS = re.compile(r"(/invitations/|/auth/set-password/)[^\s?#/\"']+")
#: The loggers that write one line per request with its address.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


class RedactTokens(logging.Filter):
    """Access-log lines with ``/invitations/[token]`` instead of the working link.

    >>> RedactTokens().redact('"GET /invitations/abc_DEF-123 HTTP/1.1" 303')
    '"GET /invitations/[token] HTTP/1.1" 303'
    """

    @staticmethod
    def redact(text: str) -> str:
        return TOKEN_PATHS.sub(r"\1[token]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self.redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):  # gunicorn's access log passes a mapping
            record.args = {key: self.redact(value) if isinstance(value, str) else value
                           for key, value in record.args.items()}
        return True


def redact_access_logs() -> None:
    """Keep tokens out of the access logs of the development server and gunicorn."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
            logger.addFilter(RedactTokens())


def is_id(text: str | None) -> bool:
    """Whether ``text`` (a form's value) is an id a database column can hold.

    >>> is_id("42"), is_id("99999999999999999999"), is_id("-1"), is_id("๔๒")
    (True, False, False, False)
    """
    return bool(text) and text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


class BoundedInteger(IntegerConverter):
    """``<int:...>`` that matches only ids up to ``MAX_ID`` (more is a 404, never an overflow)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def takes_upload(limit: int):
    """Let the decorated view receive a file of up to ``limit`` bytes (more than ``MAX_CONTENT_LENGTH``)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        wrapped.upload_limit = limit
        return wrapped

    return decorate


def _raise_limit_for_uploads(endpoint: str | None, _values) -> None:
    """Before any ``before_request`` hook (CSRF reads the form): the view's own limit, if it has one."""
    view = current_app.view_functions.get(endpoint or "")
    limit = getattr(view, "upload_limit", None)
    if limit is not None:
        request.max_content_length = limit + UPLOAD_OVERHEAD


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors, for browsers that predate it
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["COPMATCH_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def register(app: Flask) -> None:
    redact_access_logs()
    app.url_map.converters["int"] = BoundedInteger
    app.url_value_preprocessor(_raise_limit_for_uploads)
    app.after_request(_security_headers)
