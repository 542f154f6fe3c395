from flask import Blueprint

bp = Blueprint("matches", __name__)

from webapp.matches import routes  # noqa: E402,F401
