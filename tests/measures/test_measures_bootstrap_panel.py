"""Several measures, and several periods, bootstrapped from the same resamples."""

from __future__ import annotations

import numpy as np
import pytest

from levelscope.errors import UndefinedMeasureError
from levelscope.measures import (
    bootstrap,
    bootstrap_measures,
    bootstrap_panel,
    coefficient_of_variation,
    decompose,
    theil,
)


@pytest.fixture()
def sample() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    values = rng.lognormal(10.0, 0.35, 40)
    weights = rng.integers(10_000, 900_000, 40).astype(float)
    groups = np.repeat(["a", "b", "c", "d"], 10)
    return values, weights, groups


@pytest.mark.parametrize("measure", ["gini", "theil", "cv", "hoover", "atkinson(epsilon=1)"])
@pytest.mark.parametrize("stratified", [False, True])
def test_each_measure_equals_its_own_bootstrap(sample, measure: str, stratified: bool) -> None:  # type: ignore[no-untyped-def]
    values, weights, groups = sample
    strata = groups if stratified else None
    alone = bootstrap(values, measure, weights, strata, n_resamples=499, seed=5)
    together = bootstrap_measures(values, ["gini", "theil", "cv", "hoover", "atkinson(epsilon=1)"],
                                  weights, strata, n_resamples=499, seed=5)[alone.measure]
    assert together.estimate == pytest.approx(alone.estimate, rel=1e-12)
    np.testing.assert_allclose(together.distribution, alone.distribution, rtol=1e-10)
    assert (together.lower, together.upper) == pytest.approx((alone.lower, alone.upper), rel=1e-10)


def test_theil_split_holds_in_every_resample(sample) -> None:  # type: ignore[no-untyped-def]
    values, weights, groups = sample
    out = bootstrap_measures(values, ["theil"], weights, groups, decompose_by=groups,
                             n_resamples=300, seed=1)
    split = decompose(values, groups, weights, measure="theil")
    assert out["theil_between"].estimate == pytest.approx(split.between, rel=1e-12)
    assert out["theil_within"].estimate == pytest.approx(split.within, rel=1e-12)
    total = out["theil"].distribution
    np.testing.assert_allclose(out["theil_between"].distribution + out["theil_within"].distribution,
                               total, rtol=1e-12)
    # Every group keeps its ten areas, so a resample's between part is the Theil index of its
    # group means weighted by the resampled group populations: check the first by hand.
    rng = np.random.default_rng(1)
    draw = np.concatenate([np.flatnonzero(groups == g)[rng.integers(0, 10, (300, 10))][0]
                           for g in "abcd"])
    resampled_weight = np.bincount(draw, minlength=40) * weights
    group_weight = np.array([resampled_weight[groups == g].sum() for g in "abcd"])
    group_mean = np.array([np.dot(resampled_weight[groups == g], values[groups == g])
                           for g in "abcd"]) / group_weight
    assert out["theil_between"].distribution[0] == pytest.approx(theil(group_mean, group_weight), rel=1e-12)


def test_a_panel_resamples_the_same_areas_in_every_period(sample) -> None:  # type: ignore[no-untyped-def]
    values, weights, _ = sample
    later = values * np.linspace(0.9, 1.3, values.size)
    panel = bootstrap_panel(np.vstack([values, later]), np.vstack([weights, weights]),
                            ["gini", "cv"], n_resamples=200, seed=3)
    assert panel.measures == ("gini", "cv")
    assert panel.estimate[1, 1] == pytest.approx(coefficient_of_variation(later, weights), rel=1e-12)
    # one resample, two periods: a region drawn twice counts twice in both years
    np.testing.assert_array_less(0, panel.distribution)
    assert panel.distribution.shape == (2, 2, 200)
    intervals = panel.conf_int(alpha=0.1)
    assert list(intervals.columns) == ["period", "measure", "lower", "upper"]
    assert (intervals["lower"] <= panel.to_frame()["estimate"]).all()


def test_compiled_and_kernel_evaluations_agree(sample) -> None:  # type: ignore[no-untyped-def]
    values, weights, groups = sample
    panel = np.vstack([values, values ** 1.1])
    both = np.vstack([weights, weights])
    # unstratified, so that some resamples leave a group empty
    compiled = bootstrap_panel(panel, both, ["gini", "theil", "cv"], decompose_by=groups,
                               n_resamples=150, seed=9)
    kernels = bootstrap_panel(panel, both, ["gini", "theil", "cv", "hoover"], decompose_by=groups,
                              n_resamples=150, seed=9)
    for label in ("gini", "theil", "cv", "theil_between", "theil_within"):
        np.testing.assert_allclose(compiled.distribution[:, compiled.measures.index(label)],
                                   kernels.distribution[:, kernels.measures.index(label)], rtol=1e-9)


def test_panel_weights_must_be_positive(sample) -> None:  # type: ignore[no-untyped-def]
    values, weights, _ = sample
    weights = weights.copy()
    weights[3] = 0.0
    with pytest.raises(UndefinedMeasureError, match="positive"):
        bootstrap_panel(values[None, :], weights[None, :], ["gini"])
    with pytest.raises(ValueError, match="decomposition must be"):
        bootstrap_measures(values, ["theil"], decompose_by=np.zeros(values.size), decomposition="gini")  # type: ignore[arg-type]


def test_a_group_left_empty_by_a_resample_has_no_part_in_its_split() -> None:
    values = np.array([10.0, 12.0, 15.0, 9.0, 30.0, 11.0, 14.0, 20.0])
    weights = np.array([3.0, 1.0, 2.0, 5.0, 1.0, 2.0, 4.0, 1.0])
    groups = np.array(["a", "a", "a", "b", "c", "b", "b", "a"])  # "c" is one area
    out = bootstrap_measures(values, ["theil"], weights, decompose_by=groups, n_resamples=200, seed=2)
    draws = np.random.default_rng(2).integers(0, 8, (200, 8))
    empty = 0
    for b in range(200):
        counts = np.bincount(draws[b], minlength=8)
        kept = counts > 0
        empty += counts[4] == 0
        split = decompose(values[kept], groups[kept], (counts * weights)[kept], measure="theil")
        assert out["theil_between"].distribution[b] == pytest.approx(split.between, abs=1e-12)
        assert out["theil_within"].distribution[b] == pytest.approx(split.within, abs=1e-12)
    assert empty > 20  # the single-area group is often missing
