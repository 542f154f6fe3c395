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
