"""Benchmark: HR's dashboard (``/hr``) at company scale, on SQLite and PostgreSQL.

Run ``python benchmarks/bench_dashboard.py`` (``--members 20000 --rounds 50``; ``--postgresql URL``
adds a PostgreSQL run on a fresh database it creates and drops, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``). It fills a fresh database with members in
12 departments and 8 communities, skills and goals, then ``--rounds`` past rounds (mentoring, peer
swaps and working groups, published over two years and closed) with their answers, sessions,
check-ins, feedback, agreements and unmatched diagnoses, and times, through the test client as HR,
each page of the dashboard (programme, supply and demand, knowledge network, community health), each
again filtered to one community, one department and one year, and the figures-per-round CSV.

Times are wall-clock seconds, the best of three; expect noise on a shared machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from models import (  # noqa: E402
    Agreement,
    AgreementGoal,
    CheckIn,
    Community,
    CommunityMembership,
    ConsentRecord,
    Feedback,
    GroupMember,
    LearningGoal,
    Match,
    Meeting,
    Member,
    MemberSkill,
    Round,
    Skill,
    WorkingGroup,
    community_skills,
    db,
)
from webapp import create_app  # noqa: E402
from webapp.services.privacy import NOTICE_VERSION  # noqa: E402

DEPARTMENTS = ["Finance", "Engineering", "Sales", "Marketing", "Legal", "Operations", "HR", "IT", "Procurement",
               "Logistics", "Research", "Customer Service"]
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
CHUNK = 20_000
#: The dashboard's pages, one per section.
PAGES = [("/hr", "programme"), ("/hr/supply", "supply and demand"), ("/hr/network", "knowledge network"),
         ("/hr/health", "community health")]


def insert(model, rows: list[dict]) -> None:
    table = model if isinstance(model, sa.Table) else model.__table__
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[start:start + CHUNK])


def fill(members: int, rounds: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    insert(Member, [
        {"id": k, "email": f"m{k}@example.com", "display_name": f"Member {k}", "role": "hr" if k == 1 else "member",
         "active": True, "timezone": "Asia/Bangkok", "languages": ["Thai"], "department": rng.choice(DEPARTMENTS),
         "mentor_capacity": rng.choice([0, 0, 0, 1, 2]), "wants_mentor": rng.random() < 0.4,
         "open_to_peer_swaps": True, "open_to_groups": True, "locale": "th", "created_at": START,
         "session_token": f"t{k}", "password_hash": None}
        for k in range(1, members + 1)])
    insert(ConsentRecord, [{"member_id": 1, "notice_version": NOTICE_VERSION, "locale": "th"}])
    insert(Skill, [{"id": s, "name": f"Skill {s}", "name_key": f"skill {s}", "approved": True} for s in range(1, 31)])
    insert(Community, [{"id": c, "name": f"Community {c}", "name_key": f"community {c}", "description": ""}
                       for c in range(1, 9)])
    insert(community_skills, [{"community_id": c, "skill_id": s} for c in range(1, 9) for s in range(c, c + 4)])
    insert(CommunityMembership, [{"member_id": k, "community_id": c, "joined_on": START.date()}
                                 for k in range(1, members + 1) for c in rng.sample(range(1, 9), 2)])
    insert(MemberSkill, [{"member_id": k, "skill_id": s, "level": rng.randint(1, 5)}
                         for k in range(1, members + 1) for s in rng.sample(range(1, 31), 3)])
    insert(LearningGoal, [{"member_id": k, "skill_id": s, "target_level": 4, "priority": 2}
                          for k in range(1, members + 1) for s in rng.sample(range(1, 31), 2)])
    counts = {"matches": 0, "places": 0, "meetings": 0, "feedback": 0}
    match_id = group_id = meeting_id = agreement_id = 0
    for r in range(1, rounds + 1):
        kind = ("mentoring", "peer", "mentoring", "groups")[r % 4]
        published = START + timedelta(days=14 * r)
        size = min(4000, members - 1) // 6 * 6
        people = rng.sample(range(2, members + 1), size)
        placed = size * 85 // 100 // 6 * 6
        unmatched = [{"member_id": m, "kind": rng.choice(["no_eligible_mentor", "seats_taken", "not_worth_it"]),
                      "params": {}} for m in people[placed:]] if kind == "mentoring" else []
        db.session.execute(sa.insert(Round.__table__), [{
            "id": r, "name": f"Round {r}", "kind": kind, "community_id": (r % 8) + 1 if r % 3 else None,
            "status": "closed", "parameters": {}, "created_at": published, "solved_at": published,
            "published_at": published, "closed_at": published + timedelta(days=60), "eligible": size,
            "matched": placed, "max_coverage": size * 9 // 10, "unmatched": unmatched,
            "notes": [{"kind": "repaired", "params": {"at": published.isoformat(), "rematched": 20, "left_over": 5}}]}])
        matches, places, meetings, feedback, checkins, agreements, goals = [], [], [], [], [], [], []
        if kind == "groups":
            for g in range(0, placed, 6):
                group_id += 1
                db.session.execute(sa.insert(WorkingGroup.__table__), [
                    {"id": group_id, "round_id": r, "number": g // 6 + 1, "diversity": 3.0, "explanation": ""}])
                for m in people[g:g + 6]:
                    status = rng.choice(["accepted", "accepted", "declined", "pending"])
                    places.append({"group_id": group_id, "member_id": m, "role": "member", "status": status,
                                   "responded_at": published + timedelta(hours=rng.randrange(1, 200))
                                   if status != "pending" else None})
                meeting_id += 1
                meetings.append({"id": meeting_id, "group_id": group_id, "state": "held", "day": published.date(),
                                 "minutes": 60, "uid": f"g{meeting_id}", "timezone": "Asia/Bangkok",
                                 "shared_note": "note" if rng.random() < 0.3 else ""})
        else:
            for p in range(0, placed, 2):
                match_id += 1
                first, second = rng.choice(["accepted"] * 4 + ["declined", "pending"]), \
                    rng.choice(["accepted"] * 4 + ["declined", "pending"])
                confirmed = first == second == "accepted"
                matches.append({
                    "id": match_id, "round_id": r, "first_id": people[p], "second_id": people[p + 1],
                    "first_role": "learner" if kind == "mentoring" else "peer",
                    "second_role": "mentor" if kind == "mentoring" else "peer", "score": 1.0, "reasons": [],
                    "focus": [], "pinned": False, "first_status": first, "second_status": second,
                    "first_responded_at": published + timedelta(hours=rng.randrange(1, 200)) if first != "pending" else None,
                    "second_responded_at": published + timedelta(hours=rng.randrange(1, 200)) if second != "pending" else None,
                    "confirmed_at": published + timedelta(days=3) if confirmed else None})
                if not confirmed:
                    continue
                for _ in range(rng.randrange(0, 4)):
                    meeting_id += 1
                    meetings.append({"id": meeting_id, "match_id": match_id, "state": "held",
                                     "day": published.date(), "minutes": rng.choice([30, 45, 60]),
                                     "uid": f"m{meeting_id}", "timezone": "Asia/Bangkok",
                                     "shared_note": "note" if rng.random() < 0.1 else ""})
                if rng.random() < 0.5:
                    checkins.append({"match_id": match_id, "member_id": people[p], "number": 1,
                                     "due_on": published.date(), "sent_at": published, "token_hash": f"c{match_id}",
                                     "expires_at": published + timedelta(days=14),
                                     "answer": rng.choice(["going_well", "slow", "not_meeting"]),
                                     "answered_at": published + timedelta(days=15)})
                for member_id in (people[p], people[p + 1]):
                    if rng.random() < 0.6:
                        feedback.append({"round_id": r, "member_id": member_id, "match_id": match_id,
                                         "met": rng.random() < 0.8, "rating": rng.randint(1, 5),
                                         "practice_note": "", "shareable": False})
                if kind == "mentoring" and rng.random() < 0.3:
                    agreement_id += 1
                    agreements.append({"id": agreement_id, "match_id": match_id, "frequency": "fortnightly",
                                       "modes": [], "version": 1})
                    goals.append({"agreement_id": agreement_id, "skill_id": rng.randint(1, 30),
                                  "learner_side": "first", "level_before": 2, "target_level": 4,
                                  "level_after": rng.choice([2, 3, 4, None])})
        insert(Match, matches)
        insert(GroupMember, places)
        insert(Meeting, meetings)
        insert(CheckIn, checkins)
        insert(Feedback, feedback)
        insert(Agreement, agreements)
        insert(AgreementGoal, goals)
        counts["matches"] += len(matches)
        counts["places"] += len(places)
        counts["meetings"] += len(meetings)
        counts["feedback"] += len(feedback)
    db.session.commit()
    return counts


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        response = work()
        assert response.status_code == 200, response.status_code
        best = min(best, time.perf_counter() - began)
    return best


def run(url: str, label: str, members: int, rounds: int) -> list[tuple[str, str, float]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        began = time.perf_counter()
        counts = fill(members, rounds)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("ANALYZE"))
        print(f"{label}: filled {members:,} members, {rounds} rounds, {counts['matches']:,} matches, "
              f"{counts['places']:,} group places, {counts['meetings']:,} sessions, {counts['feedback']:,} "
              f"feedback in {time.perf_counter() - began:.1f} s", flush=True)
        login_id = db.session.get(Member, 1).get_id()
    from flask_login.utils import _create_identifier

    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # the browser the session is bound to
    with client.session_transaction() as session:
        session.update({"_user_id": login_id, "_fresh": True, "_id": identifier})
    filtered = "?community=2&department=Finance&since=2025-06-01&until=2026-05-31"
    cases = []
    for path, name in PAGES:
        cases.append((f"{name}", lambda path=path: client.get(path)))
        cases.append((f"{name}, filtered", lambda path=path: client.get(path + filtered)))
    cases.append(("CSV: figures per round", lambda: client.get("/hr/dashboard/rounds.csv")))
    results = [(label, what, best_of(3, work)) for what, work in cases]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--postgresql", default="", help="a server URL; a database bench_dashboard is made there")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results += run(f"sqlite:///{folder}/bench.db", "SQLite", args.members, args.rounds)
    if args.postgresql:
        server = sa.create_engine(args.postgresql, isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS bench_dashboard"))
            connection.execute(sa.text("CREATE DATABASE bench_dashboard"))
        try:
            url = server.url.set(database="bench_dashboard").render_as_string(hide_password=False)
            results += run(url, "PostgreSQL", args.members, args.rounds)
        finally:
            with server.connect() as connection:
                connection.execute(sa.text("DROP DATABASE IF EXISTS bench_dashboard WITH (FORCE)"))
            server.dispose()
    print(f"\n{'database':<12}{'what':<44}{'seconds':>10}")
    print("-" * 66)
    for database, what, seconds in results:
        print(f"{database:<12}{what:<44}{seconds:>10.3f}")


if __name__ == "__main__":
    main()
