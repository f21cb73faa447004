"""Sobol indices on the Ishigami function and against SALib; the index Monte Carlo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample

from levelscope.errors import ValidationError
from levelscope.need.definition import IndexDefinition
from levelscope.need.index import build_index
from levelscope.need.uncertainty import run_uncertainty, sobol_analysis, sobol_indices

A, B = 7.0, 0.1
# Analytic indices of the Ishigami function with a = 7, b = 0.1 (Ishigami & Homma 1990;
# values as tabulated by Saltelli et al. 2010 and in SALib's documentation).
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_unit(u: np.ndarray) -> np.ndarray:
    return ishigami(-np.pi + 2 * np.pi * u)


def test_ishigami_indices_within_tolerance():
    result = sobol_analysis(ishigami_unit, 3, n_resamples=2**15, seed=12)
    # Monte Carlo error of these estimators at N = 32768 is below 0.01; allow 0.02.
    np.testing.assert_allclose(result.first_order.to_numpy(), ISHIGAMI_S1, atol=0.02)
    np.testing.assert_allclose(result.total.to_numpy(), ISHIGAMI_ST, atol=0.02)


def test_estimators_equal_salib_on_the_same_sample():
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    n = 1024
    x = salib_sample.sample(problem, n, calc_second_order=False, seed=3)
    y = ishigami(x)
    expected = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=10, seed=3)
    # SALib stacks each base row as [A, A_B^1, A_B^2, A_B^3, B].
    blocks = y.reshape(n, 5)
    first, total = sobol_indices(blocks[:, 0], blocks[:, 4], blocks[:, 1:4].T)
    np.testing.assert_allclose(first, expected["S1"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(total, expected["ST"], rtol=1e-10, atol=1e-12)


def test_sobol_analysis_is_reproducible_with_a_seed():
    one = sobol_analysis(ishigami_unit, 3, n_resamples=256, seed=5)
    two = sobol_analysis(ishigami_unit, 3, n_resamples=256, seed=5)
    other = sobol_analysis(ishigami_unit, 3, n_resamples=256, seed=6)
    pd.testing.assert_series_equal(one.first_order, two.first_order)
    assert not np.allclose(one.first_order, other.first_order)


def test_constant_output_gets_zero_indices():
    first, total = sobol_indices(np.ones(10), np.ones(10), np.ones((2, 10)))
    assert first.tolist() == [0.0, 0.0] and total.tolist() == [0.0, 0.0]


def _index_data(seed: int = 0, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    need = rng.normal(size=n)
    data = pd.DataFrame(
        {f"x{j}": need * (1 + j / 4) + rng.normal(scale=0.8, size=n) + 10 for j in range(6)},
        index=[f"E{i:03d}" for i in range(n)],
    )
    data["x5"] = np.exp(data["x5"] / 2)  # a skewed indicator, for the outlier choice
    return data


DEFINITION = {
    "name": "need",
    "indicators": [{"id": f"x{j}", "pillar": "a" if j < 3 else "b"} for j in range(6)],
    "normalisation": {"method": "min_max", "low": 1, "high": 100},
    "uncertainty": {
        "normalisation": ["min_max", "rank"],
        "aggregation": ["arithmetic", "geometric"],
        "outliers": ["none", "winsorise"],
        "weight_variation": 0.3,
    },
}


def test_index_monte_carlo_is_reproducible_and_sensible():
    data, definition = _index_data(), IndexDefinition.from_dict(DEFINITION)
    one = run_uncertainty(data, definition, n_resamples=200, seed=42)
    two = run_uncertainty(data, definition, n_resamples=200, seed=42)
    pd.testing.assert_frame_equal(one.to_frame(), two.to_frame())
    pd.testing.assert_frame_equal(one.sobol, two.sobol)
    assert one.n_runs == 200 * (5 + 2)
    assert list(one.sobol.index) == [
        "outliers",
        "normalisation",
        "aggregation",
        "indicator weights",
        "pillar weights",
    ]
    nominal = build_index(data, definition)
    pd.testing.assert_series_equal(one.nominal_rank, nominal.ranks.astype(float), check_names=False)
    assert (one.rank_lower <= one.median_rank).all() and (one.median_rank <= one.rank_upper).all()
    # Total indices bound first-order ones (up to Monte Carlo error) and lie in [0, ~1].
    assert (one.sobol["total"] >= one.sobol["first_order"] - 0.05).all()
    assert one.sobol["total"].between(-0.05, 1.2).all()


def test_monte_carlo_ranks_match_rebuilding_the_index_by_hand():
    """With only the normalisation varied, every run equals a build_index of that choice."""
    data = _index_data(1)
    spec = dict(
        DEFINITION,
        uncertainty={
            "normalisation": ["min_max", "rank"],
            "weight_variation": 0,
            "pillar_weight_variation": 0,
        },
    )
    definition = IndexDefinition.from_dict(spec)
    result = run_uncertainty(data, definition, n_resamples=64, seed=0)
    ranks = {
        method: build_index(
            data,
            IndexDefinition.from_dict(dict(spec, normalisation={"method": method, "low": 1, "high": 100})),
        ).ranks
        for method in ("min_max", "rank")
    }
    low = np.minimum(ranks["min_max"], ranks["rank"])
    high = np.maximum(ranks["min_max"], ranks["rank"])
    assert (result.rank_lower >= low - 1e-9).all() and (result.rank_upper <= high + 1e-9).all()
    # a single binary factor explains all variance: S1 = ST = 1 up to sampling error
    assert result.sobol.loc["normalisation", "total"] == pytest.approx(1.0, abs=0.25)


def test_weights_only_varying_weights_gives_intervals_around_nominal():
    data = _index_data(2)
    spec = dict(DEFINITION, uncertainty={"weight_variation": 0.5})
    result = run_uncertainty(data, IndexDefinition.from_dict(spec), n_resamples=100, seed=1)
    inside = (result.rank_lower <= result.nominal_rank) & (result.nominal_rank <= result.rank_upper)
    assert inside.mean() > 0.9


def test_nothing_to_vary_is_an_error():
    spec = dict(DEFINITION, uncertainty={"weight_variation": 0, "pillar_weight_variation": 0})
    with pytest.raises(ValidationError, match="nothing to vary"):
        run_uncertainty(_index_data(), IndexDefinition.from_dict(spec), n_resamples=10)


def test_incompatible_alternatives_are_rejected_before_running():
    spec = dict(
        DEFINITION,
        uncertainty={"normalisation": ["min_max", "z_score"], "aggregation": ["arithmetic", "geometric"]},
    )
    with pytest.raises(ValidationError) as caught:
        run_uncertainty(_index_data(), IndexDefinition.from_dict(spec), n_resamples=10)
    assert caught.value.problems[0].column == "uncertainty.normalisation"
    assert caught.value.problems[0].value == "z_score"
