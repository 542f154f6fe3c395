from flask import Blueprint

bp = Blueprint("programme", __name__)

from webapp.programme import routes  # noqa: E402,F401
