"""Benchmark: the HR audit trail page and its CSV at company scale, on SQLite.

Run ``python benchmarks/bench_audit.py`` (optionally ``--entries 200000 --members 5000``).
It fills a fresh SQLite file with ``--members`` members, ``--entries`` audit entries spread over
a year (deactivations, exports, publishes, ...) and a failed-login count for a tenth of the
members in each of 24 hours, then times what HR does on ``/hr/audit``:

1. the first page of everything (the UNION of entries and failed-login counts, counted and paged),
2. the first page about one person,
3. one action over one month,
4. the last page (a large OFFSET),
5. the CSV of one month of everything.

Times are wall-clock seconds of one run each (the best of three); expect noise on a shared machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from models import AuditEntry, LoginFailure, Member, db  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.services import audit  # noqa: E402

ACTIONS = ["deactivate", "reactivate", "round_export", "publish", "close", "data_export", "import"]


def fill(members: int, entries: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    db.session.execute(sa.insert(Member), [
        {"email": f"m{k}@example.com", "_display_name": f"Member {k}", "role": "member", "active": True,
         "timezone": "Asia/Bangkok", "languages": [], "mentor_capacity": 0, "wants_mentor": False,
         "open_to_peer_swaps": False, "open_to_groups": False, "locale": "th", "created_at": start}
        for k in range(members)
    ])
    rows = []
    for k in range(entries):
        action = rng.choice(ACTIONS)
        rows.append({"at": start + timedelta(seconds=rng.randrange(365 * 24 * 3600)), "actor_id": 1,
                     "subject_id": rng.randrange(1, members + 1), "action": action,
                     "params": {"round_id": rng.randrange(1, 50)} if "round" in action or action in ("publish", "close")
                     else {}})
    for chunk in range(0, len(rows), 20_000):
        db.session.execute(sa.insert(AuditEntry), rows[chunk:chunk + 20_000])
    failures = [{"window_start": start + timedelta(hours=hour), "account": str(member), "member_id": member,
                 "count": rng.randrange(1, 20), "last_at": start + timedelta(hours=hour, minutes=30)}
                for hour in range(24) for member in rng.sample(range(1, members + 1), members // 10)]
    db.session.execute(sa.insert(LoginFailure), failures)
    db.session.commit()


def best_of(runs: int, work) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        began = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench"})
        with app.app_context(), app.test_request_context():
            db.create_all()
            began = time.perf_counter()
            fill(args.members, args.entries)
            print(f"filled {args.entries:,} entries and {args.members // 10 * 24:,} failed-login counts "
                  f"for {args.members:,} members in {time.perf_counter() - began:.1f} s\n")
            month = audit.Filters(since=date(2026, 3, 1), until=date(2026, 3, 31))
            cases = [
                ("first page, everything", lambda: audit.trail_page(audit.Filters(), 1, 50)),
                ("first page, one person", lambda: audit.trail_page(audit.Filters(member_ids=(42,)), 1, 50)),
                ("one action, one month", lambda: audit.trail_page(
                    audit.Filters(action="deactivate", since=month.since, until=month.until), 1, 50)),
                ("last page, everything", lambda: audit.trail_page(audit.Filters(), 10**6, 50)),
                ("CSV, one month", lambda: audit.export_csv(audit.all_lines(month))),
            ]
            print(f"{'what':<28}{'seconds':>10}{'rows':>10}")
            print("-" * 48)
            for label, work in cases:
                seconds, result = best_of(3, work)
                rows = result.total if hasattr(result, "total") else result.count("\n") - 1
                print(f"{label:<28}{seconds:>10.3f}{rows:>10,}")


if __name__ == "__main__":
    main()
