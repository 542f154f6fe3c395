"""Benchmark ``matcher.pair_peers`` against networkx (run by hand, not a test).

    .venv/bin/python benchmarks/bench_peers.py            # full table
    .venv/bin/python benchmarks/bench_peers.py --quick    # 100 and 2,000 only
    .venv/bin/python benchmarks/bench_peers.py --scale 5000   # score_peers on profiles
    .venv/bin/python benchmarks/bench_peers.py --demo         # the demo organisation's peer round, old vs new
    .venv/bin/python benchmarks/bench_peers.py --large 20000 40000 [--old-up-to 10000]

Scores are a seeded random symmetric matrix in [0, 1) with 5% forbidden
pairs; priority "coverage" (networkx: ``maxcardinality=True``). Timings are
wall-clock on whatever else the machine is doing: treat them as rough.

``--scale N`` times a peer round from profiles instead: ``score_peers`` on N
synthetic members (``bench_groups.synthetic_members``), ``pair_peers`` on
the table, and the reasons of every pair in both directions, as a round
stores them.

``--demo`` loads the 9,000-member demo organisation (seed 7, as
``bench_rounds.py`` does) into a temporary SQLite database, takes the score
table of its whole-organisation peer round and solves it with today's
certified mode and with the old one (``_legacy_pair_peers``: two pricing
passes, dense ``float64`` weights), side by side, with the peak memory
tracemalloc sees during a second, traced solve. ``--large`` runs each size and method
in a child process on a seeded random ``float32`` table (``float64`` for the
old method, which copies to it anyway) and reports the child's peak
resident memory (``ru_maxrss``), the table included.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np

from matcher import pair_peers, score_peers
from matcher.solve.pairing import _legacy_pair_peers

METHODS = {"new": pair_peers, "old": _legacy_pair_peers}

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_groups import synthetic_members  # noqa: E402

COMPARED_SIZES = (100, 200, 400)
LARGE_SIZES = (2_000, 10_000)


def random_scores(n: int, seed: int = 0, forbidden_share: float = 0.05) -> np.ndarray:
    """A symmetric score matrix in [0, 1) with a share of forbidden pairs."""
    rng = np.random.default_rng(seed)
    scores = rng.random((n, n))
    scores = np.triu(scores, 1)
    scores += scores.T
    forbidden = np.triu(rng.random((n, n)) < forbidden_share, 1)
    scores[forbidden | forbidden.T] = -np.inf
    return scores


def networkx_total(scores: np.ndarray) -> float:
    """networkx's optimum total (maximum cardinality, then weight)."""
    i, j = np.nonzero(np.triu(np.isfinite(scores), 1))
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(i.tolist(), j.tolist(), scores[i, j].tolist()))
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    return float(sum(scores[a, b] for a, b in matching))


def timed(function, *args):
    start = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - start


def compare(n: int) -> str:
    scores = random_scores(n)
    ours, our_time = timed(pair_peers, scores)
    theirs, their_time = timed(networkx_total, scores)
    agree = "yes" if abs(ours.total - theirs) <= 1e-9 * max(1.0, abs(theirs)) else "NO"
    return (
        f"| {n:>6,} | {our_time:8.3f} | {their_time:9.2f} | {their_time / our_time:7.0f}x "
        f"| {ours.total:12.4f} | {theirs:12.4f} | {agree:>6} |"
    )


def certify(n: int) -> str:
    scores = random_scores(n)
    ours, our_time = timed(pair_peers, scores)
    return (
        f"| {n:>6,} | {our_time:8.2f} | {ours.total:12.4f} | {ours.upper_bound:12.4f} "
        f"| {100 * ours.gap:8.4f}% | {len(ours.unpaired):8d} |"
    )


def scale(n: int) -> None:
    """Time a peer round from profiles: scores, pairs, then every pair's reasons."""
    members = synthetic_members(n)
    table, score_time = timed(score_peers, members)
    result, pair_time = timed(pair_peers, table.scores)
    _, explain_time = timed(lambda: [(table.explain(i, j), table.explain(j, i)) for i, j in result.pairs.tolist()])
    print(f"Peer round on {n:,} synthetic members: {len(result.pairs):,} pairs")
    print("| step                          | seconds |")
    print("|:------------------------------|--------:|")
    print(f"| score_peers                   | {score_time:7.2f} |")
    print(f"| pair_peers                    | {pair_time:7.2f} |")
    print(f"| explain every pair, both ways | {explain_time:7.2f} |")


def demo_scores() -> np.ndarray:
    """The score table of the demo organisation's whole peer round (``demo_rounds.matcher_inputs``)."""
    from demo_rounds import matcher_inputs

    args, _ = matcher_inputs("peer")
    return np.asarray(args[0], dtype=float)


