from flask import Blueprint

bp = Blueprint("moderation", __name__)

from webapp.moderation import routes  # noqa: F401
