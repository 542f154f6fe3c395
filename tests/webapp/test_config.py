"""Configuration from the environment."""

import pytest

from webapp import create_app
from webapp.config import ConfigurationError, database_url, secret_key


def test_database_url_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    assert database_url(None, tmp_path) == f"sqlite:///{tmp_path / 'copmatch.db'}"


@pytest.mark.parametrize("given", ["postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"])
def test_postgresql_urls_use_psycopg_3(given, tmp_path):
    assert database_url(given, tmp_path) == "postgresql+psycopg://u@h/db"


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/elsewhere.db"


def test_config_dict_overrides_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        secret_key("production", tmp_path)
    monkeypatch.setenv("COPMATCH_ENV", "production")
    with pytest.raises(ConfigurationError, match="refuses to start"):
        create_app()


def test_production_uses_the_secret_key_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert secret_key("production", tmp_path) == "from-the-environment"


def test_development_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key("development", tmp_path)
    assert len(first) >= 64
    assert secret_key("development", tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_defaults_are_the_strict_ones(monkeypatch):
    for name in ("REGISTRATION", "SECURE_COOKIES", "PASSWORD_LOGIN", "REDIS_URL", "RATELIMIT_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"SECRET_KEY": "x", "COPMATCH_ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "BASE_URL": "https://copmatch.example.co.th"})
    config = app.config
    assert config["REGISTRATION"] == "closed" and config["PASSWORD_LOGIN"] is True
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_PROTECTION"] == "strong" and config["RATELIMIT_ENABLED"]
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("REGISTRATION", "Domains")
    monkeypatch.setenv("ALLOWED_EMAIL_DOMAINS", "corp.example; @Branch.Example")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("RATELIMIT_LOGIN_ACCOUNT", "3 per minute")
    monkeypatch.setenv("REMEMBER_DAYS", "7")
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["REGISTRATION"] == "domains"
    assert app.config["ALLOWED_EMAIL_DOMAINS"] == ("branch.example", "corp.example")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert app.config["RATELIMIT_LOGIN_ACCOUNT"] == "3 per minute"
    assert app.config["REMEMBER_COOKIE_DURATION"].days == 7


@pytest.mark.parametrize("settings, message", [
    ({"REGISTRATION": "sometimes"}, "REGISTRATION is 'sometimes'"),
    ({"REGISTRATION": "domains"}, "REGISTRATION=domains needs ALLOWED_EMAIL_DOMAINS"),
    ({"PASSWORD_LOGIN": False}, "PASSWORD_LOGIN=false needs single sign-on"),
    ({"OIDC_ISSUER": "https://login.example"}, "OIDC_ISSUER is set but OIDC_CLIENT_ID is not"),
    ({"REMEMBER_DAYS": 0}, "REMEMBER_DAYS must be from 1 to 30"),
])
def test_settings_that_would_lock_everyone_out_or_let_everyone_in_are_refused(settings, message):
    with pytest.raises(ConfigurationError, match=message):
        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", "ALLOWED_EMAIL_DOMAINS": (),
                    **settings})
