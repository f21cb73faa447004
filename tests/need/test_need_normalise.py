"""Normalisations against hand calculations and scikit-learn / SciPy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from levelscope.errors import UndefinedMeasureError
from levelscope.need import normalise as nm

FRAME = pd.DataFrame({"up": [2.0, 4.0, 6.0, 10.0], "down": [50.0, 40.0, 30.0, 10.0]}, index=list("ABCD"))
POLARITY = {"up": 1, "down": -1}


def test_min_max_by_hand():
    result = nm.min_max(FRAME, POLARITY)
    # up: (x - 2) / (10 - 2) * 100 = 0, 25, 50, 100
    assert result["up"].tolist() == pytest.approx([0, 25, 50, 100])
    # down reversed: (50 - x) / (50 - 10) * 100 = 0, 25, 50, 100
    assert result["down"].tolist() == pytest.approx([0, 25, 50, 100])
    ranged = nm.min_max(FRAME, low=1, high=10)
    assert ranged["up"].tolist() == pytest.approx([1, 3.25, 5.5, 10])


def test_min_max_and_z_score_match_scikit_learn():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(50, 4)), columns=list("abcd"))
    expected = MinMaxScaler(feature_range=(0, 100)).fit_transform(frame)
    np.testing.assert_allclose(nm.min_max(frame).to_numpy(), expected, atol=1e-10)
    expected_z = StandardScaler().fit_transform(frame)  # population sd (ddof = 0)
    np.testing.assert_allclose(nm.z_score(frame, ddof=0).to_numpy(), expected_z, atol=1e-10)
    sample_z = nm.z_score(frame)  # ddof = 1 rescales by sqrt(n / (n - 1))
    np.testing.assert_allclose(sample_z.to_numpy(), expected_z * np.sqrt(49 / 50), atol=1e-10)


def test_z_score_by_hand():
    # up: mean 5.5, sample sd sqrt(((3.5² + 1.5² + .5² + 4.5²)) / 3) = sqrt(35/3)
    result = nm.z_score(FRAME, POLARITY)
    assert result.loc["A", "up"] == pytest.approx(-3.5 / np.sqrt(35 / 3))
    # down is flipped: -x has mean -32.5; A: (-50 + 32.5) / sd = -17.5 / sd
    sd = np.std(FRAME["down"], ddof=1)
    assert result.loc["A", "down"] == pytest.approx(-17.5 / sd)


def test_rank_matches_scipy_with_ties():
    frame = pd.DataFrame({"a": [3.0, 1.0, 3.0, 2.0]})
    assert nm.rank(frame)["a"].tolist() == rankdata([3, 1, 3, 2]).tolist()
    assert nm.rank(frame, {"a": -1})["a"].tolist() == rankdata([-3, -1, -3, -2]).tolist()


def test_distance_to_target_by_hand():
    result = nm.distance_to_target(FRAME, {"up": 8.0, "down": 20.0}, POLARITY)
    # up: 100 (x - 2) / (8 - 2), capped: 0, 33.3, 66.7, 100
    assert result["up"].tolist() == pytest.approx([0, 100 / 3, 200 / 3, 100])
    # down: worst is 50; 100 (50 - x) / (50 - 20): 0, 33.3, 66.7, capped 100
    assert result["down"].tolist() == pytest.approx([0, 100 / 3, 200 / 3, 100])
    with pytest.raises(UndefinedMeasureError, match="target"):
        nm.distance_to_target(FRAME, {"up": 1.0, "down": 20.0}, POLARITY)


def test_distance_to_frontier_by_hand():
    result = nm.distance_to_frontier(FRAME, POLARITY)
    assert result["up"].tolist() == pytest.approx([20, 40, 60, 100])  # 100 x / 10
    assert result["down"].tolist() == pytest.approx([20, 25, 100 / 3, 100])  # 100 * 10 / x
    with pytest.raises(UndefinedMeasureError, match="positive"):
        nm.distance_to_frontier(FRAME - 5)


def test_goalposts_by_hand():
    result = nm.goalposts(FRAME, {"up": (0.0, 8.0), "down": (20.0, 60.0)}, POLARITY)
    assert result["up"].tolist() == pytest.approx([25, 50, 75, 100])  # 10 clipped to 8
    # down: 1 - (x - 20) / 40, with 10 clipped to 20: 25, 50, 75, 100
    assert result["down"].tolist() == pytest.approx([25, 50, 75, 100])


def test_missing_values_stay_missing():
    frame = FRAME.copy()
    frame.loc["B", "up"] = np.nan
    result = nm.min_max(frame)
    assert np.isnan(result.loc["B", "up"])
    assert result.loc["D", "up"] == 100


def test_constant_indicator_is_an_error():
    with pytest.raises(UndefinedMeasureError, match="single value"):
        nm.min_max(pd.DataFrame({"flat": [1.0, 1.0, 1.0]}))
    with pytest.raises(UndefinedMeasureError, match="single value"):
        nm.z_score(pd.DataFrame({"flat": [1.0, 1.0, 1.0]}))


def test_dispatcher_rejects_unknown_method():
    with pytest.raises(ValueError, match="unknown normalisation"):
        nm.normalise(FRAME, "softmax")
