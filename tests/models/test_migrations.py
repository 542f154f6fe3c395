"""The committed migrations build exactly the schema the models declare."""

import json
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from models import db
from tests.conftest import BACKENDS, new_postgres_database
from webapp import create_app


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


def test_reasons_notes_and_diagnoses_stored_as_sentences_become_data(empty_database_url):
    """Rows written by the code before reasons became data are read back into kinds and facts."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="2b610b1f2475")
        old_reasons = [
            {"kind": "goal", "text": "Teaches SQL (level 5; you are at 2, aiming for 4)", "contribution": 5.0,
             "side": "first"},
            {"kind": "cross_department", "text": "Different department: การเงิน ↔ วิศวกรรม", "contribution": 1.0,
             "side": "both"},
            {"kind": "seniority", "text": "Seniority gap that works: Senior mentoring Junior", "contribution": 1.0,
             "side": "both"},
            {"kind": "language", "text": "Both speak Thai and English", "contribution": 0.0, "side": "both"},
            {"kind": "community", "text": "Something nobody wrote", "contribution": 0.5, "side": "both"},
        ]
        with db.engine.begin() as connection:
            for member_id, name, band in ((1, "สมชาย ใจดี", "Junior"), (2, "มาลี ศรีสุข", "Senior")):
                connection.execute(sa.text(
                    "INSERT INTO members (id, email, display_name, role, active, timezone, languages, mentor_capacity,"
                    " wants_mentor, open_to_peer_swaps, open_to_groups, locale, created_at, department, seniority)"
                    " VALUES (:id, :email, :name, 'member', true, 'Asia/Bangkok', '[]', 0, false, false, false, 'th',"
                    " '2026-11-01', 'การเงิน', :band)"), {"id": member_id, "email": f"m{member_id}@example.com",
                                                           "name": name, "band": band})
            connection.execute(sa.text(
                "INSERT INTO rounds (id, name, kind, status, parameters, created_at, notes, unmatched)"
                " VALUES (1, 'รอบ', 'mentoring', 'published', '{}', '2026-11-01', :notes, :unmatched)"),
                {"notes": json.dumps(["Not eligible: paused (3)", "HR moved member 2 from group 1 to group 3.",
                                      "A sentence from long ago"]),
                 "unmatched": json.dumps([{"member_id": 1, "kind": "no_eligible_mentor",
                                           "text": "No mentor is eligible in this round."}])})
            connection.execute(sa.text(
                "INSERT INTO matches (id, round_id, first_id, second_id, first_role, second_role, score, reasons,"
                " focus, pinned, first_status, second_status) VALUES (1, 1, 1, 2, 'learner', 'mentor', 7.5,"
                " :reasons, '[]', false, 'pending', 'pending')"), {"reasons": json.dumps(old_reasons)})
        upgrade()
        with db.engine.connect() as connection:
            def read(sql):
                value = connection.execute(sa.text(sql)).scalar()
                return json.loads(value) if isinstance(value, str) else value  # SQLite keeps JSON as text

            reasons, notes = read("SELECT reasons FROM matches"), read("SELECT notes FROM rounds")
            unmatched = read("SELECT unmatched FROM rounds")
        db.engine.dispose()
    assert reasons[0]["params"] == {"skill": "SQL", "priority": None, "learner_level": 2, "target": 4,
                                    "mentor_level": 5, "verdict": "teaches"}
    assert reasons[1]["params"] == {"learner_department": "การเงิน", "mentor_department": "วิศวกรรม"}
    assert reasons[2]["params"] == {"learner_band": 1, "mentor_band": 3, "gap": 2}
    assert reasons[3]["params"] == {"languages": ["Thai", "English"]}
    assert "params" not in reasons[4] and reasons[4]["text"] == "Something nobody wrote"  # kept as written
    assert notes == [{"kind": "not_eligible", "params": {"reason": "paused", "count": 3}},
                     {"kind": "moved", "params": {"member_id": 2, "from": 1, "to": 3}},
                     {"kind": "text", "text": "A sentence from long ago"}]
    assert unmatched == [{"member_id": 1, "kind": "no_eligible_mentor", "params": {}}]


def test_existing_accounts_keep_their_data_and_only_proven_addresses_count_as_confirmed(empty_database_url):
    """The accounts revision: who proved their address (a used set-password link) is confirmed; a
    password nobody proved is not; every member gets their own session token; nothing else is lost
    (rebuilding ``members`` on SQLite must not cascade into the tables that refer to it)."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="c65b39349846")  # the revision before the accounts one
        with db.engine.begin() as connection:
            for member_id, password in ((1, "scrypt:claimed"), (2, "scrypt:registered"), (3, None)):
                connection.execute(sa.text(
                    "INSERT INTO members (id, email, display_name, password_hash, role, active, timezone, languages,"
                    " mentor_capacity, wants_mentor, open_to_peer_swaps, open_to_groups, locale, created_at)"
                    " VALUES (:id, :email, 'M', :password, 'member', true, 'Asia/Bangkok', '[]', 0, false, false,"
                    " false, 'th', '2026-11-01')"), {"id": member_id, "email": f"m{member_id}@example.com",
                                                     "password": password})
            connection.execute(sa.text(
                "INSERT INTO account_tokens (member_id, purpose, token_hash, expires_at, used_at, created_at)"
                " VALUES (1, 'set_password', 'a', '2026-11-20', '2026-11-05 10:00:00', '2026-11-01'),"
                " (3, 'set_password', 'b', '2026-11-20', NULL, '2026-11-01')"))
            connection.execute(sa.text(
                "INSERT INTO rounds (id, name, kind, status, parameters, created_at, notes, unmatched)"
                " VALUES (1, 'รอบ', 'mentoring', 'published', '{}', '2026-11-01', '[]', '[]')"))
            connection.execute(sa.text(
                "INSERT INTO matches (id, round_id, first_id, second_id, first_role, second_role, score, reasons,"
                " focus, pinned, first_status, second_status) VALUES (1, 1, 2, 1, 'learner', 'mentor', 7.5,"
                " '[]', '[]', false, 'pending', 'pending')"))
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT id, email_verified_at IS NOT NULL, session_token FROM members ORDER BY id")).all()
            matches = connection.execute(sa.text("SELECT count(*) FROM matches")).scalar()
        db.engine.dispose()
    assert [(member_id, bool(verified)) for member_id, verified, _ in rows] == [(1, True), (2, False), (3, False)]
    tokens = [token for _, _, token in rows]
    assert all(len(token) == 32 for token in tokens) and len(set(tokens)) == 3
    assert matches == 1
