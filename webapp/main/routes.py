"""The home page and the health check."""

import sqlalchemy as sa
from flask import jsonify, render_template
from sqlalchemy.exc import SQLAlchemyError

from models import db
from webapp.main import bp


@bp.route("/")
def index():
    """The home page: what a Community of Practice is and what a member can do here."""
    return render_template("main/index.html")


@bp.route("/healthz")
def healthz():
    """JSON for load balancers: 200 when the database answers, 503 when not."""
    try:
        db.session.execute(sa.select(1))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="reachable")
