"""The index builder: hand calculations, a synthetic index of known answer, and its reports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from levelscope.errors import UndefinedMeasureError, ValidationError
from levelscope.need.definition import IndexDefinition
from levelscope.need.index import build_index, pivot_observations, rank_scores

SMALL = pd.DataFrame(
    {
        "jobless": [2.0, 4.0, 6.0, 8.0],
        "pay": [600.0, 500.0, 550.0, 400.0],
        "health": [80.0, 78.0, 70.0, 76.0],
        "region": ["N", "N", "S", "S"],
    },
    index=["A", "B", "C", "D"],
)


def small_definition(**changes: object) -> IndexDefinition:
    data = {
        "name": "small",
        "indicators": [
            {"id": "jobless", "polarity": 1, "pillar": "economy"},
            {"id": "pay", "polarity": -1, "pillar": "economy"},
            {"id": "health", "polarity": -1, "pillar": "health"},
        ],
        "pillars": [{"id": "economy", "weight": 2}, {"id": "health", "weight": 1}],
        "categories": {"labels": ["high", "low"]},
        **changes,
    }
    return IndexDefinition.from_dict(data)


def test_small_index_by_hand():
    index = build_index(SMALL, small_definition())
    # min-max, polarity applied:
    #   jobless (x - 2) / 6:       A 0,   B 33.33, C 66.67, D 100
    #   pay (600 - x) / 200:       A 0,   B 50,    C 25,    D 100
    #   health (80 - x) / 10:      A 0,   B 20,    C 100,   D 40
    # economy = mean of the first two; index = (2 economy + health) / 3
    economy = np.array([0, (100 / 3 + 50) / 2, (200 / 3 + 25) / 2, 100])
    health = np.array([0, 20, 100, 40])
    expected = (2 * economy + health) / 3
    np.testing.assert_allclose(index.pillar_scores["economy"], economy)
    np.testing.assert_allclose(index.scores, expected)
    assert index.ranks.to_dict() == {"D": 1, "C": 2, "B": 3, "A": 4}
    # two categories split at the median score: the top two are "high"
    assert index.categories.to_dict() == {"A": "low", "B": "low", "C": "high", "D": "high"}
    assert index.weights.to_dict() == {"jobless": 0.5, "pay": 0.5, "health": 1.0}


def test_geometric_and_user_weights_by_hand():
    definition = small_definition(
        normalisation={"method": "min_max", "low": 1, "high": 11},
        aggregation={"indicators": "geometric", "pillars": "arithmetic"},
        weights={"method": "user"},
        indicators=[
            {"id": "jobless", "polarity": 1, "pillar": "economy", "weight": 3},
            {"id": "pay", "polarity": -1, "pillar": "economy", "weight": 1},
            {"id": "health", "polarity": -1, "pillar": "health"},
        ],
    )
    index = build_index(SMALL, definition)
    # B: jobless 1 + 10/3, pay 1 + 5 = 6 -> economy = (13/3)^0.75 * 6^0.25
    assert index.pillar_scores.loc["B", "economy"] == pytest.approx((13 / 3) ** 0.75 * 6**0.25)
    assert index.scores["B"] == pytest.approx((2 * (13 / 3) ** 0.75 * 6**0.25 + 3) / 3)


def test_synthetic_index_recovers_known_categories():
    """Indicators generated from a known latent need: the tertiles of need are recovered."""
    rng = np.random.default_rng(2026)
    n = 300
    need = rng.normal(size=n)
    noise = 0.15
    data = pd.DataFrame(index=[f"E{i:04d}" for i in range(n)])
    specs = []
    for j in range(8):
        loading = 1 if j % 2 == 0 else -1  # half the indicators fall as need rises
        data[f"ind{j}"] = 50 + 10 * loading * need + 10 * noise * rng.normal(size=n)
        specs.append({"id": f"ind{j}", "polarity": loading, "pillar": f"p{j % 3}"})
    definition = IndexDefinition.from_dict({"name": "synthetic", "indicators": specs})
    index = build_index(data, definition)
    truth = pd.Series(pd.qcut(-need, 3, labels=["Priority 1", "Priority 2", "Priority 3"]), index=data.index)
    agreement = (index.categories.astype(str) == truth.astype(str)).mean()
    assert agreement > 0.9
    assert np.corrcoef(index.scores, need)[0, 1] > 0.99
    sizes = index.categories.value_counts()
    assert sizes.to_dict() == {"Priority 1": 100, "Priority 2": 100, "Priority 3": 100}


def test_threshold_categories():
    definition = small_definition(
        categories={"method": "threshold", "labels": ["high", "mid", "low"], "breaks": [30, 60]}
    )
    index = build_index(SMALL, definition)
    # scores A 0, B 34.44, C 64.44, D 80: a score on a break goes to the higher group
    assert index.categories.to_dict() == {"A": "low", "B": "mid", "C": "high", "D": "high"}


def test_missing_values_reported_imputed_and_dropped():
    data = SMALL.copy()
    data.loc["B", "pay"] = np.nan
    data.loc["A", ["pay", "health"]] = np.nan
    index = build_index(data, small_definition(missing={"min_coverage": 0.6}))
    assert list(index.excluded.index) == ["A"]  # one of three indicators: below 0.6
    assert "A" not in index.scores.index
    assert ((index.treatments["step"] == "coverage") & (index.treatments["item"] == "A")).any()
    data2 = SMALL.copy()
    data2.loc["C", "pay"] = np.nan
    index2 = build_index(data2, small_definition(missing={"method": "group_mean", "group_column": "region"}))
    assert index2.treated.loc["C", "pay"] == 400.0  # the other southern area
    assert bool(index2.imputed.loc["C", "pay"])
    steps = index2.treatments
    assert ((steps["step"] == "imputation") & (steps["item"] == "pay")).any()
    assert ((steps["step"] == "missing") & (steps["item"] == "pay")).any()


def test_no_imputation_aggregates_over_available_indicators():
    data = SMALL.copy()
    data.loc["B", "pay"] = np.nan
    index = build_index(data, small_definition())
    # jobless 33.33 for B is its economy score on its own
    assert index.pillar_scores.loc["B", "economy"] == pytest.approx(100 / 3)


def test_group_mean_without_group_values_is_an_error():
    data = SMALL.copy()
    data.loc[["A", "B"], "pay"] = np.nan
    with pytest.raises(UndefinedMeasureError, match="group 'N'"):
        build_index(data, small_definition(missing={"method": "group_mean", "group_column": "region"}))


def test_outlier_treatment_is_reported():
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"a": rng.normal(size=50), "b": rng.normal(size=50)})
    data.loc[0, "a"] = 40.0
    definition = IndexDefinition.from_dict(
        {
            "name": "o",
            "indicators": [{"id": "a"}, {"id": "b"}],
            "outliers": {"method": "winsorise"},
        }
    )
    index = build_index(data, definition)
    rows = index.treatments[index.treatments["step"] == "outliers"]
    assert rows["item"].tolist() == ["a"]
    assert "winsorised 1 values" in rows["detail"].iloc[0]
    assert index.treated["a"].max() == data["a"].drop(0).max()


def test_pca_weights_in_the_index():
    rng = np.random.default_rng(4)
    latent = rng.normal(size=80)
    data = pd.DataFrame({f"x{j}": latent + (j + 1) * 0.4 * rng.normal(size=80) for j in range(4)})
    definition = IndexDefinition.from_dict(
        {"name": "p", "indicators": [{"id": c} for c in data.columns], "weights": {"method": "pca"}}
    )
    index = build_index(data, definition)
    assert index.weights.sum() == pytest.approx(1.0)
    # the least noisy indicator weighs most
    assert index.weights.idxmax() == "x0"


def test_bad_data_is_reported_by_row_and_column():
    data = SMALL.astype(object)
    data.loc["C", "pay"] = "n/a"
    definition = small_definition()
    with pytest.raises(ValidationError) as caught:
        build_index(data.drop(columns="health"), definition)
    reasons = {(p.column, p.row) for p in caught.value.problems}
    assert ("health", None) in reasons
    assert ("pay", 4) in reasons  # C is the third data row: row 4 with the header


def test_constant_indicator_is_an_error():
    data = SMALL.copy()
    data["health"] = 75.0
    with pytest.raises(UndefinedMeasureError, match="single value"):
        build_index(data, small_definition())


def test_pivot_observations_takes_the_latest_period():
    long = pd.DataFrame(
        {
            "geography_code": ["A", "A", "B", "B", "A"],
            "indicator_id": ["x", "y", "x", "y", "x"],
            "period": ["2020", "2020", "2020", "2020", "2021"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    wide = pivot_observations(long)
    assert wide.loc["A", "x"] == 5.0 and wide.loc["B", "y"] == 4.0
    assert pivot_observations(long, period="2020").loc["A", "x"] == 1.0
    with pytest.raises(ValidationError, match="repeated"):
        pivot_observations(long.drop(columns="period"))


def test_rank_scores_ties_share_the_best_rank():
    scores = np.array([[3.0], [5.0], [3.0], [1.0]])
    assert rank_scores(scores)[:, 0].tolist() == [2, 1, 2, 4]


def test_result_interfaces():
    index = build_index(SMALL, small_definition())
    table = index.to_frame()
    assert table["geography_code"].tolist() == ["D", "C", "B", "A"]
    assert {"pillar_economy", "pillar_health", "category"} <= set(table.columns)
    assert "CompositeIndex 'small'" in repr(index)
    figure = index.plot()
    assert len(figure.data) == 2
