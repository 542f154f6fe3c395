from flask import Blueprint

bp = Blueprint("hr", __name__)

from webapp.hr import outbox, routes  # noqa: E402,F401
