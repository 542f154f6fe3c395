"""The home page and the health check."""

from pathlib import Path

import sqlalchemy as sa
from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from models import db
from models.member import LOCALES
from webapp.forms import ButtonForm
from webapp.i18n import LOCALE_COOKIE
from webapp.main import bp
from webapp.security import is_safe_next

#: How long a visitor's choice of language is kept (a year).
LOCALE_COOKIE_SECONDS = 365 * 24 * 3600


@bp.route("/")
def index():
    """The home page: what a Community of Practice is and what a member can do here."""
    return render_template("main/index.html")


@bp.route("/favicon.ico")
def favicon():
    """The site's icon, where browsers and bookmarks look for it.

    Read whole (it is a few hundred bytes) rather than streamed, so a browser that drops the
    request half-way leaves no open file behind.
    """
    icon = Response((Path(current_app.static_folder) / "favicon.ico").read_bytes(),
                    mimetype="image/vnd.microsoft.icon")
    icon.cache_control.public, icon.cache_control.max_age = True, 7 * 24 * 3600
    return icon


@bp.route("/healthz")
def healthz():
    """JSON for load balancers: 200 when the database answers, 503 when not."""
    try:
        db.session.execute(sa.select(1))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="reachable")


@bp.route("/language", methods=["POST"])
def language():
    """Switch the interface language; a member's choice is saved with their profile."""
    chosen = request.form.get("locale", "")
    if chosen not in LOCALES or not ButtonForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        current_user.locale = chosen
        db.session.commit()
    target = request.form.get("next")
    return remember_language(redirect(target if is_safe_next(target) else url_for("main.index")), chosen)


def remember_language(response, locale: str):
    """Keep ``locale`` in the visitor's cookie, so pages speak it also when nobody is logged in."""
    response.set_cookie(LOCALE_COOKIE, locale, max_age=LOCALE_COOKIE_SECONDS, httponly=True, samesite="Lax",
                        secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"])
    return response
