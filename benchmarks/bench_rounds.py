"""Benchmark: a whole matching round at company scale, from the database and back.

Run ``python benchmarks/bench_rounds.py`` (optionally ``--members 9000`` or
``--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench``).
It loads the demo organisation with that many members into an empty
database (a temporary SQLite file by default), then for each kind of round
over the whole organisation times:

1. solve and store: ``create_round`` + ``solve_round`` + commit (loading
   profiles, history, scoring, the matcher, explanations, diagnoses, rows),
2. the HR review page (``GET /hr/rounds/<id>``, first page), and a search,
3. the CSV export of the whole round.

The issue asks for a round of 5,000 eligible members to solve and store in
a few seconds and for its review page to render in under a second. Times
are wall-clock seconds of one run; on a shared machine expect noise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import db  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.services.demo import load_demo_data  # noqa: E402
from webapp.services.rounds import guards, lifecycle, solving  # noqa: E402


def timed(action):
    start = time.perf_counter()
    value = action()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=9000, help="demo members to load")
    parser.add_argument("--database-url", help="an EMPTY database to use (default: a temporary SQLite file)")
    parser.add_argument("--group-seconds", type=float, default=5.0, help="time limit of the group search")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.create_all()
            logins, seconds = timed(lambda: (load_demo_data(members=args.members, seed=7), db.session.commit())[0])
            print(f"Demo organisation: {args.members:,} members loaded in {seconds:.1f} s ({db.engine.dialect.name})")
        client = app.test_client()
        client.post("/auth/login", data={"email": logins.hr_email, "password": logins.hr_password})
        client.post("/privacy/consent")  # the privacy notice, agreed to at the first login
        rows = []
        for kind in ("mentoring", "peer", "groups"):
            with app.app_context():
                parameters = {"time_limit": args.group_seconds} if kind == "groups" else {}
                round_ = lifecycle.create_round(kind, None, None, parameters=parameters)
                db.session.commit()
                round_id = round_.id
                _, solve = timed(lambda: (solving.solve_round(round_id), db.session.commit()))
                round_ = guards.get_round(round_id)
                figures = (round_.eligible, round_.matched, round_.gap)
            page, review = timed(lambda: client.get(f"/hr/rounds/{round_id}"))
            found, search = timed(lambda: client.get(f"/hr/rounds/{round_id}?q=สม"))
            export, csv_seconds = timed(lambda: client.get(f"/hr/rounds/{round_id}/export.csv"))
            assert page.status_code == found.status_code == export.status_code == 200, (page.status_code, found.status_code)
            rows.append((kind, *figures, solve, review, search, csv_seconds, export.data.count(b"\n") - 1))
        print()
        print(f"| {'round':<9} | {'eligible':>8} | {'matched':>7} | {'gap':>8} | {'solve+store s':>13} | "
              f"{'review s':>8} | {'search s':>8} | {'CSV s':>6} | {'CSV rows':>8} |")
        print(f"|{'-' * 11}|{'-' * 9}:|{'-' * 8}:|{'-' * 9}:|{'-' * 14}:|{'-' * 9}:|{'-' * 9}:|{'-' * 7}:|{'-' * 9}:|")
        for kind, eligible, matched, gap, solve, review, search, csv_seconds, csv_rows in rows:
            gap_text = "—" if gap is None else f"{100 * gap:.4f}%"
            print(f"| {kind:<9} | {eligible:>8,} | {matched:>7,} | {gap_text:>8} | {solve:>13.2f} | "
                  f"{review:>8.3f} | {search:>8.3f} | {csv_seconds:>6.2f} | {csv_rows:>8,} |")


if __name__ == "__main__":
    main()
