"""Configuration from the environment, with overrides for tests."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

#: How many days an invitation or set-password link works, unless ``INVITATION_DAYS`` says otherwise.
DEFAULT_INVITATION_DAYS = 14
#: Days without a logged session or a positive check-in after which a match needs attention.
DEFAULT_INACTIVE_DAYS = 21
#: How many days a check-in's one-click links work.
DEFAULT_CHECK_IN_DAYS = 14


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable application."""


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill ``app.config`` from the environment, then apply ``overrides``."""
    overrides = dict(overrides or {})
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=database_url(os.environ.get("DATABASE_URL"), instance),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        COPMATCH_ENV=os.environ.get("COPMATCH_ENV", "development"),
        INVITATION_DAYS=int(os.environ.get("INVITATION_DAYS", DEFAULT_INVITATION_DAYS)),
        INACTIVE_DAYS=int(os.environ.get("INACTIVE_DAYS", DEFAULT_INACTIVE_DAYS)),
        CHECK_IN_DAYS=int(os.environ.get("CHECK_IN_DAYS", DEFAULT_CHECK_IN_DAYS)),
        # The organisation's time zone: a round's dates (its end, when feedback opens) are days there.
        ORGANISATION_TIMEZONE=os.environ.get("ORGANISATION_TIMEZONE", "Asia/Bangkok"),
        # Where links in messages point when no request is at hand (CLI, job queue).
        BASE_URL=os.environ.get("COPMATCH_BASE_URL", "http://127.0.0.1:5000"),
        # Email: unset MAIL_SERVER writes messages to the log instead.
        MAIL_SERVER=os.environ.get("MAIL_SERVER"),
        MAIL_PORT=int(os.environ.get("MAIL_PORT", "25")),
        MAIL_USE_TLS=_flag(os.environ.get("MAIL_USE_TLS")),
        MAIL_USE_SSL=_flag(os.environ.get("MAIL_USE_SSL")),
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME"),
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD"),
        MAIL_SENDER=os.environ.get("MAIL_SENDER", "CoPMatch <copmatch@localhost>"),
        MEMBERS_PER_PAGE=25,
        # The language for visitors whose browser asks for none we speak; a Thai deployment sets "th".
        DEFAULT_LOCALE=os.environ.get("DEFAULT_LOCALE", "en"),
        # Thai dates in the Buddhist Era (2569 for 2026), as Thai organisations write them.
        THAI_BUDDHIST_ERA=_flag(os.environ.get("THAI_BUDDHIST_ERA")),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO").upper(),
    )
    app.config.update(overrides)
    if "SECRET_KEY" not in overrides:
        app.config["SECRET_KEY"] = secret_key(app.config["COPMATCH_ENV"], instance)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"], instance)


def _flag(value: str | None) -> bool:
    """An on/off setting from the environment: 1, true or yes (any case) is on."""
    return (value or "").strip().lower() in ("1", "true", "yes")


def database_url(url: str | None, instance: Path | None) -> str:
    """The SQLAlchemy URL: SQLite in the instance folder by default, psycopg 3 for PostgreSQL."""
    if not url:
        return f"sqlite:///{instance / 'copmatch.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(environment: str, instance: Path) -> str:
    """``SECRET_KEY`` from the environment; in development, one kept in the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if environment == "production":
        raise ConfigurationError(
            "SECRET_KEY is not set. With COPMATCH_ENV=production CoPMatch refuses to start "
            "without one: set SECRET_KEY to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
