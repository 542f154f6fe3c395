from flask import Blueprint

bp = Blueprint("mentors", __name__)

from webapp.mentors import routes  # noqa: F401
