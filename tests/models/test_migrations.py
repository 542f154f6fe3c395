"""The committed migrations build exactly the schema the models declare."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from models import db
from webapp import create_app

from tests.conftest import BACKENDS, new_postgres_database


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    if request.param == "postgresql":
        with new_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"


def test_migrations_match_the_models(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        tables = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert differences == []
    assert {"members", "skills", "member_skills", "learning_goals", "communities"} <= tables


def test_no_model_module_calls_create_all():
    """The schema comes from migrations; only tests may use create_all."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    for package in ("models", "webapp"):
        for folder, _dirs, files in os.walk(os.path.join(root, package)):
            for name in files:
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), encoding="utf-8") as handle:
                        assert "create_all(" not in handle.read(), os.path.join(folder, name)
