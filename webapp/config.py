"""Configuration from the environment, with overrides for tests."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

#: How many days an invitation or set-password link works, unless ``INVITATION_DAYS`` says otherwise.
DEFAULT_INVITATION_DAYS = 14
#: Days without a logged session or a positive check-in after which a match needs attention.
DEFAULT_INACTIVE_DAYS = 21
#: How many days a check-in's one-click links work.
DEFAULT_CHECK_IN_DAYS = 14

#: Who may create an account themselves (``REGISTRATION``): nobody, addresses in
#: ``ALLOWED_EMAIL_DOMAINS``, or anyone. Every sign-up is confirmed by a link to the address.
REGISTRATION_POLICIES = ("closed", "domains", "open")
#: "Keep me logged in" lasts at most this many days, whatever ``REMEMBER_DAYS`` asks.
MAX_REMEMBER_DAYS = 30
#: Rate limits (Flask-Limiter's notation), each overridable by the environment variable of the same name.
DEFAULT_RATE_LIMITS = {
    # Failed log-ins, per account (the email typed) and per network address.
    "RATELIMIT_LOGIN_ACCOUNT": "5 per minute; 20 per hour",
    "RATELIMIT_LOGIN_ADDRESS": "30 per minute; 300 per hour",
    # Sign-up and forgot-password requests, per address and per email asked for (each sends a message).
    "RATELIMIT_EMAIL_ADDRESS": "10 per hour",
    "RATELIMIT_EMAIL_RECIPIENT": "3 per hour",
    # Opening and submitting links that carry a token (sign-up, set and reset password), per address.
    "RATELIMIT_TOKEN": "20 per minute; 100 per hour",
    # Changing one's password, per member.
    "RATELIMIT_PASSWORD_CHANGE": "5 per minute; 20 per hour",
    # The type-ahead suggestions, per member.
    "RATELIMIT_SUGGEST": "60 per minute; 600 per hour",
    # Posting to others between rounds (mentor requests, questions, answers, notes, reports), per member.
    "RATELIMIT_POSTING": "10 per minute; 60 per hour",
}
#: How many days decline reasons and free-text feedback are kept, unless ``RETENTION_DAYS`` says otherwise.
DEFAULT_RETENTION_DAYS = 365
#: The largest request body, unless ``MAX_CONTENT_LENGTH`` says otherwise (an import takes more).
DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable application."""


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill ``app.config`` from the environment, then apply ``overrides``."""
    overrides = dict(overrides or {})
    instance = Path(app.instance_path)
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    environment = overrides.get("COPMATCH_ENV", os.environ.get("COPMATCH_ENV", "development"))
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=database_url(os.environ.get("DATABASE_URL"), instance),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        COPMATCH_ENV=environment,
        INVITATION_DAYS=int(os.environ.get("INVITATION_DAYS", DEFAULT_INVITATION_DAYS)),
        INACTIVE_DAYS=int(os.environ.get("INACTIVE_DAYS", DEFAULT_INACTIVE_DAYS)),
        CHECK_IN_DAYS=int(os.environ.get("CHECK_IN_DAYS", DEFAULT_CHECK_IN_DAYS)),
        # The organisation's time zone: a round's dates (its end, when feedback opens) are days there.
        ORGANISATION_TIMEZONE=os.environ.get("ORGANISATION_TIMEZONE", "Asia/Bangkok"),
        # Where every link in a message points: never the request's Host header.
        BASE_URL=os.environ.get("COPMATCH_BASE_URL", DEFAULT_BASE_URL),
        # The host names requests may carry (comma-separated); in production, BASE_URL's by default.
        TRUSTED_HOSTS=_list(os.environ.get("TRUSTED_HOSTS")),
        # Bytes a request body may have; Werkzeug refuses more (413) before parsing anything.
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH)),
        RETENTION_DAYS=int(os.environ.get("RETENTION_DAYS", DEFAULT_RETENTION_DAYS)),
        # Who members write to about their personal data (shown on the privacy notice).
        PRIVACY_CONTACT=os.environ.get("PRIVACY_CONTACT", ""),
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
        # Background work (webapp.jobs): RQ on Redis when REDIS_URL is set, else a thread of the web
        # process; JOBS_SYNC runs every job in the caller (the tests: on unless they say otherwise).
        REDIS_URL=os.environ.get("REDIS_URL") or None,
        JOBS_SYNC=_flag(os.environ.get("JOBS_SYNC")),
        JOBS_QUEUE=os.environ.get("JOBS_QUEUE", "copmatch"),
        # A running job whose heartbeat is older than this is marked failed (its worker died).
        JOB_HEARTBEAT_SECONDS=int(os.environ.get("JOB_HEARTBEAT_SECONDS", "120")),
        # The outbox: attempts before a message counts as failed for good (HR can retry it).
        OUTBOX_MAX_ATTEMPTS=int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "6")),
        # Invitations still unanswered this many days after they were sent get one reminder.
        REMINDER_DAYS=int(os.environ.get("REMINDER_DAYS", "5")),
        **account_settings(environment == "production"),
    )
    app.config.update(overrides)
    if app.config.get("TESTING") and "JOBS_SYNC" not in overrides:
        app.config["JOBS_SYNC"] = True  # a test sees a job's result when its request returns
    check_account_settings(app.config)
    if "SECRET_KEY" not in overrides:
        app.config["SECRET_KEY"] = secret_key(app.config["COPMATCH_ENV"], instance)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"], instance)
    if app.config["COPMATCH_ENV"] == "production":
        check_production(app.config)
    keep_sqlite_file_private(app.config["SQLALCHEMY_DATABASE_URI"])


def _list(value: str | None) -> list[str] | None:
    """A comma-separated setting as a list, or None when it is not set."""
    items = [item.strip() for item in (value or "").split(",") if item.strip()]
    return items or None


def check_production(config) -> None:
    """Refuse to run in production with links that would point at a developer's machine, and
    accept only requests addressed to the site's own host names (``TRUSTED_HOSTS``)."""
    if not os.environ.get("COPMATCH_BASE_URL") and config["BASE_URL"] == DEFAULT_BASE_URL:
        raise ConfigurationError(
            "COPMATCH_BASE_URL is not set. With COPMATCH_ENV=production CoPMatch refuses to start "
            "without it: every link in a message is built from it (never from the request's Host "
            "header). Set it to the address members use, e.g. https://copmatch.example.co.th."
        )
    if not config.get("TRUSTED_HOSTS"):
        config["TRUSTED_HOSTS"] = [urlsplit(config["BASE_URL"]).hostname]