def traced(function, *args):
    """``function(*args)``, its seconds and the peak MiB that tracemalloc saw during the call."""
    tracemalloc.start()
    value, seconds = timed(function, *args)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return value, seconds, peak


def demo() -> None:
    scores = demo_scores()
    print(f"Peer round of the demo organisation (9,000 members, seed 7): {len(scores):,} members, "
          f"{(int(np.isfinite(scores).sum()) - int(np.isfinite(np.diag(scores)).sum())) // 2:,} pairs; table {scores.nbytes / 2**20:.0f} MiB (not counted)")
    print("| method | time (s) | pairs | total        | upper bound  | gap      | solve peak MiB |")
    print("|:-------|---------:|------:|-------------:|-------------:|---------:|---------------:|")
    for name in ("new", "old"):
        result, seconds = timed(METHODS[name], scores)  # timed untraced: tracemalloc slows Python code
        _, _, peak = traced(METHODS[name], scores)
        print(f"| {name:<6} | {seconds:8.2f} | {len(result.pairs):5,} | {result.total:12.2f} "
              f"| {result.upper_bound:12.2f} | {100 * result.gap:7.4f}% | {peak:14.0f} |", flush=True)


def random_scores_float32(n: int, seed: int = 0, forbidden_share: float = 0.05) -> np.ndarray:
    """``random_scores`` made in row blocks straight into ``float32`` (symmetric)."""
    rng = np.random.default_rng(seed)
    scores = np.empty((n, n), dtype=np.float32)
    for start in range(0, n, 1024):
        stop = min(start + 1024, n)
        block = rng.random((stop - start, n), dtype=np.float32)
        block[rng.random((stop - start, n)) < forbidden_share] = -np.inf
        scores[start:stop] = block
    for start in range(0, n, 1024):  # mirror the upper triangle
        stop = min(start + 1024, n)
        rows = scores[start:stop]
        columns = scores[:, start:stop].T
        keep = np.arange(n)[None, :] < np.arange(start, stop)[:, None]
        rows[keep] = columns[keep]
    np.fill_diagonal(scores, -np.inf)
    return scores


def one(method: str, n: int) -> None:
    """Child process of ``--large``: one solve, its figures as JSON."""
    scores = random_scores_float32(n)
    if method == "old":
        scores = scores.astype(float)
    result, seconds = timed(METHODS[method], scores)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    print(json.dumps({"seconds": seconds, "pairs": len(result.pairs), "total": result.total,
                      "bound": result.upper_bound, "gap": result.gap, "peak_gib": peak}))


def large_rounds(sizes: list[int], old_up_to: int) -> None:
    print("pair_peers on large random rounds (each in a child process; peak = its resident memory, table included)")
    print("| n      | method | time (s) | total          | upper bound    | gap       | peak GiB |")
    print("|-------:|:-------|---------:|---------------:|---------------:|----------:|---------:|")
    for n in sizes:
        for method in ("new", "old") if n <= old_up_to else ("new",):
            child = subprocess.run([sys.executable, __file__, "--one", method, str(n)], capture_output=True, text=True)
            if child.returncode:
                print(f"| {n:>6,} | {method:<6} | failed: {child.stderr.strip().splitlines()[-1:]} |", flush=True)
                continue
            f = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"| {n:>6,} | {method:<6} | {f['seconds']:8.1f} | {f['total']:14.3f} | {f['bound']:14.3f} "
                  f"| {100 * f['gap']:8.5f}% | {f['peak_gib']:8.2f} |", flush=True)


def main(argv: list[str]) -> None:
    if "--one" in argv:
        one(argv[argv.index("--one") + 1], int(argv[argv.index("--one") + 2]))
        return
    if "--demo" in argv:
        demo()
        return
    if "--large" in argv:
        old_up_to = int(argv.pop(argv.index("--old-up-to") + 1)) if "--old-up-to" in argv else 10_000
        large_rounds([int(a) for a in argv[argv.index("--large") + 1 :] if a.isdigit()], old_up_to)
        return
    if "--scale" in argv:
        scale(int(argv[argv.index("--scale") + 1]))
        return
    quick = "--quick" in argv
    compared = COMPARED_SIZES[:1] if quick else COMPARED_SIZES
    large = LARGE_SIZES[:1] if quick else LARGE_SIZES
    print("pair_peers vs networkx.max_weight_matching (coverage priority)")
    print("| n      | ours (s) | nx (s)    | ratio   | our total    | nx total     | agree  |")
    print("|-------:|---------:|----------:|--------:|-------------:|-------------:|-------:|")
    for n in compared:
        print(compare(n), flush=True)
    print()
    print("pair_peers on large rounds (certified bound)")
    print("| n      | time (s) | total        | upper bound  | gap       | unpaired |")
    print("|-------:|---------:|-------------:|-------------:|----------:|---------:|")
    for n in large:
        print(certify(n), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
