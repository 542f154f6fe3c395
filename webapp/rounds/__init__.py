from flask import Blueprint

bp = Blueprint("rounds", __name__)

from webapp.rounds import routes  # noqa: E402,F401
