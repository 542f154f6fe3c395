"""Error pages: a clear page for every failure, and a clean session after a crash."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from models import db


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", reason=error.description), 400

    @app.errorhandler(400)
    def bad_request(error):
        return render_template("errors/400.html", reason=error.description), 400

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(410)
    def gone(error):
        return render_template("errors/410.html", reason=error.description), 410

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_template("errors/500.html"), 500
