"""Benchmark ``matcher.form_groups`` against the MDGPLIB best known values.

Reads the RanReal instances in ``../shared/benchmarks/mdgp/`` (format in its
README.md), runs ``form_groups`` with the literature's time limits (3 s for
n=120, 20 s for n=240, 60 s for n=480) and prints, per instance, our total,
the best known value, the gap in percent and the seconds used, beside a plain
random grouping and the greedy construction alone; then the mean gap per size.

Usage::

    python benchmarks/bench_groups.py            # all instances (about 13 minutes)
    python benchmarks/bench_groups.py --quick    # a small subset, shorter limits
    python benchmarks/bench_groups.py --only n120_ss_01 --seconds 1
    python benchmarks/bench_groups.py --scale 5404    # a synthetic organisation
    python benchmarks/bench_groups.py --demo          # the demo organisation's round, old vs new search

``--scale N`` builds N synthetic member profiles (``synthetic_members``:
eight departments, functions, seniority, sites, skills, goals and about 10%
anchors at level 4 or above) and times ``plan_groups`` with groups of 4-6
and ``time_limit=5``, the construction alone, and ``explain_group`` for every
group: what an HR user waits for in a company-wide round.

``--demo`` takes the whole-organisation group round of the demo organisation
(9,000 members, seed 7: 5,404 eligible; ``demo_rounds.matcher_inputs``) and
runs ``plan_groups`` on it with the search of large rounds in blocks of
groups (``_BlockSearch``) and with the old search over the whole round
(``BLOCK_SEARCH_ABOVE`` raised, the switch), for the time limits given by
``--limits`` (default: old 10 and 180 s, new 10 s), each in a child process
that reports its peak resident memory. The time limit counts from the
call, so it includes scoring and the construction.

This is a benchmark, not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
import subprocess
import tempfile
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher import explain_group, form_groups, plan_groups  # noqa: E402
from matcher.profiles import Goal, Profile  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "mdgp"
TIME_LIMITS = {120: 3.0, 240: 20.0, 480: 60.0}
QUICK = ("RanReal_n120_ss_01", "RanReal_n120_ds_01", "RanReal_n240_ss_01", "RanReal_n240_ds_01")
QUICK_SECONDS = {120: 3.0, 240: 5.0, 480: 10.0}


@dataclass(frozen=True)
class Instance:
    name: str
    diversity: np.ndarray
    sizes: list[tuple[int, int]]


def read_instance(path: Path) -> Instance:
    """Read one MDGPLIB file: header ``n g type a_1 b_1 ...``, then ``i j d_ij`` lines."""
    with path.open() as handle:
        header = handle.readline().split()
        n, g = int(header[0]), int(header[1])
        bounds = [int(x) for x in header[3 : 3 + 2 * g]]
        body = np.loadtxt(handle, dtype=float)
    if body.shape != (n * (n - 1) // 2, 3):
        raise ValueError(f"{path.name}: expected {n * (n - 1) // 2} pair lines, got {body.shape[0]}")
    i, j = body[:, 0].astype(int), body[:, 1].astype(int)
    d = np.zeros((n, n))
    d[i, j] = body[:, 2]
    d[j, i] = body[:, 2]
    sizes = list(zip(bounds[0::2], bounds[1::2]))
    return Instance(path.stem, d, sizes)


def read_best_known() -> dict[str, float]:
    with (DATA / "best_known.csv").open() as handle:
        return {row["instance"]: float(row["best_known"]) for row in csv.DictReader(handle)}


def total_of(d: np.ndarray, labels: np.ndarray) -> float:
    same = labels[:, None] == labels[None, :]
    return float(d[same].sum() / 2.0)


def random_grouping(instance: Instance, rng) -> np.ndarray:
    """Random members into groups: each group gets its minimum, the rest go where there is room."""
    n = instance.diversity.shape[0]
    slots = [k for k, (lo, _) in enumerate(instance.sizes) for _ in range(lo)]
    room = [k for k, (lo, hi) in enumerate(instance.sizes) for _ in range(hi - lo)]
    slots += list(rng.permutation(room)[: n - len(slots)])
    return np.array(slots)[rng.permutation(n)]


def gap(best: float, value: float) -> float:
    return 100.0 * (best - value) / best


# --------------------------------------------------------------------------
# A synthetic organisation (also used by bench_peers.py)

SYNTHETIC_DEPARTMENTS = {
    "Engineering": ("Software", "Data", "Infrastructure"),
    "Finance": ("Accounting", "FP&A", "Treasury"),
    "Sales": ("Key accounts", "Inside sales"),
    "Operations": ("Plant operations", "Supply chain", "Quality"),
    "HR": ("Talent", "Learning & development"),
    "Marketing": ("Brand", "Digital"),
    "Customer Support": ("Service desk", "Customer success"),
    "Legal": ("Contracts", "Compliance"),
}
SYNTHETIC_SITES = (
    ("Bangkok HQ", "Asia/Bangkok", 0.62), ("Rayong plant", "Asia/Bangkok", 0.14),
    ("Chiang Mai", "Asia/Bangkok", 0.08), ("Singapore", "Asia/Singapore", 0.07),
    ("Tokyo", "Asia/Tokyo", 0.04), ("London", "Europe/London", 0.05),
)
SYNTHETIC_COMMUNITIES = {
    "Data": ("Python", "SQL", "Data visualisation", "Statistics", "Machine learning"),
    "Lean": ("Lean", "Process mapping", "Root cause analysis", "Six Sigma", "Kaizen facilitation"),
    "Customer": ("Customer journey mapping", "Service design", "Complaint handling", "NPS analysis"),
    "Agile": ("Scrum", "Kanban", "Facilitation", "Product ownership"),
    "Marketing": ("SEO", "Content strategy", "Social media analytics", "Campaign management"),
    "Leadership": ("Coaching", "Giving feedback", "Presenting", "Negotiation"),
    "Sustainability": ("ESG reporting", "Energy efficiency", "Circular economy"),
}


def synthetic_members(n: int, seed: int = 0, anchor_share: float = 0.10) -> list[Profile]:
    """``n`` random but plausible member profiles.

    Each member has a department and function, a seniority band (juniors
    most common), a site and its time zone, languages, a manager in the same
    department (for most), one or two communities, two to five skills at
    levels 1-3 from them, and up to three learning goals. About
    ``anchor_share`` of the members also know one skill at level 4 or 5.
    """
    rng = np.random.default_rng(seed)
    departments = list(SYNTHETIC_DEPARTMENTS)
    communities = list(SYNTHETIC_COMMUNITIES)
    every_skill = sorted({s for skills in SYNTHETIC_COMMUNITIES.values() for s in skills})
    site_p = np.array([p for _, _, p in SYNTHETIC_SITES])
    site_p /= site_p.sum()
    bosses: dict[str, list[int]] = {name: [] for name in departments}
    members = []
    for i in range(n):
        department = departments[int(rng.integers(len(departments)))]
        function = SYNTHETIC_DEPARTMENTS[department][int(rng.integers(len(SYNTHETIC_DEPARTMENTS[department])))]
        seniority = int(rng.choice(5, p=[0.3, 0.3, 0.2, 0.15, 0.05])) + 1
        location, zone, _ = SYNTHETIC_SITES[int(rng.choice(len(SYNTHETIC_SITES), p=site_p))]
        joined = [communities[int(k)] for k in rng.choice(len(communities), size=int(rng.integers(1, 3)), replace=False)]
        pool = sorted({s for c in joined for s in SYNTHETIC_COMMUNITIES[c]})
        known = rng.choice(len(pool), size=min(len(pool), int(rng.integers(2, 6))), replace=False)
        skills = {pool[int(k)]: int(rng.integers(1, 4)) for k in known}
        if rng.random() < anchor_share:
            skills[every_skill[int(rng.integers(len(every_skill)))]] = int(rng.integers(4, 6))
        open_goals = [s for s in pool if skills.get(s, 0) <= 3]
        chosen = rng.permutation(len(open_goals))[: int(rng.integers(0, 4))]
        goals = tuple(
            Goal(open_goals[int(k)], int(rng.integers(skills.get(open_goals[int(k)], 0) + 1, 6)), priority)
            for priority, k in enumerate(chosen, start=1)
        )
        languages = frozenset({"Thai", "English"} if location != "London" else {"English"})
        boss = bosses[department]
        managers = (boss[int(rng.integers(len(boss)))],) if boss and rng.random() < 0.9 else ()
        if seniority >= 3:
            boss.append(1000 + i)
        members.append(Profile(
            id=1000 + i, name=f"Member {i}", skills=skills, goals=goals, communities=frozenset(joined),
            department=department, function=function, seniority=seniority, location=location,
            timezone=zone, languages=languages, managers=managers,
        ))
    return members


def scale(n: int, seed: int, seconds: float) -> None:
    """Time a company-wide round of working groups on ``n`` synthetic members."""
    members = synthetic_members(n, seed)
    started = time.perf_counter()
    start = plan_groups(members, (4, 6), time_limit=None, max_iterations=0, seed=seed)
    construct_seconds = time.perf_counter() - started
    started = time.perf_counter()
    plan = plan_groups(members, (4, 6), time_limit=seconds, seed=seed)
    plan_seconds = time.perf_counter() - started
    started = time.perf_counter()
    texts = [explain_group(plan, k) for k in range(len(plan.grouping.groups))]
    explain_seconds = time.perf_counter() - started
    print(f"Working groups on {n:,} synthetic members: {len(plan.grouping.groups):,} groups of 4-6, "
          f"{len(plan.anchors):,} anchors, time_limit={seconds:g} s")
    print(f"{'step':<44} {'seconds':>8}")
    print(f"{'plan_groups, construction only':<44} {construct_seconds:>8.2f}")
    print(f"{'plan_groups, time_limit':<44} {plan_seconds:>8.2f}")
    print(f"{'explain_group for every group':<44} {explain_seconds:>8.2f}")
    print(f"{'plan + explanations':<44} {plan_seconds + explain_seconds:>8.2f}")
    print(f"total {start.grouping.total:.1f} after construction, {plan.grouping.total:.1f} after "
          f"{plan.grouping.iterations:,} iterations; isolated {len(plan.isolated)}; notes {[note.text for note in plan.notes]}")
    print(texts[0])


def demo(limits: list[tuple[str, float]]) -> None:
    """The demo organisation's group round, searched the old way and the new, side by side.

    Each run is a child process reading the captured inputs, so that its
    peak resident memory (``ru_maxrss``) is its own and no tracer slows it.
    """
    from demo_rounds import matcher_inputs

    args, kwargs = matcher_inputs("groups")
    print(f"Working groups of the demo organisation (9,000 members, seed 7): {len(args[0]):,} members, sizes {args[1]}")
    print("| search | time limit (s) | wall (s) | total      | vs greedy | iterations | peak GiB |")
    print("|:-------|---------------:|---------:|-----------:|----------:|-----------:|---------:|")
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "inputs.pickle"
        inputs.write_bytes(pickle.dumps((args, kwargs)))
        greedy = None
        for method, seconds in [("greedy", 0.0), *limits]:
            child = subprocess.run([sys.executable, __file__, "--demo-child", str(inputs), method, str(seconds)],
                                   capture_output=True, text=True)
            if child.returncode:
                print(f"| {method} failed: {child.stderr.strip().splitlines()[-1:]} |", flush=True)
                continue
            f = json.loads(child.stdout.strip().splitlines()[-1])
            if method == "greedy":
                greedy = f["total"]
                continue
            print(f"| {method:<6} | {seconds:14g} | {f['wall']:8.1f} | {f['total']:10.2f} "
                  f"| {100 * (f['total'] / greedy - 1):+8.3f}% | {f['iterations']:10,} | {f['peak_gib']:8.2f} |",
                  flush=True)


def demo_child(inputs: str, method: str, seconds: float) -> None:
    """One ``--demo`` run: ``greedy`` (no search), ``old`` (whole-round search) or ``new`` (blocks)."""
    import resource

    import matcher.solve.grouping as grouping

    args, kwargs = pickle.loads(Path(inputs).read_bytes())
    if method == "old":
        grouping.BLOCK_SEARCH_ABOVE = 10**12  # the switch: search the whole round at every step
    budget = {"time_limit": None, "max_iterations": 0} if method == "greedy" else {"time_limit": seconds}
    started = time.perf_counter()
    plan = plan_groups(*args, **{**kwargs, **budget})
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps({"total": plan.grouping.total, "iterations": plan.grouping.iterations, "wall": wall,
                      "peak_gib": peak}))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="four instances with short limits")
    parser.add_argument("--only", nargs="*", default=None, help="substrings of instance names to run")
    parser.add_argument("--seconds", type=float, default=None, help="override every time limit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=int, default=None, metavar="N",
                        help="time plan_groups on N synthetic members instead of MDGPLIB")
    parser.add_argument("--demo", action="store_true", help="the demo organisation's round, old and new search")
    parser.add_argument("--limits", nargs="*", default=["old:10", "old:180", "new:10"],
                        help="with --demo: method:seconds runs (method old or new)")
    parser.add_argument("--demo-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.demo_child:
        demo_child(args.demo_child[0], args.demo_child[1], float(args.demo_child[2]))
        return 0
    if args.demo:
        demo([(item.split(":")[0], float(item.split(":")[1])) for item in args.limits])
        return 0
    if args.scale:
        scale(args.scale, args.seed, args.seconds or 5.0)
        return 0

    best_known = read_best_known()
    paths = sorted((DATA / "instances").glob("RanReal_*.txt"), key=lambda p: (len(p.stem), p.stem))
    if args.quick:
        paths = [p for p in paths if p.stem in QUICK]
    if args.only:
        paths = [p for p in paths if any(part in p.stem for part in args.only)]

    print(f"{'instance':<20} {'random gap%':>11} {'greedy gap%':>11} {'total':>12} {'best known':>12} {'gap%':>7} {'seconds':>8} {'iters':>8}")
    gaps: dict[int, list[float]] = {}
    baseline: dict[int, list[tuple[float, float]]] = {}
    for path in paths:
        instance = read_instance(path)
        n = instance.diversity.shape[0]
        limit = args.seconds or (QUICK_SECONDS if args.quick else TIME_LIMITS)[n]
        best = best_known[instance.name]
        rng = np.random.default_rng(args.seed)
        random_total = total_of(instance.diversity, random_grouping(instance, rng))
        greedy = form_groups(instance.diversity, instance.sizes, max_iterations=0, seed=args.seed)
        started = time.perf_counter()
        result = form_groups(instance.diversity, instance.sizes, time_limit=limit, seed=args.seed)
        seconds = time.perf_counter() - started
        ours = gap(best, result.total)
        gaps.setdefault(n, []).append(ours)
        baseline.setdefault(n, []).append((gap(best, random_total), gap(best, greedy.total)))
        print(
            f"{instance.name:<20} {gap(best, random_total):>11.2f} {gap(best, greedy.total):>11.2f} "
            f"{result.total:>12.3f} {best:>12.3f} {ours:>7.3f} {seconds:>8.2f} {result.iterations:>8}",
            flush=True,
        )
    print()
    print(f"{'n':>4} {'instances':>9} {'random gap%':>11} {'greedy gap%':>11} {'mean gap%':>9} {'worst gap%':>10}")
    for n in sorted(gaps):
        rand = statistics.mean(r for r, _ in baseline[n])
        greedy = statistics.mean(g for _, g in baseline[n])
        print(f"{n:>4} {len(gaps[n]):>9} {rand:>11.2f} {greedy:>11.2f} {statistics.mean(gaps[n]):>9.3f} {max(gaps[n]):>10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