def keep_sqlite_file_private(url: str) -> None:
    """Create a SQLite database file readable by its owner only (0600), and tighten an existing one.

    The file holds password hashes; SQLite itself would create it 0644, and gives its journal
    the database file's permissions.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    if not path.parent.is_dir():
        return  # nothing to do: the database cannot be opened there (``/healthz`` says so)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def _flag(value: str | None, default: bool = False) -> bool:
    """An on/off setting from the environment: 1, true or yes (any case) is on; 0, false or no is off."""
    value = (value or "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on")


def account_settings(production: bool) -> dict:
    """Who gets in and for how long: sign-up, single sign-on, sessions, cookies and rate limits.

    Production defaults are the strict ones: registration closed, cookies sent over HTTPS only.
    """
    env = os.environ.get
    redis_url = env("REDIS_URL")
    return {
        "REGISTRATION": env("REGISTRATION", "closed" if production else "open").strip().lower(),
        "ALLOWED_EMAIL_DOMAINS": email_domains(env("ALLOWED_EMAIL_DOMAINS", "")),
        "PASSWORD_LOGIN": _flag(env("PASSWORD_LOGIN"), default=True),
        # Single sign-on with OpenID Connect (Microsoft Entra ID, Google Workspace, Keycloak, ...).
        "OIDC_ISSUER": (env("OIDC_ISSUER") or "").strip().rstrip("/") or None,
        "OIDC_CLIENT_ID": env("OIDC_CLIENT_ID"),
        "OIDC_CLIENT_SECRET": env("OIDC_CLIENT_SECRET"),
        "OIDC_NAME": env("OIDC_NAME"),
        # The callback address registered at the provider; unset, it is built from the request
        # (behind a reverse proxy that terminates HTTPS, set it: https://copmatch.corp.example/auth/sso/callback).
        "OIDC_REDIRECT_URI": env("OIDC_REDIRECT_URI"),
        "OIDC_TIMEOUT": float(env("OIDC_TIMEOUT", "10")),
        # How long links sent by email work.
        "VERIFY_HOURS": int(env("VERIFY_HOURS", "24")),
        "RESET_HOURS": int(env("RESET_HOURS", "2")),
        # Sessions: Flask-Login checks the browser and address a session was made in ("strong");
        # a session cookie not renewed for SESSION_HOURS is refused; "keep me logged in" lasts REMEMBER_DAYS.
        "SESSION_PROTECTION": "strong",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env("SESSION_HOURS", "12"))),
        "REMEMBER_DAYS": int(env("REMEMBER_DAYS", "14")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env("SECURE_COOKIES"), default=production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag(env("SECURE_COOKIES"), default=production),
        # Rate limits: in Redis when REDIS_URL is set (shared by every worker), in memory otherwise.
        "RATELIMIT_ENABLED": _flag(env("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": "copmatch",
        # A Redis that stops answering must not stop log-ins: count in memory until it is back.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        **{name: env(name, default) for name, default in DEFAULT_RATE_LIMITS.items()},
    }


def email_domains(text: str) -> tuple[str, ...]:
    """``"corp.example, @Branch.Example"`` -> ``("corp.example", "branch.example")``."""
    return tuple(sorted({part.strip().lstrip("@").lower() for part in text.replace(";", ",").split(",")
                         if part.strip().lstrip("@")}))


def check_account_settings(config) -> None:
    """Refuse settings that would lock everyone out or let everyone in by mistake; derive the rest."""
    if isinstance(config["ALLOWED_EMAIL_DOMAINS"], str):
        config["ALLOWED_EMAIL_DOMAINS"] = email_domains(config["ALLOWED_EMAIL_DOMAINS"])
    if config["REGISTRATION"] not in REGISTRATION_POLICIES:
        raise ConfigurationError(
            f"REGISTRATION is {config['REGISTRATION']!r}; expected one of {', '.join(REGISTRATION_POLICIES)}."
        )
    if config["REGISTRATION"] == "domains" and not config["ALLOWED_EMAIL_DOMAINS"]:
        raise ConfigurationError(
            "REGISTRATION=domains needs ALLOWED_EMAIL_DOMAINS, e.g. ALLOWED_EMAIL_DOMAINS=corp.example."
        )
    if config["OIDC_ISSUER"] and not config["OIDC_CLIENT_ID"]:
        raise ConfigurationError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not: set both (and OIDC_CLIENT_SECRET).")
    if not config["PASSWORD_LOGIN"] and not config["OIDC_ISSUER"]:
        raise ConfigurationError(
            "PASSWORD_LOGIN=false needs single sign-on (OIDC_ISSUER and OIDC_CLIENT_ID); otherwise nobody could log in."
        )
    if not 1 <= config["REMEMBER_DAYS"] <= MAX_REMEMBER_DAYS:
        raise ConfigurationError(f"REMEMBER_DAYS must be from 1 to {MAX_REMEMBER_DAYS}, not {config['REMEMBER_DAYS']}.")
    config["REMEMBER_COOKIE_DURATION"] = timedelta(days=config["REMEMBER_DAYS"])


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
