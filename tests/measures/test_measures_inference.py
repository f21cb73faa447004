"""Bootstrap intervals against scipy.stats.bootstrap; the permutation test against PySAL."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from inequality.gini import Gini
from inequality.theil import TheilD

from levelscope.errors import UndefinedMeasureError
from levelscope.measures import between_share_test, bootstrap, gini
from levelscope.measures.decompose import grouped_sample
from levelscope.measures.inference import permuted_between, random_permutations


def _pysal_gini(sample: np.ndarray, axis: int) -> np.ndarray:
    return np.apply_along_axis(lambda row: Gini(row).g, axis, sample)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_bootstrap_matches_scipy(gva_2021: pd.DataFrame, method: str) -> None:
    # Same seed, same resamples: the interval must equal scipy's with PySAL's Gini as statistic.
    y = gva_2021["gva"].to_numpy()[:40]
    ours = bootstrap(y, "gini", n_resamples=299, method=method, seed=11)  # type: ignore[arg-type]
    reference = scipy.stats.bootstrap(
        (y,), _pysal_gini, n_resamples=299, method=method, rng=np.random.default_rng(11)
    )
    assert ours.lower == pytest.approx(reference.confidence_interval.low, rel=1e-10)
    assert ours.upper == pytest.approx(reference.confidence_interval.high, rel=1e-10)
    assert ours.std_error == pytest.approx(reference.standard_error, rel=1e-10)
    assert ours.estimate == pytest.approx(Gini(y).g, rel=1e-10)


def test_bootstrap_is_reproducible_and_stratified() -> None:
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    first = bootstrap(y, "atkinson(epsilon=1)", n_resamples=100, seed=3)
    second = bootstrap(y, "atkinson(epsilon=1)", n_resamples=100, seed=3)
    np.testing.assert_array_equal(first.distribution, second.distribution)
    assert first.measure == "atkinson(epsilon=1)"
    # With one observation per stratum every resample is the data itself.
    fixed = bootstrap(y, "theil", groups=np.arange(8), n_resamples=50, seed=1)
    np.testing.assert_allclose(fixed.distribution, fixed.estimate, rtol=1e-12)
    # Two strata {low four, high four}: each resample keeps four of each, so every resample's
    # Gini equals gini(resampled values) computed directly from the same draws.
    groups = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    order = np.argsort(y, kind="stable")
    result = bootstrap(y[order], "gini", groups=groups, n_resamples=20, seed=5)
    rng = np.random.default_rng(5)
    low = rng.integers(0, 4, (20, 4))
    high = 4 + rng.integers(0, 4, (20, 4))
    expected = [gini(y[order][np.concatenate([a, b])]) for a, b in zip(low, high, strict=True)]
    np.testing.assert_allclose(result.distribution, expected, rtol=1e-12)
    assert len(result.plot().data) == 1


def test_bootstrap_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="alpha must lie"):
        bootstrap([1.0, 2.0], alpha=1.5)
    with pytest.raises(UndefinedMeasureError, match="BCa interval is undefined"):
        bootstrap([2.0, 2.0, 2.0], "cv", method="bca", n_resamples=20, seed=0)


def test_permuted_between_matches_pysal_theild(gva_2021: pd.DataFrame) -> None:
    y, groups = gva_2021["gva"].to_numpy(), gva_2021["itl1"].to_numpy()
    sample, codes, labels = grouped_sample("theil", y, groups, None, positive=False)
    permutations = random_permutations(np.random.default_rng(0), y.size, 25)
    assert (np.sort(permutations, axis=1) == np.arange(y.size)).all()
    ours = permuted_between(sample.values, sample.weights, codes, len(labels), permutations, 1.0)
    reference = [float(TheilD(y[p], groups).bg[0]) for p in permutations]
    np.testing.assert_allclose(ours, reference, rtol=1e-10)


def test_between_share_test(gva_2021: pd.DataFrame) -> None:
    y, groups = gva_2021["gva"].to_numpy(), gva_2021["itl1"].to_numpy()
    result = between_share_test(y, groups, n_resamples=199, seed=4)
    again = between_share_test(y, groups, n_resamples=199, seed=4)
    assert result.p_value == again.p_value
    assert result.between == pytest.approx(float(TheilD(y, groups).bg[0]), rel=1e-10)
    extreme = np.sum(result.permuted_shares >= result.between_share - 1e-12)
    assert result.p_value == pytest.approx((1 + extreme) / 200)
    # Groups that split the values cleanly: no permutation reaches the observed share.
    # (Only 2 of the C(20, 10) = 184,756 splits do, so a permutation hitting one is negligible.)
    separated = between_share_test(
        np.r_[np.linspace(1, 2, 10), np.linspace(10, 20, 10)],
        ["a"] * 10 + ["b"] * 10,
        n_resamples=99,
        seed=0,
    )
    assert separated.p_value == pytest.approx(0.01)
    assert len(separated.plot().data) == 1
