"""The Flask extensions, bare; ``create_app`` binds them to an app."""

import sqlite3

import sqlalchemy as sa
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see that page.")
login_manager.login_message_category = "info"
login_manager.localize_callback = str  # the lazy message, in the request's language, as flashed text

babel = Babel()
csrf = CSRFProtect()
migrate = Migrate(render_as_batch=True)


@sa.event.listens_for(sa.Engine, "connect")
def switch_on_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """Make SQLite enforce foreign keys on every new connection.

    SQLite ships with foreign keys off for backward compatibility, so
    references and ``ON DELETE CASCADE`` would silently not hold without this.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@login_manager.user_loader
def load_member(member_id: str):
    from models import Member, db

    return db.session.get(Member, int(member_id))
