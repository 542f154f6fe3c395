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

This is a benchmark, not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.grouping import form_groups  # noqa: E402

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="four instances with short limits")
    parser.add_argument("--only", nargs="*", default=None, help="substrings of instance names to run")
    parser.add_argument("--seconds", type=float, default=None, help="override every time limit")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

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
