"""Each measure against an independent reference: PySAL where it has the measure, otherwise the
formula written out here from its published definition, on small vectors and on ONS ITL3 GVA."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from inequality.atkinson import atkinson as pysal_atkinson
from inequality.gini import Gini
from inequality.schutz import Schutz
from inequality.theil import Theil
from inequality.wolfson import lorenz_curve

from levelscope.errors import UndefinedMeasureError
from levelscope.measures import (
    MEASURES,
    atkinson,
    coefficient_of_variation,
    generalized_entropy,
    gini,
    hoover,
    lorenz,
    max_min_ratio,
    mld,
    palma,
    parse_measure,
    quantile_ratio,
    share_ratio,
    theil,
    variance_of_logs,
)

RTOL = 1e-10
SMALL = [
    np.array([1.0, 2.0, 3.0, 4.0]),
    np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]),
    np.array([10.0, 20.0, 30.0, 40.0, 50.0]),
    np.array([0.5, 0.5, 0.5, 7.25]),
]


def _vectors(gva_2021: pd.DataFrame) -> list[np.ndarray]:
    return [*SMALL, gva_2021["gva"].to_numpy()]


# --- hand calculations ---


def test_gini_by_hand() -> None:
    # |differences| over ordered pairs of 1,2,3,4: 2 * (1+2+3+1+2+1) = 20; mean 2.5;
    # G = 20 / (2 * 4**2 * 2.5) = 0.25.
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25, rel=RTOL)
    # Weighted: 1 with weight 3 and 5 with weight 1 is the population 1,1,1,5; mean 2;
    # |differences| over ordered pairs: 2 * 3 * 4 = 24; G = 24 / (2 * 16 * 2) = 0.375.
    assert gini([1, 5], [3, 1]) == pytest.approx(0.375, rel=RTOL)


def test_theil_and_mld_by_hand() -> None:
    # 1, 1, 2: mean 4/3, so r = 3/4, 3/4, 3/2.
    r = np.array([0.75, 0.75, 1.5])
    assert theil([1, 1, 2]) == pytest.approx(np.mean(r * np.log(r)), rel=RTOL)
    assert mld([1, 1, 2]) == pytest.approx(-np.mean(np.log(r)), rel=RTOL)


def test_williamson_index_by_hand() -> None:
    # Williamson (1965): V_w = sqrt(sum_i (y_i - ybar)^2 f_i / n) / ybar, f_i / n population
    # shares and ybar the national (population-weighted) mean.
    y, pop = np.array([10.0, 20.0, 40.0]), np.array([5.0, 3.0, 2.0])
    share = pop / pop.sum()
    national = (share * y).sum()  # 19
    expected = math.sqrt((share * (y - national) ** 2).sum()) / national
    assert coefficient_of_variation(y, pop) == pytest.approx(expected, rel=RTOL)


def test_quantile_ratio_by_hand() -> None:
    # 1..10: the cumulative share reaches 0.9 exactly at 9, so P90 = (9 + 10) / 2; likewise
    # P10 = (1 + 2) / 2; ratio 9.5 / 1.5.
    assert quantile_ratio(np.arange(1, 11)) == pytest.approx(9.5 / 1.5, rel=RTOL)
    # 1..11: no exact hit; P90 is the 10th value (10/11 >= 0.9), P10 the 2nd (2/11 >= 0.1).
    assert quantile_ratio(np.arange(1, 12)) == pytest.approx(10 / 2, rel=RTOL)


def test_palma_and_share_ratio_by_hand() -> None:
    # 1..10 each one tenth of the population: top 10% hold 10/55, bottom 40% hold 10/55.
    assert palma(np.arange(1, 11)) == pytest.approx(1.0, rel=RTOL)
    # 1..5, S80/S20: top fifth holds 5, bottom fifth 1.
    assert share_ratio([1, 2, 3, 4, 5]) == pytest.approx(5.0, rel=RTOL)
    # Two people 1 and 3: the bottom 40% is 0.8 of the first person, income 0.8 of 4;
    # the top 10% is a fifth of the second person, income 0.3 of 4 (Lorenz interpolation).
    assert palma([1, 3]) == pytest.approx((0.2 * 3 / 4) / (0.8 * 1 / 4), rel=RTOL)


def test_hoover_variance_of_logs_max_min_by_hand() -> None:
    # Hoover 1936: half the sum of |income share - population share|.
    y = np.array([1000.0, 2000.0, 1500.0, 3000.0, 2500.0])
    assert hoover(y) == pytest.approx(0.5 * np.abs(y / y.sum() - 0.2).sum(), rel=RTOL)
    logs = np.log([1.0, 100.0])
    assert variance_of_logs([1, 100]) == pytest.approx(((logs - logs.mean()) ** 2).mean())
    assert max_min_ratio([2, 5, 8], [1, 0, 1]) == pytest.approx(4.0)


# --- PySAL ---


def test_gini_matches_pysal(gva_2021: pd.DataFrame) -> None:
    for y in _vectors(gva_2021):
        assert gini(y) == pytest.approx(Gini(y).g, rel=RTOL)


def test_theil_matches_pysal(gva_2021: pd.DataFrame) -> None:
    for y in _vectors(gva_2021):
        assert theil(y) == pytest.approx(float(Theil(y).T), rel=RTOL)


@pytest.mark.parametrize("epsilon", [0.0, 0.5, 1.0, 1.5, 2.0])
def test_atkinson_matches_pysal(gva_2021: pd.DataFrame, epsilon: float) -> None:
    for y in _vectors(gva_2021):
        expected = pysal_atkinson(y, epsilon)
        assert atkinson(y, epsilon=epsilon) == pytest.approx(expected, rel=RTOL, abs=1e-15)


def test_hoover_is_pysal_schutz_distance(gva_2021: pd.DataFrame) -> None:
    for y in _vectors(gva_2021):
        schutz = Schutz(pd.DataFrame({"y": y}), "y")
        assert hoover(y) == pytest.approx(float(schutz.distance), rel=RTOL)


def test_lorenz_matches_pysal(gva_2021: pd.DataFrame) -> None:
    y = gva_2021["gva"].to_numpy()
    population, income = lorenz_curve(y)
    curve = lorenz(y)
    np.testing.assert_allclose(curve.population_share, population, rtol=RTOL)
    np.testing.assert_allclose(curve.income_share, income, rtol=RTOL)
    assert curve.gini == pytest.approx(Gini(y).g, rel=RTOL)
    figure = curve.plot()
    assert len(figure.data) == 2 and len(figure.data[1].x) == len(y) + 1


# --- published formulas on the real data, unweighted and weighted ---


def _ge_formula(y: np.ndarray, p: np.ndarray, alpha: float) -> float:
    # Cowell (2011), eq. 3.8 and its limits at alpha = 0, 1.
    s = y / (p * y).sum()
    if alpha == 0:
        return float(-(p * np.log(s)).sum())
    if alpha == 1:
        return float((p * s * np.log(s)).sum())
    return float(((p * s**alpha).sum() - 1) / (alpha * (alpha - 1)))


@pytest.mark.parametrize("alpha", [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0])
def test_generalized_entropy_formula(gva_2021: pd.DataFrame, alpha: float) -> None:
    y = gva_2021["gva"].to_numpy()
    weights = np.arange(1, y.size + 1, dtype=float)
    for w in (None, weights):
        p = np.full(y.size, 1 / y.size) if w is None else w / w.sum()
        expected = _ge_formula(y, p, alpha)
        assert generalized_entropy(y, w, alpha=alpha) == pytest.approx(expected, rel=RTOL)
    assert generalized_entropy(y, alpha=2) == pytest.approx(coefficient_of_variation(y) ** 2 / 2, rel=RTOL)
    if alpha == 0:
        assert mld(y, weights) == pytest.approx(_ge_formula(y, weights / weights.sum(), 0), rel=RTOL)


def test_weighted_gini_pairwise_formula(gva_2021: pd.DataFrame) -> None:
    y = gva_2021["gva"].to_numpy()
    w = np.arange(1, y.size + 1, dtype=float)
    p = w / w.sum()
    # Cowell (2011), eq. 3.3: half the weighted mean absolute difference over the mean.
    expected = (p[:, None] * p[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * (p * y).sum())
    assert gini(y, w) == pytest.approx(expected, rel=RTOL)


def test_quantile_ratio_matches_numpy(gva_2021: pd.DataFrame) -> None:
    y = gva_2021["gva"].to_numpy()
    for upper, lower in [(0.9, 0.1), (0.8, 0.2), (0.75, 0.25)]:
        q = np.quantile(y, [upper, lower], method="averaged_inverted_cdf")
        assert quantile_ratio(y, upper=upper, lower=lower) == pytest.approx(q[0] / q[1], rel=RTOL)


def test_weighted_real_data_equals_replicated(itl3_gva: pd.DataFrame) -> None:
    # Weight each region's 2021 GVA by its 1998 GVA (£ million, an integer): the weighted
    # measures equal the unweighted ones on ~900,000 replicated values.
    wide = itl3_gva.pivot(index="code", columns="year", values="gva")
    y, w = wide[2021].to_numpy(), wide[1998].to_numpy()
    replicated = np.repeat(y, w.astype(int))
    for name in MEASURES:
        measure = MEASURES[name]
        assert measure(y, w) == pytest.approx(measure(replicated), rel=1e-9), name


# --- undefined input ---


@pytest.mark.parametrize("name", list(MEASURES))
def test_undefined_input_raises(name: str) -> None:
    measure = MEASURES[name]
    with pytest.raises(UndefinedMeasureError, match="finite"):
        measure([1.0, np.nan, 3.0])
    with pytest.raises(UndefinedMeasureError, match="two observations"):
        measure([5.0])
    with pytest.raises(UndefinedMeasureError, match="two observations"):
        measure([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(UndefinedMeasureError, match="non-negative"):
        measure([1.0, -2.0, 3.0])
    with pytest.raises(UndefinedMeasureError, match="weights must be non-negative"):
        measure([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="differ in length"):
        measure([1.0, 2.0], [1.0])
    with pytest.raises(UndefinedMeasureError, match=r"mean is zero|strictly positive"):
        measure([0.0, 0.0])


def test_logs_need_positive_values() -> None:
    for function in (mld, variance_of_logs):
        with pytest.raises(UndefinedMeasureError, match="strictly positive"):
            function([0.0, 1.0, 2.0])
    with pytest.raises(UndefinedMeasureError, match="strictly positive"):
        generalized_entropy([0.0, 1.0], alpha=-1)
    with pytest.raises(UndefinedMeasureError, match="strictly positive"):
        atkinson([0.0, 1.0], epsilon=1)
    # Theil T takes 0 ln 0 = 0: {0, 2} has r = 0, 2 and T = (0 + 2 ln 2) / 2.
    assert theil([0.0, 2.0]) == pytest.approx(math.log(2), rel=RTOL)


def test_zero_denominators_raise() -> None:
    with pytest.raises(UndefinedMeasureError, match="lower quantile is zero"):
        quantile_ratio([0, 0, 0, 1, 2])
    with pytest.raises(UndefinedMeasureError, match="smallest value is zero"):
        max_min_ratio([0, 1])
    with pytest.raises(UndefinedMeasureError, match="bottom 40% hold no income"):
        palma([0, 0, 0, 0, 0, 1])


def test_parse_measure() -> None:
    spec = parse_measure("atkinson(epsilon=1)")
    assert spec.measure is MEASURES["atkinson"] and spec.params == {"epsilon": 1.0}
    assert parse_measure("quantile_ratio(0.8, 0.2)").params == {"upper": 0.8, "lower": 0.2}
    assert parse_measure("gini").label == "gini"
    with pytest.raises(ValueError, match="unknown measure"):
        parse_measure("ginny")
    with pytest.raises(ValueError, match="no parameter"):
        parse_measure("gini(alpha=2)")
    with pytest.raises(ValueError, match="0 < lower < upper < 1"):
        parse_measure("quantile_ratio(0.1, 0.9)")


def test_atkinson_of_one_over_products_of_mantissas_matches_plain_logs() -> None:
    # With equal weights and epsilon = 1 the sum of logs comes from products of mantissas in
    # blocks; check it against exactly rounded sums of logs, over magnitudes from 1e-300 to
    # 1e300, across block boundaries, and with a subnormal value (which takes plain logs).
    rng = np.random.default_rng(7)
    for y in (
        rng.lognormal(10, 0.5, 1_537),
        10.0 ** rng.uniform(-300, 300, 2_049),
        np.concatenate([rng.uniform(1, 2, 700), [5e-324]]),
    ):
        log_mean = np.log(math.fsum(y) / y.size)
        expected = -math.expm1(math.fsum(np.log(y)) / y.size - log_mean)
        assert atkinson(y, epsilon=1) == pytest.approx(expected, rel=1e-12)
