"""Weights and aggregation against hand calculations, SciPy, scikit-learn and factor_analyzer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from factor_analyzer.rotator import Rotator
from scipy import stats
from sklearn.decomposition import PCA

from levelscope.errors import UndefinedMeasureError
from levelscope.need.aggregate import aggregate, aggregate_runs
from levelscope.need.weights import (
    equal_weights,
    factor_weights,
    pca_weights,
    scale_weights,
    varimax,
)

VALUES = pd.DataFrame({"a": [10.0, 40.0], "b": [40.0, 10.0], "c": [20.0, 20.0]}, index=["X", "Y"])
WEIGHTS = {"a": 0.5, "b": 0.25, "c": 0.25}


def test_arithmetic_geometric_harmonic_by_hand():
    # X: 0.5*10 + 0.25*40 + 0.25*20 = 20
    assert aggregate(VALUES, WEIGHTS, "arithmetic")["X"] == pytest.approx(20.0)
    # X: 10^0.5 * 40^0.25 * 20^0.25 = 10^0.5 * 800^0.25
    assert aggregate(VALUES, WEIGHTS, "geometric")["X"] == pytest.approx(10**0.5 * 800**0.25)
    # X: 1 / (0.5/10 + 0.25/40 + 0.25/20) = 1 / 0.06875
    assert aggregate(VALUES, WEIGHTS, "harmonic")["X"] == pytest.approx(1 / 0.06875)


def test_weighted_means_match_scipy():
    rng = np.random.default_rng(2)
    values = pd.DataFrame(rng.uniform(1, 100, size=(20, 5)), columns=list("abcde"))
    weights = dict(zip(values.columns, rng.uniform(0.1, 2, 5), strict=True))
    w = np.array(list(weights.values()))
    for method, reference in [
        ("arithmetic", lambda row: np.average(row, weights=w)),
        ("geometric", lambda row: stats.gmean(row, weights=w)),
        ("harmonic", lambda row: stats.hmean(row, weights=w)),
    ]:
        expected = values.apply(reference, axis=1)
        np.testing.assert_allclose(aggregate(values, weights, method), expected, rtol=1e-12)


def test_missing_value_rescales_the_remaining_weights():
    values = VALUES.copy()
    values.loc["X", "b"] = np.nan
    # X over a and c only, weights 0.5 and 0.25 rescaled to 2/3 and 1/3.
    assert aggregate(values, WEIGHTS)["X"] == pytest.approx(10 * 2 / 3 + 20 / 3)
    all_missing = pd.DataFrame({"a": [np.nan, 1.0]})
    assert np.isnan(aggregate(all_missing, {"a": 1.0})[0])


def test_runs_equal_one_at_a_time():
    rng = np.random.default_rng(4)
    values = rng.uniform(1, 10, size=(15, 6))
    values[3, 2] = np.nan
    weights = rng.uniform(0, 1, size=(8, 6))
    for method in ("arithmetic", "geometric", "harmonic"):
        together = aggregate_runs(values, weights, method)
        for r in range(8):
            single = aggregate(pd.DataFrame(values), dict(enumerate(weights[r])), method)
            np.testing.assert_allclose(together[:, r], single.to_numpy(), rtol=1e-12)


def test_geometric_needs_positive_values():
    with pytest.raises(UndefinedMeasureError, match="positive"):
        aggregate(VALUES - 15, WEIGHTS, "geometric")


def test_equal_and_user_weights():
    assert equal_weights(["a", "b"]).tolist() == [0.5, 0.5]
    assert scale_weights({"a": 1, "b": 3}).tolist() == [0.25, 0.75]
    with pytest.raises(UndefinedMeasureError):
        scale_weights({"a": 0, "b": 0})
    with pytest.raises(UndefinedMeasureError):
        scale_weights({"a": -1, "b": 2})


def _correlated(seed: int = 0, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f1, f2 = rng.normal(size=(2, n))
    return pd.DataFrame(
        {
            "a1": f1 + 0.4 * rng.normal(size=n),
            "a2": f1 + 0.5 * rng.normal(size=n),
            "a3": f1 + 0.6 * rng.normal(size=n),
            "b1": f2 + 0.4 * rng.normal(size=n),
            "b2": f2 + 0.7 * rng.normal(size=n),
            "c": rng.normal(size=n),
        }
    )


def test_pca_weights_are_scikit_learn_first_component_squared():
    frame = _correlated()
    standardised = (frame - frame.mean()) / frame.std(ddof=0)
    component = PCA().fit(standardised).components_[0]
    np.testing.assert_allclose(pca_weights(frame).to_numpy(), component**2, atol=1e-10)


def test_varimax_matches_factor_analyzer():
    frame = _correlated()
    standardised = (frame - frame.mean()) / frame.std(ddof=0)
    pca = PCA(n_components=2).fit(standardised)
    loadings = pca.components_.T * np.sqrt(pca.explained_variance_ * (len(frame) - 1) / len(frame))
    expected = Rotator(method="varimax").fit_transform(loadings)
    np.testing.assert_allclose(np.abs(varimax(loadings)), np.abs(expected), atol=1e-6)


def test_factor_weights_follow_the_handbook_steps():
    frame = _correlated()
    # Steps of the OECD/JRC Handbook (2008), section 6.1, written out with peer libraries:
    standardised = (frame - frame.mean()) / frame.std(ddof=0)
    pca = PCA().fit(standardised)
    eigenvalues = pca.explained_variance_ * (len(frame) - 1) / len(frame)
    share = eigenvalues / eigenvalues.sum()
    keep = int(np.sum((eigenvalues > 1) & (share > 0.10)))
    assert keep == 2  # the two built-in factors
    loadings = pca.components_[:keep].T * np.sqrt(eigenvalues[:keep])
    rotated = Rotator(method="varimax").fit_transform(loadings)
    squared = rotated**2
    scaled = squared / squared.sum(axis=0)
    factor_of = scaled.argmax(axis=1)
    factor_weight = squared.sum(axis=0) / squared.sum()
    raw = factor_weight[factor_of] * scaled[np.arange(6), factor_of]
    np.testing.assert_allclose(factor_weights(frame).to_numpy(), raw / raw.sum(), atol=1e-6)
    # the a-indicators and b-indicators load on different factors
    assert factor_of[0] == factor_of[1] == factor_of[2] != factor_of[3] == factor_of[4]


def test_pca_weights_need_enough_complete_areas():
    frame = _correlated().head(2)
    with pytest.raises(UndefinedMeasureError, match="three areas"):
        pca_weights(frame)
