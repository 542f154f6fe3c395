"""Benchmark ``matcher.pair_peers`` against networkx (run by hand, not a test).

    .venv/bin/python benchmarks/bench_peers.py            # full table
    .venv/bin/python benchmarks/bench_peers.py --quick    # 100 and 2,000 only
    .venv/bin/python benchmarks/bench_peers.py --scale 5000   # score_peers on profiles

Scores are a seeded random symmetric matrix in [0, 1) with 5% forbidden
pairs; priority "coverage" (networkx: ``maxcardinality=True``). Timings are
wall-clock on whatever else the machine is doing: treat them as rough.

``--scale N`` times a peer round from profiles instead: ``score_peers`` on N
synthetic members (``bench_groups.synthetic_members``), ``pair_peers`` on
the table, and the reasons of every pair in both directions, as a round
stores them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

from matcher import pair_peers, score_peers

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


def main(argv: list[str]) -> None:
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
