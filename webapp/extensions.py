"""The Flask extensions, bare; ``create_app`` binds them to an app."""

import os
import sqlite3
import weakref

import sqlalchemy as sa
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
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
# Limits, storage and on/off come from the app's config (RATELIMIT_*); see webapp.security.rate_limit.
limiter = Limiter(key_func=get_remote_address)


@sa.event.listens_for(sa.Engine, "connect")
def switch_on_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """Make SQLite enforce foreign keys on every new connection.

    SQLite ships with foreign keys off for backward compatibility, so
    references and ``ON DELETE CASCADE`` would silently not hold without this.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Members' writes while a solve reads (or another process writes) wait their turn instead
        # of failing with "database is locked": readers never block the writer in WAL mode, and a
        # writer waits up to SQLITE_BUSY_MS for another to finish (Python's default is 5 s).
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file (WAL needs one)
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe in WAL mode: a crash loses no commit's integrity
        cursor.close()


#: How long (ms) an SQLite write waits for another writer before giving up.
SQLITE_BUSY_MS = 30_000
_engines: "weakref.WeakSet[sa.Engine]" = weakref.WeakSet()


def remember_engine(engine: sa.Engine) -> None:
    """Keep ``engine`` so a forked child (a gunicorn or RQ worker) drops the parent's connections."""
    _engines.add(engine)


def forget_connections_after_fork() -> None:
    """In a forked child: never reuse the parent's pooled connections (two processes on one socket
    corrupt each other's protocol state); ``close=False`` leaves the parent's open."""
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=forget_connections_after_fork)


@login_manager.user_loader
def load_member(login_id: str):
    """The member a login cookie names, if its session token is still the member's current one.

    The cookie carries ``"<id>:<session token>"`` (``Member.get_id``): after a
    log-out, a password or role change or a deactivation the token is new, so
    an old cookie, replayed from anywhere, logs nobody in.
    """
    import secrets

    from models import Member, db

    member_id, _, token = (login_id or "").partition(":")
    if not member_id.isdigit() or not token:
        return None
    member = db.session.get(Member, int(member_id))
    # A member deactivated or erased since logging in is logged out at their next request, and a
    # cookie from before a log-out, a password or role change carries an old token.
    if member is None or not member.is_active or not secrets.compare_digest(member.session_token, token):
        return None
    return member
