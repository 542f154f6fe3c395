"""The CoPMatch web application: ``create_app`` reads as its table of contents."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from webapp.config import load_config

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TRANSLATIONS = ROOT / "translations"


def create_app(config: dict | None = None) -> Flask:
    """Build the application; ``config`` overrides what the environment says."""
    app = Flask(__name__, instance_relative_config=True, template_folder=str(TEMPLATES))
    load_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_http(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    register_background(app)
    return app


def register_background(app: Flask) -> None:
    """Without Redis (``make run``), the web process runs the scheduled tick itself, from its first
    request on (not in the tests, nor in commands such as ``db upgrade``)."""
    from webapp import jobs

    if app.testing or jobs.backend(app) != "thread":
        return

    @app.before_request
    def start_ticker():
        jobs.start_ticker(app)


def register_logging(app: Flask) -> None:
    """Log at ``LOG_LEVEL`` (INFO by default), so messages written to the log when no
    mail server is set are seen in ``make run``'s terminal."""
    app.logger.setLevel(app.config["LOG_LEVEL"])


def register_extensions(app: Flask) -> None:
    from models import db
    from webapp.auth.sso import init_sso
    from webapp.extensions import babel, csrf, limiter, login_manager, migrate, remember_engine
    from webapp.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            remember_engine(engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_sso(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS),
                   default_locale=app.config["DEFAULT_LOCALE"])


def register_http(app: Flask) -> None:
    """Bounded ids in URLs, request size limits and security headers (before the blueprints
    add their routes, so every ``<int:...>`` is bounded)."""
    from webapp.http import register

    register(app)


def register_blueprints(app: Flask) -> None:
    from webapp.audit import bp as audit_bp
    from webapp.auth import bp as auth_bp
    from webapp.communities import bp as communities_bp
    from webapp.dashboard import bp as dashboard_bp
    from webapp.hr import bp as hr_bp
    from webapp.main import bp as main_bp
    from webapp.matches import bp as matches_bp
    from webapp.mentors import bp as mentors_bp
    from webapp.moderation import bp as moderation_bp
    from webapp.practice import bp as practice_bp
    from webapp.questions import bp as questions_bp
    from webapp.privacy import bp as privacy_bp
    from webapp.profile import bp as profile_bp
    from webapp.programme import bp as programme_bp
    from webapp.relationships import bp as relationships_bp
    from webapp.rounds import bp as rounds_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(profile_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(communities_bp)
    app.register_blueprint(hr_bp, url_prefix="/hr")
    app.register_blueprint(dashboard_bp, url_prefix="/hr")
    app.register_blueprint(matches_bp)
    app.register_blueprint(mentors_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(practice_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(rounds_bp, url_prefix="/hr/rounds")
    app.register_blueprint(relationships_bp)
    app.register_blueprint(programme_bp, url_prefix="/hr/programme")
    app.register_blueprint(audit_bp, url_prefix="/hr/audit")


def register_errorhandlers(app: Flask) -> None:
    from webapp.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from webapp.commands import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from webapp.templating import register

    register(app)
