from flask import Blueprint

bp = Blueprint("questions", __name__)

from webapp.questions import routes  # noqa: F401
