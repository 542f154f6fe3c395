from flask import Blueprint

bp = Blueprint("relationships", __name__)

from webapp.relationships import checkins, groups, meeting_views, routes  # noqa: E402,F401
