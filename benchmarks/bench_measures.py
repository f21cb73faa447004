"""Speed of levelscope.measures against PySAL `inequality` on the same data, in one process.

Run: .venv/bin/python benchmarks/bench_measures.py [--quick]
Prints levelscope time, peer time and their ratio (peer / levelscope: above 1 means faster).
Single measures are best of three on both sides; the slow peer tasks are timed once.
PySAL computes the unweighted measures; levelscope is timed with weights (the harder case).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from inequality.atkinson import atkinson as pysal_atkinson
from inequality.gini import Gini
from inequality.theil import Theil, TheilD, TheilDSim

from levelscope.measures import MEASURES, between_share_test, decompose, summarize


def best_of(function: Callable[[], object], repeats: int = 3) -> float:
    function()  # warm-up (compilation, caches)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def once(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def row(task: str, ours: float, peer: float | None, target: str) -> None:
    ratio = f"{peer / ours:8.1f}x" if peer is not None else "       -"
    peer_text = f"{peer:9.3f}" if peer is not None else "        -"
    print(f"{task:<48} {ours:9.3f} {peer_text} {ratio}   {target}")


def main(quick: bool = False) -> None:
    rng = np.random.default_rng(20261123)
    n = 100_000 if quick else 1_000_000
    y = rng.lognormal(10, 0.5, n)
    w = rng.integers(1, 1000, n).astype(float)
    print(f"{'task':<48} {'levelscope':>9} {'PySAL':>9} {'ratio':>9}   target")

    peers: dict[str, Callable[[], object]] = {
        "gini": lambda: Gini(y).g,
        "theil": lambda: Theil(y).T,
        "atkinson": lambda: pysal_atkinson(y, 0.5),
    }
    for name, measure in MEASURES.items():
        ours = best_of(lambda measure=measure: measure(y, w))
        peer = best_of(peers[name]) if name in peers else None
        row(f"{name}, n={n:,} weighted", ours, peer, "< 0.15 s, >= PySAL")
    # PySAL's Gini and Atkinson take no weights: compare like with like as well.
    for name in ("gini", "atkinson"):
        ours = best_of(lambda name=name: MEASURES[name](y))
        row(f"{name}, n={n:,} unweighted", ours, best_of(peers[name]), ">= PySAL")

    groups = rng.integers(0, 50, n)
    ours = best_of(lambda: decompose(y, groups, measure="theil"), repeats=2)
    peer = once(lambda: TheilD(y, groups))
    row(f"Theil decomposition, 50 groups, n={n:,}", ours, peer, ">= 20x TheilD")

    m = 10_000
    y_small, groups_small = y[:m], rng.integers(0, 5, m)
    ours = best_of(lambda: between_share_test(y_small, groups_small, n_permutations=99, seed=1))
    peer = once(lambda: TheilDSim(y_small, groups_small, 99))
    row(f"between-share test, 99 permutations, n={m:,}", ours, peer, ">= 20x TheilDSim")

    rows = 1_000_000 if quick else 10_000_000
    frame = pd.DataFrame(
        {
            "group": rng.integers(0, 2000, rows).astype(np.int32),
            "value": rng.lognormal(10, 0.5, rows),
            "weight": rng.integers(1, 1000, rows).astype(float),
        }
    )
    eight = ["gini", "theil", "mld", "atkinson", "cv", "variance_of_logs", "palma", "quantile_ratio"]
    ours = once(lambda: summarize(frame, "value", "weight", by=["group"], measures=eight))
    row(f"summarize, 8 measures, {rows:,} rows, 2,000 groups", ours, None, "< 5 s (DuckDB)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
