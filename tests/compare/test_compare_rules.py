"""The explorer's comparison rules, checked one by one against hand calculations."""

from __future__ import annotations

import mapclassify
import numpy as np
import pandas as pd
import pytest

from levelscope.compare.maps import assign_classes, natural_breaks, quantile_breaks
from levelscope.compare.peers import standardised_distances
from levelscope.compare.standings import flag_against_median
from levelscope.compare.trends import gap_direction
from levelscope.errors import UndefinedMeasureError


def series(*values: float | None) -> pd.Series:
    return pd.Series([np.nan if v is None else v for v in values], dtype=float)


def test_flags_use_the_interval_when_there_is_one_and_one_sd_otherwise() -> None:
    # median 50, SD 10 for every row.
    value = series(58, 58, 65, 35, 45, 70, 30)
    lower = series(52, 45, None, None, None, 60, None)
    upper = series(64, 71, None, None, None, 80, None)
    polarity = pd.Series(["higher_is_better", "higher_is_better", "higher_is_better",
                          "higher_is_better", "lower_is_better", "lower_is_better", "neutral"])
    flags = flag_against_median(value, lower, upper, series(*[50] * 7), series(*[10] * 7), polarity)
    # Row by row:
    # 0: interval 52–64 lies above 50                       -> better (higher is better)
    # 1: interval 45–71 contains 50, although 58 > 50        -> similar
    # 2: no interval, 65 − 50 = 15 > 1 SD                    -> better
    # 3: no interval, 50 − 35 = 15 > 1 SD                    -> worse
    # 4: no interval, 50 − 45 = 5 < 1 SD                     -> similar
    # 5: interval 60–80 above 50, but lower is better        -> worse
    # 6: no interval, 50 − 30 = 20 > 1 SD, neutral           -> lower
    assert flags["flag"].tolist() == ["better", "similar", "better", "worse", "similar", "worse", "lower"]
    assert flags["basis"].nunique() == 2
    assert (flags["basis"][[0, 1, 5]].nunique(), flags["basis"][[2, 3, 4, 6]].nunique()) == (1, 1)


def test_no_flag_without_a_spread_or_a_value() -> None:
    flags = flag_against_median(series(80, None), series(None, None), series(None, None),
                                series(50, 50), series(0, 10), pd.Series(["higher_is_better"] * 2))
    assert flags["flag"].tolist() == ["similar", ""]


def test_peer_distance_is_the_euclidean_distance_of_z_scores() -> None:
    values = pd.DataFrame({"pay": [500.0, 520.0, 700.0, 480.0], "density": [10.0, 30.0, 20.0, 40.0]},
                          index=["A", "B", "C", "D"])
    # pay: mean 550, population SD sqrt((50² + 30² + 150² + 70²)/4) = sqrt(7700)
    # density: mean 25, SD sqrt((15² + 5² + 5² + 15²)/4) = sqrt(125)
    sd_pay, sd_density = np.sqrt(7700.0), np.sqrt(125.0)
    expected_b = np.hypot(20.0 / sd_pay, 20.0 / sd_density)
    expected_c = np.hypot(200.0 / sd_pay, 10.0 / sd_density)
    distances = standardised_distances(values, "A")
    assert distances["A"] == 0.0
    assert distances["B"] == pytest.approx(expected_b, rel=1e-12)
    assert distances["C"] == pytest.approx(expected_c, rel=1e-12)
    weighted = standardised_distances(values, "A", weights={"pay": 4.0, "density": 0.0})
    assert weighted["C"] == pytest.approx(2 * 200.0 / sd_pay, rel=1e-12)


def test_peer_distance_refuses_a_column_without_spread() -> None:
    values = pd.DataFrame({"x": [1.0, 1.0, 1.0], "y": [1.0, 2.0, 3.0]}, index=["A", "B", "C"])
    with pytest.raises(UndefinedMeasureError, match="same value"):
        standardised_distances(values, "A")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(-30.0, -10.0, "closing"), (10.0, 25.0, "widening"), (-10.0, -10.2, "stable"), (5.0, -5.0, "stable")],
)
def test_gap_direction_compares_absolute_gaps_with_one_percent_of_the_scale(
    start: float, end: float, expected: str
) -> None:
    # scale 100: a change in |gap| of more than 1 closes or widens the gap.
    assert gap_direction(start, end, scale=100.0) == expected


def test_quantile_breaks_and_classes_by_hand() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    # Quartile upper bounds with linear interpolation: 2.75, 4.5, 6.25, 8.
    assert quantile_breaks(values, 4).tolist() == [2.75, 4.5, 6.25, 8.0]
    assert assign_classes(values, quantile_breaks(values, 4)).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]


def test_natural_breaks_equal_mapclassify_fisher_jenks() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(10, 1, 40), rng.normal(20, 2, 30), rng.normal(35, 3, 30)])
    reference = mapclassify.FisherJenks(values, k=5).bins
    np.testing.assert_allclose(natural_breaks(values, 5), reference, rtol=1e-12)
