"""Benchmark: does a log-in's timing tell whether an email has an account?

Run ``python benchmarks/bench_login.py`` (optionally ``--rounds 30``). On a
fresh SQLite file it makes a member with a password, one imported without a
password, and a deactivated one, then posts a wrong password for each and
for an unknown email, interleaved round by round so the machine's load falls
on all alike. Every attempt should cost one scrypt check (werkzeug's default,
about 0.1 s on a quiet 2-core machine), whatever the email.

Times are wall-clock milliseconds; on a shared machine expect noise, and
compare the columns with each other rather than with another run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import Member, db  # noqa: E402
from models.base import utcnow  # noqa: E402
from webapp import create_app  # noqa: E402

EMAILS = {
    "an account with a password": "known@example.com",
    "no such account": "nobody@example.com",
    "imported, no password yet": "imported@example.com",
    "deactivated": "gone@example.com",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                          "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            known = Member(email="known@example.com", display_name="Known", email_verified_at=utcnow())
            known.set_password("correct horse battery")
            db.session.add_all([known, Member(email="imported@example.com", display_name="Imported"),
                                Member(email="gone@example.com", display_name="Gone", active=False,
                                       password_hash=known.password_hash, email_verified_at=utcnow())])
            db.session.commit()
        client = app.test_client()
        times: dict[str, list[float]] = {label: [] for label in EMAILS}
        for _ in range(rounds):
            for label, email in EMAILS.items():
                start = time.perf_counter()
                client.post("/auth/login", data={"email": email, "password": "a wrong password"})
                times[label].append((time.perf_counter() - start) * 1000)
    print(f"Wrong password, {rounds} rounds, milliseconds per log-in")
    print(f"{'email':30} {'median':>8} {'min':>8}")
    print("-" * 48)
    for label, values in times.items():
        print(f"{label:30} {statistics.median(values):8.1f} {min(values):8.1f}")


if __name__ == "__main__":
    main()
