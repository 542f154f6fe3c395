"""Benchmark: the member CSV import at HR-system scale, on SQLite.

Run ``python benchmarks/bench_import.py`` (optionally ``--rows 20000``).
It writes a synthetic CSV (Thai and English names, 3 skills, 2 learning
goals, 1-2 communities and a manager per member, a reporting tree), then
times, on a fresh SQLite file in a temporary folder:

1. parse + validate + preview (``plan_import``) into an empty database,
2. apply + commit (``apply_import``),
3. the same file again (every member unchanged),
4. an update of every member (a new department and one level changed).

Times are wall-clock seconds of one run; on a shared machine expect noise.
The issue asks for 20,000 rows in under a minute.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import Member, db  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.services.importer import COLUMNS, apply_import, plan_import  # noqa: E402

THAI_GIVEN = ["สมชาย", "สมศรี", "อนันต์", "กนกวรรณ", "ประเสริฐ", "วิไล", "ธนพล", "ศิริพร", "เกียรติ", "ไพโรจน์"]
THAI_FAMILY = ["ใจดี", "คงดี", "พูลสุข", "ศรีสวัสดิ์", "วงศ์ใหญ่", "แก้วมณี", "ทองคำ", "บุญมา"]
ENGLISH_GIVEN = ["Jane", "John", "Aisha", "Carlos", "Mei", "Liam", "Noor", "Sven"]
ENGLISH_FAMILY = ["Doe", "Smith", "Tan", "Garcia", "Lee", "Nguyen", "Khan", "Berg"]
SKILLS = [f"Skill {k}" for k in range(150)] + ["การวิเคราะห์ข้อมูล", "การนำเสนอ", "การเจรจาต่อรอง", "ภาษาอังกฤษ"]
COMMUNITIES = [f"Practice {k}" for k in range(20)] + ["ชุมชนข้อมูล", "ชุมชนนวัตกรรม"]
DEPARTMENTS = ["ฝ่ายข้อมูล", "ฝ่ายบัญชี", "Operations", "Sales", "IT", "HR", "Legal", "Marketing"]
ZONES = ["Asia/Bangkok", "Asia/Singapore", "Europe/London", "Asia/Tokyo"]
BANDS = ["Junior", "Mid-level", "Senior", "Lead", "Executive"]


def make_csv(rows: int, seed: int = 1, department_suffix: str = "") -> bytes:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for k in range(rows):
        thai = k % 2 == 0
        given, family = (THAI_GIVEN, THAI_FAMILY) if thai else (ENGLISH_GIVEN, ENGLISH_FAMILY)
        skills = rng.sample(SKILLS, 5)
        writer.writerow({
            "email": f"person{k}@example.com",
            "name": f"{rng.choice(given)} {rng.choice(family)} {k}",
            "department": rng.choice(DEPARTMENTS) + department_suffix,
            "function": "Analytics",
            "title": "Specialist",
            "seniority": rng.choice(BANDS),
            "location": "กรุงเทพฯ" if thai else "Singapore",
            "timezone": rng.choice(ZONES),
            "languages": "Thai; English" if thai else "English",
            # A tree: everyone but the first reports to someone earlier in the file.
            "manager_email": f"person{rng.randrange(k)}@example.com" if k else "",
            "skills": "; ".join(f"{name}:{rng.randint(1, 5)}" for name in skills[:3]),
            "learning_goals": "; ".join(f"{name}:{rng.randint(3, 5)}:{rng.randint(1, 3)}" for name in skills[3:]),
            "communities": "; ".join(rng.sample(COMMUNITIES, rng.randint(1, 2))),
            "mentor_capacity": str(rng.randint(0, 5)),
        })
    return buffer.getvalue().encode("utf-8-sig")


def timed(label: str, action, results: list) -> object:
    start = time.perf_counter()
    value = action()
    results.append((label, time.perf_counter() - start))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    data = make_csv(args.rows)
    updated = make_csv(args.rows, department_suffix=" 2")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": "bench",
        })
        results: list[tuple[str, float]] = []
        with app.app_context():
            db.create_all()
            plan = timed("parse + validate + preview (new)", lambda: plan_import(data), results)
            timed("apply + commit (new)", lambda: (apply_import(plan), db.session.commit()), results)
            plan = timed("parse + validate + preview (same file)", lambda: plan_import(data), results)
            assert plan.summary["unchanged"] == args.rows, plan.summary
            timed("apply + commit (same file)", lambda: (apply_import(plan), db.session.commit()), results)
            plan = timed("parse + validate + preview (updates)", lambda: plan_import(updated), results)
            timed("apply + commit (updates)", lambda: (apply_import(plan), db.session.commit()), results)
            count = db.session.scalar(db.select(db.func.count()).select_from(Member))
            assert count == args.rows, count
            db.session.remove()
            db.engine.dispose()

    print(f"Member import, {args.rows:,} rows, {len(data) / 1e6:.1f} MB CSV, SQLite")
    print(f"{'step':<42}{'seconds':>9}")
    print("-" * 51)
    for label, seconds in results:
        print(f"{label:<42}{seconds:>9.2f}")
    first = results[0][1] + results[1][1]
    print("-" * 51)
    print(f"{'new members, total':<42}{first:>9.2f}  ({'under' if first < 60 else 'OVER'} a minute)")


if __name__ == "__main__":
    main()
