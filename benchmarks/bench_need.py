"""Speed of the need index Monte Carlo (target: 30 indicators x 400 areas x 1,000 runs < 3 s).

Run: ``.venv/bin/python benchmarks/bench_need.py``. Prints, for the same synthetic data:

1. levelscope's uncertainty analysis at N = 1,000 (1,000 base replications; N (d + 2) = 7,000
   index rebuilds with d = 5 factors) and at N = 143 (1,001 rebuilds);
2. the same rebuilds done one at a time with ``build_index`` (what a loop over replications
   costs), timed on 50 rebuilds and scaled up;
3. Sobol estimation from the same outputs: levelscope's vectorised estimators against SALib's
   ``sobol.analyze`` (with a minimal bootstrap of 2 resamples) on the Ishigami function.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample

from levelscope.need.definition import IndexDefinition
from levelscope.need.index import build_index
from levelscope.need.uncertainty import run_uncertainty, sobol_indices

N_AREAS, N_INDICATORS = 400, 30


def synthetic() -> tuple[pd.DataFrame, IndexDefinition]:
    rng = np.random.default_rng(0)
    need = rng.normal(size=N_AREAS)
    loadings = rng.uniform(0.5, 1.0, N_INDICATORS)
    values = 50 + 10 * need[:, None] * loadings + 7 * rng.normal(size=(N_AREAS, N_INDICATORS))
    data = pd.DataFrame(
        values,
        index=[f"E{i:08d}" for i in range(N_AREAS)],
        columns=[f"ind{j:02d}" for j in range(N_INDICATORS)],
    )
    data["ind00"] = np.exp(data["ind00"] / 10)  # skewed: outlier treatment has work to do
    definition = IndexDefinition.from_dict(
        {
            "name": "benchmark",
            "indicators": [{"id": c, "pillar": f"p{j % 5}"} for j, c in enumerate(data.columns)],
            "normalisation": {"method": "min_max", "low": 1, "high": 100},
            "uncertainty": {
                "outliers": ["none", "winsorise"],
                "normalisation": ["min_max", "rank"],
                "aggregation": ["arithmetic", "geometric"],
                "weight_variation": 0.25,
                "pillar_weight_variation": 0.25,
            },
        }
    )
    return data, definition


def best_of(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    data, definition = synthetic()
    run_uncertainty(data, definition, n_resamples=16, seed=0)  # warm up
    for n in (1000, 143):
        result = run_uncertainty(data, definition, n_resamples=n, seed=1)
        seconds = best_of(lambda n=n: run_uncertainty(data, definition, n_resamples=n, seed=1))
        print(
            f"levelscope uncertainty: {N_INDICATORS} indicators x {N_AREAS} areas, N = {n} "
            f"({result.n_runs} rebuilds): {seconds:.2f} s"
        )

    one_at_a_time = best_of(lambda: [build_index(data, definition) for _ in range(50)], repeat=1)
    per_rebuild = one_at_a_time / 50
    vectorised = best_of(lambda: run_uncertainty(data, definition, n_resamples=1000, seed=1), repeat=1)
    print(
        f"one build_index at a time: {per_rebuild * 1000:.1f} ms per rebuild, "
        f"{per_rebuild * 7000:.1f} s for 7,000; vectorised {vectorised:.2f} s; "
        f"ratio {per_rebuild * 7000 / vectorised:.0f}x"
    )

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    n = 2**16
    x = salib_sample.sample(problem, n, calc_second_order=False, seed=1)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    blocks = y.reshape(n, 5)
    ours = best_of(lambda: sobol_indices(blocks[:, 0], blocks[:, 4], blocks[:, 1:4].T))
    theirs = best_of(lambda: salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=2))
    print(
        f"Sobol estimators, Ishigami N = {n}: levelscope {ours * 1000:.1f} ms, "
        f"SALib {theirs * 1000:.1f} ms, ratio {theirs / ours:.1f}x"
    )


if __name__ == "__main__":
    main()
