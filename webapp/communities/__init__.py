from flask import Blueprint

bp = Blueprint("communities", __name__)

from webapp.communities import routes  # noqa: E402,F401
