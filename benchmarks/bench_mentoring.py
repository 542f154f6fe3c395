"""Benchmark: mentoring from profiles to pairs, against dense scipy.

Run ``python benchmarks/bench_mentoring.py`` (optionally ``--sizes 1000x300``).
For each size it builds synthetic profiles (capacities 1-5, about 5% of pairs
forbidden by the language rule plus reporting lines and history), then times
``score_mentoring`` and ``assign_mentors`` separately and, where the
capacity-expanded dense matrix fits (``--dense-limit`` learner x seat
cells), ``scipy.optimize.linear_sum_assignment`` on it, in the same run.
Times are wall-clock seconds of one run; on a shared machine expect noise.

``--scale`` (optionally ``--scale-sizes 20000x5000 100000x25000``) compares
the old path (``score_mentoring`` then ``assign_mentors`` on the whole
float32 table) with the blocked path (``mentoring_blocks`` then
``assign_mentors_blocked``: blocks scored when needed, only candidates kept)
from the same profiles, each in its own child process with a timeout, and
reports the child's peak resident memory (``ru_maxrss``: profiles included).
The old path runs only up to ``--old-limit`` learner x mentor cells.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher import assign_mentors, assign_mentors_blocked, mentoring_blocks, score_mentoring  # noqa: E402
from matcher.profiles import Goal, History, Profile, Rules  # noqa: E402

SKILLS = [f"Skill {k}" for k in range(40)]
COMMUNITIES = [f"Practice {k}" for k in range(15)]
DEPARTMENTS = ["Finance", "Operations", "Sales", "IT", "HR", "Legal", "Marketing", "Supply", "R&D", "Quality"]
ZONES = ["Asia/Bangkok", "Asia/Singapore", "Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]


def make_people(n_learners: int, n_mentors: int, seed: int = 0):
    """Synthetic learners and mentors; ids 0.. for mentors, then learners."""
    rng = np.random.default_rng(seed)
    mentors = [_person(rng, k, mentor=True) for k in range(n_mentors)]
    learners = [_person(rng, n_mentors + k, mentor=False, n_mentors=n_mentors) for k in range(n_learners)]
    return learners, mentors


def _person(rng, pid: int, *, mentor: bool, n_mentors: int = 0) -> Profile:
    skills = rng.choice(len(SKILLS), size=6, replace=False)
    levels = rng.integers(3, 6, size=6) if mentor else rng.integers(1, 4, size=6)
    goals = ()
    if not mentor:
        targets = rng.choice(len(SKILLS), size=rng.integers(1, 4), replace=False)
        goals = tuple(Goal(SKILLS[s], int(rng.integers(3, 6)), int(rng.integers(1, 4))) for s in targets)
    if mentor:
        languages = {"English", "Thai"} if rng.random() < 0.5 else {"English"}
    else:
        languages = {"Thai"} if rng.random() < 0.1 else {"English"}
    managers = (int(rng.integers(0, n_mentors)),) if not mentor and rng.random() < 0.3 else ()
    return Profile(
        id=pid,
        name=f"{'Mentor' if mentor else 'Learner'} {pid}",
        skills={SKILLS[s]: int(level) for s, level in zip(skills, levels)},
        goals=goals,
        communities=frozenset(rng.choice(COMMUNITIES, size=rng.integers(0, 3), replace=False).tolist()),
        department=str(rng.choice(DEPARTMENTS)),
        seniority=int(rng.integers(3, 6) if mentor else rng.integers(1, 4)),
        timezone=str(rng.choice(ZONES)),
        languages=frozenset(languages),
        managers=managers,
        mentor_capacity=int(rng.integers(1, 6)) if mentor else 0,
    )


def make_rules(learners, mentors, seed: int = 0) -> Rules:
    rng = np.random.default_rng(seed + 1)
    count = len(learners)
    past = zip(rng.integers(0, len(mentors), count), rng.choice(learners, count))
    rounds_ago = {(m, learner.id): int(rng.integers(1, 5)) for m, learner in past}
    declined = frozenset((int(m), learners[i].id) for m, i in zip(
        rng.integers(0, len(mentors), count // 10), rng.integers(0, count, count // 10)))
    return Rules(history=History(rounds_ago=rounds_ago, declined=declined))


def dense_baseline(scores: np.ndarray, capacity: np.ndarray):
    """linear_sum_assignment on the capacity-expanded matrix; coverage first via a big bonus."""
    expanded = np.repeat(scores.astype(np.float64), capacity, axis=1)
    allowed = np.isfinite(expanded)
    bonus = 2.0 * (np.abs(expanded[allowed]).max() + 1.0) * min(expanded.shape)
    rows, cols = linear_sum_assignment(np.where(allowed, expanded + bonus, 0.0), maximize=True)
    real = allowed[rows, cols]
    return int(real.sum()), float(expanded[rows[real], cols[real]].sum())


def run(n_learners: int, n_mentors: int, dense_limit: int) -> dict:
    learners, mentors = make_people(n_learners, n_mentors)
    rules = make_rules(learners, mentors)
    start = time.perf_counter()
    table = score_mentoring(learners, mentors, rules=rules)
    score_seconds = time.perf_counter() - start
    start = time.perf_counter()
    result = assign_mentors(table.scores, table.capacity)
    solve_seconds = time.perf_counter() - start
    row = {
        "size": f"{n_learners:,} x {n_mentors:,}",
        "seats": int(table.capacity.sum()),
        "forbidden": float(np.isneginf(table.scores).mean()),
        "score_s": score_seconds,
        "solve_s": solve_seconds,
        "matched": len(result.pairs),
        "total": result.total,
        "upper_bound": result.upper_bound,
        "gap": result.gap,
        "dense_s": None,
    }
    if n_learners * row["seats"] <= dense_limit:
        start = time.perf_counter()
        matched, total = dense_baseline(table.scores, table.capacity)
        row["dense_s"] = time.perf_counter() - start
        row["agree"] = matched == len(result.pairs) and abs(total - result.total) <= 1e-6 * max(1.0, abs(total))
    return row


def print_table(rows) -> None:
    header = (
        f"{'size':>15} {'seats':>7} {'forbid':>6} {'score s':>8} {'solve s':>8} {'total s':>8} "
        f"{'matched':>7} {'total':>12} {'upper bound':>12} {'gap':>8} {'scipy s':>8} {'ratio':>6} {'agree':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        dense = "-" if r["dense_s"] is None else f"{r['dense_s']:.2f}"
        ratio = "-" if r["dense_s"] is None else f"{r['dense_s'] / r['solve_s']:.1f}x"
        agree = "-" if r["dense_s"] is None else ("yes" if r["agree"] else "NO")
        print(
            f"{r['size']:>15} {r['seats']:>7,} {r['forbidden']:>6.1%} {r['score_s']:>8.2f} {r['solve_s']:>8.2f} "
            f"{r['score_s'] + r['solve_s']:>8.2f} {r['matched']:>7,} {r['total']:>12.2f} {r['upper_bound']:>12.2f} "
            f"{r['gap']:>8.1e} {dense:>8} {ratio:>6} {agree:>5}"
        )


def scale_child(method: str, n_learners: int, n_mentors: int) -> dict:
    """One path from profiles to pairs, in this (child) process; peak memory from ``ru_maxrss``."""
    learners, mentors = make_people(n_learners, n_mentors)
    rules = make_rules(learners, mentors)
    start = time.perf_counter()
    if method == "old":
        table = score_mentoring(learners, mentors, rules=rules)
        score_seconds = time.perf_counter() - start
        result = assign_mentors(table.scores, table.capacity)
    else:
        blocks = mentoring_blocks(learners, mentors, rules=rules)
        score_seconds = time.perf_counter() - start
        result = assign_mentors_blocked(blocks, n_learners, blocks.capacity)
    seconds = time.perf_counter() - start
    return {
        "method": method,
        "size": f"{n_learners:,} x {n_mentors:,}",
        "prepare_s": score_seconds,
        "seconds": seconds,
        "matched": len(result.pairs),
        "total": result.total,
        "upper_bound": result.upper_bound,
        "gap": result.gap,
        "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }


def run_scale(sizes, old_limit: int, timeout: float) -> None:
    rows = []
    for size in sizes:
        n_learners, n_mentors = (int(part) for part in size.lower().split("x"))
        for method in ("old", "new"):
            if method == "old" and n_learners * n_mentors > old_limit:
                rows.append({"method": "old", "size": f"{n_learners:,} x {n_mentors:,}", "skipped": "not run (--old-limit)"})
                continue
            command = [sys.executable, __file__, "--child", method, size]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
                rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            except subprocess.TimeoutExpired:
                rows.append({"method": method, "size": f"{n_learners:,} x {n_mentors:,}", "skipped": f"over {timeout:.0f} s"})
            except subprocess.CalledProcessError as error:
                rows.append({"method": method, "size": f"{n_learners:,} x {n_mentors:,}",
                             "skipped": f"failed: {error.stderr.strip().splitlines()[-1:]}"})
    print("| size | method | prepare (s) | total (s) | matched | total score | upper bound | gap | peak GiB |")
    print("|:-----|:-------|-----------:|---------:|--------:|------------:|------------:|----:|---------:|")
    for r in rows:
        if "skipped" in r:
            print(f"| {r['size']} | {r['method']} | {r['skipped']} | | | | | | |")
            continue
        print(
            f"| {r['size']} | {r['method']} | {r['prepare_s']:.2f} | {r['seconds']:.2f} | {r['matched']:,} | "
            f"{r['total']:.2f} | {r['upper_bound']:.2f} | {r['gap']:.2e} | {r['peak_gib']:.2f} |"
        )
    print("old: score_mentoring (whole float32 table) + assign_mentors; new: mentoring_blocks + assign_mentors_blocked")
    print("(blocks scored on demand). prepare: scoring (old) or encoding (new); total: profiles to pairs.")
    print("peak: the child process's ru_maxrss, profiles included.")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["1000x300", "5000x1500", "20000x5000"])
    parser.add_argument("--dense-limit", type=int, default=30_000_000, help="largest learner x seat matrix for scipy")
    parser.add_argument("--scale", action="store_true", help="old vs blocked path, each in a child process")
    parser.add_argument("--scale-sizes", nargs="*", default=["20000x5000", "100000x25000"])
    parser.add_argument("--old-limit", type=int, default=100_000_000, help="largest learner x mentor table for the old path")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per child process")
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        method, size = args.child
        n_learners, n_mentors = (int(part) for part in size.lower().split("x"))
        print(json.dumps(scale_child(method, n_learners, n_mentors)))
        return
    if args.scale:
        run_scale(args.scale_sizes, args.old_limit, args.timeout)
        return
    rows = []
    for size in args.sizes:
        n_learners, n_mentors = (int(part) for part in size.lower().split("x"))
        rows.append(run(n_learners, n_mentors, args.dense_limit))
    print_table(rows)
    print("score s: score_mentoring; solve s: assign_mentors (coverage); scipy s: linear_sum_assignment on the")
    print("capacity-expanded dense matrix; ratio: scipy s / solve s; agree: same matched count and total.")


if __name__ == "__main__":
    main()
