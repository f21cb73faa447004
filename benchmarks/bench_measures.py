"""Speed of levelscope.measures against PySAL `inequality` on the same data, in one process.

Run: .venv/bin/python benchmarks/bench_measures.py [--quick] [--only single|panel]
Prints levelscope time, peer time and their ratio (peer / levelscope: above 1 means faster).
Single measures are best of three on both sides; the slow peer tasks are timed once.
PySAL computes unweighted measures: each measure it has is timed unweighted on both sides (like
for like) as well as weighted on the levelscope side (the harder case).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
from inequality.atkinson import atkinson as pysal_atkinson
from inequality.gini import Gini
from inequality.schutz import Schutz
from inequality.theil import Theil, TheilD, TheilDSim
from inequality.wolfson import lorenz_curve
from numpy.typing import NDArray

from levelscope.measures import MEASURES, between_share_test, decompose, lorenz, summarize

FloatArray = NDArray[np.float64]


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


def main(quick: bool = False, only: str | None = None) -> None:
    rng = np.random.default_rng(20261123)
    n = 100_000 if quick else 1_000_000
    y = rng.lognormal(10, 0.5, n)
    w = rng.integers(1, 1000, n).astype(float)
    print(f"{'task':<48} {'levelscope':>9} {'PySAL':>9} {'ratio':>9}   target")
    if only in (None, "single"):
        single_measures(y, w)
        decompositions(rng, y)
    if only in (None, "panel"):
        panel(rng, quick)


def single_measures(y: FloatArray, w: FloatArray) -> None:
    n = y.size
    peers: dict[str, Callable[[], object]] = {
        "gini": lambda: Gini(y).g,
        "theil": lambda: Theil(y).T,
        "atkinson": lambda: pysal_atkinson(y, 0.5),
        "hoover": lambda: Schutz(pd.DataFrame({"y": y}), "y").distance,
    }
    for name, measure in MEASURES.items():
        ours = best_of(partial(measure, y, w))
        peer = best_of(peers[name]) if name in peers else None
        row(f"{name}, n={n:,} weighted", ours, peer, "< 0.15 s, >= PySAL")
    # PySAL takes no weights: compare like with like as well.
    for name in peers:
        ours = best_of(partial(MEASURES[name], y))
        row(f"{name}, n={n:,} unweighted", ours, best_of(peers[name]), ">= PySAL")
    for epsilon in (1.0, 2.0):
        ours = best_of(partial(MEASURES["atkinson"], y, epsilon=epsilon))
        peer = best_of(partial(pysal_atkinson, y, epsilon))
        row(f"atkinson(epsilon={epsilon:g}), n={n:,} unweighted", ours, peer, ">= PySAL")
    ours = best_of(partial(lorenz, y))
    row(f"Lorenz curve (with Gini), n={n:,} unweighted", ours, best_of(partial(lorenz_curve, y)), ">= PySAL")


def decompositions(rng: np.random.Generator, y: FloatArray) -> None:
    n = y.size
    groups = rng.integers(0, 50, n)
    ours = best_of(lambda: decompose(y, groups, measure="theil"), repeats=2)
    peer = once(lambda: TheilD(y, groups))
    row(f"Theil decomposition, 50 groups, n={n:,}", ours, peer, ">= 20x TheilD")

    m = 10_000
    y_small, groups_small = y[:m], rng.integers(0, 5, m)
    ours = best_of(lambda: between_share_test(y_small, groups_small, n_resamples=99, seed=1))
    peer = once(lambda: TheilDSim(y_small, groups_small, 99))
    row(f"between-share test, 99 permutations, n={m:,}", ours, peer, ">= 20x TheilDSim")


def panel(rng: np.random.Generator, quick: bool) -> None:
    rows = 1_000_000 if quick else 10_000_000
    frame = pd.DataFrame(
        {
            "group": rng.integers(0, 2000, rows).astype(np.int32),
            "value": rng.lognormal(10, 0.5, rows),
            "weight": rng.integers(1, 1000, rows).astype(float),
        }
    )
    eight = ["gini", "theil", "mld", "atkinson", "cv", "variance_of_logs", "palma", "quantile_ratio"]
    # Warm up on a small slice, as best_of does for the single measures, so that the row times
    # the 10M-row query rather than one-time session setup (engine connection, compilers).
    summarize(frame.head(1000), "value", "weight", measures=eight)
    ours = once(lambda: summarize(frame, "value", "weight", by=["group"], measures=eight))
    row(f"summarize, 8 measures, {rows:,} rows, 2,000 groups", ours, None, "< 5 s (DuckDB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, for a smoke run")
    parser.add_argument("--only", choices=["single", "panel"], help="run one part only")
    arguments = parser.parse_args()
    main(quick=arguments.quick, only=arguments.only)
