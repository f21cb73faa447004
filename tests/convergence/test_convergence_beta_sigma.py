"""Beta and sigma convergence against statsmodels regressions and the inequality package."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from levelscope.convergence import beta_convergence, sigma_convergence
from levelscope.errors import UndefinedMeasureError

REL = 1e-10


def _growth(gva: pd.DataFrame, start: str, end: str) -> tuple[np.ndarray, np.ndarray]:
    years = int(end) - int(start)
    growth = (np.log(gva[end]) - np.log(gva[start])) / years
    return growth.to_numpy(), np.log(gva[start]).to_numpy()


def test_absolute_beta_equals_statsmodels_ols(gva: pd.DataFrame) -> None:
    growth, initial = _growth(gva, "2000", "2019")
    fit = sm.OLS(growth, sm.add_constant(initial)).fit()
    res = beta_convergence(gva, start="2000", end="2019")
    assert res.beta == pytest.approx(fit.params[1], rel=REL)
    assert res.intercept == pytest.approx(fit.params[0], rel=REL)
    assert res.std_error == pytest.approx(fit.bse[1], rel=REL)
    assert res.t_statistic == pytest.approx(fit.tvalues[1], rel=REL)
    assert res.p_value == pytest.approx(fit.pvalues[1], rel=1e-8)
    assert res.r_squared == pytest.approx(fit.rsquared, rel=REL)
    assert res.years == 19 and res.n == len(gva)


def test_speed_and_half_life_follow_barro_sala_i_martin() -> None:
    # Two areas, ten years: growth of a = ln(2)/10, of b = 0, so with levels ln 1 and ln 4
    # the slope is (0 − ln2/10) / (ln4 − 0) = −1/20.
    panel = pd.DataFrame({2000: [1.0, 4.0, 2.0], 2010: [2.0, 4.0, 2.0 * np.sqrt(2.0)]},
                         index=["a", "b", "c"])
    res = beta_convergence(panel)
    assert res.beta == pytest.approx(-0.05, rel=1e-12)
    speed = -np.log(1 - 0.05 * 10) / 10  # λ = −ln(1 + βT)/T = ln 2 / 10
    assert res.speed == pytest.approx(speed, rel=1e-12)
    assert res.half_life == pytest.approx(np.log(2) / speed, rel=1e-12)
    assert res.half_life == pytest.approx(10.0, rel=1e-12)


def test_conditional_and_weighted_beta_equal_statsmodels(gva: pd.DataFrame) -> None:
    growth, initial = _growth(gva, "1998", "2021")
    # Controls: the country letter of the ITL code (TLC–TLK England, TLL Wales, TLM Scotland,
    # TLN Northern Ireland), as dummies against England.
    country = pd.Series(gva.index.str[2], index=gva.index).map(
        lambda c: c if c in "LMN" else "E")
    controls = pd.get_dummies(country, prefix="in", dtype=float).drop(columns="in_E")
    fit = sm.OLS(growth, sm.add_constant(np.column_stack([initial, controls.to_numpy()]))).fit()
    res = beta_convergence(gva, controls=controls)
    assert res.conditional and res.controls == tuple(controls.columns)
    assert res.beta == pytest.approx(fit.params[1], rel=REL)
    assert res.std_error == pytest.approx(fit.bse[1], rel=REL)
    np.testing.assert_allclose(res.control_coefficients, fit.params[2:], rtol=1e-9)

    size = gva["1998"]  # weight areas by their initial economic size
    wfit = sm.WLS(growth, sm.add_constant(initial), weights=size.to_numpy()).fit()
    wres = beta_convergence(gva, weights=size)
    assert wres.weighted
    assert wres.beta == pytest.approx(wfit.params[1], rel=REL)
    assert wres.std_error == pytest.approx(wfit.bse[1], rel=REL)
    assert wres.r_squared == pytest.approx(wfit.rsquared, rel=REL)


def test_beta_rejects_undefined_input(gva: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="after"):
        beta_convergence(gva, start="2010", end="2005")
    bad = gva.copy()
    bad.iloc[0, 0] = 0.0
    with pytest.raises(UndefinedMeasureError, match="positive"):
        beta_convergence(bad)
    gappy = gva.copy()
    gappy.iloc[3, 5] = np.nan
    with pytest.raises(ValueError, match="missing"):
        beta_convergence(gappy)


def test_sigma_std_log_and_trend_equal_numpy_and_statsmodels(gva: pd.DataFrame) -> None:
    res = sigma_convergence(gva)
    expected = np.log(gva).std(axis=0, ddof=0).to_numpy()
    np.testing.assert_allclose(res.dispersion, expected, rtol=REL)
    years = np.arange(1998, 2022, dtype=float)
    fit = sm.OLS(expected, sm.add_constant(years)).fit()
    assert res.slope == pytest.approx(fit.params[1], rel=1e-9)
    assert res.std_error == pytest.approx(fit.bse[1], rel=1e-9)
    assert res.p_value == pytest.approx(fit.pvalues[1], rel=1e-8)


@pytest.mark.parametrize(
    ("measure", "reference"),
    [("gini", "gini"), ("theil", "theil"), ("atkinson(epsilon=1)", "atkinson")],
)
def test_sigma_with_any_measure_equals_inequality(gva: pd.DataFrame, measure: str,
                                                 reference: str) -> None:
    from inequality.atkinson import atkinson
    from inequality.gini import Gini
    from inequality.theil import Theil

    res = sigma_convergence(gva, measure)
    for period, value in zip(res.periods, res.dispersion, strict=True):
        y = gva[period].to_numpy()
        if reference == "gini":
            expected = Gini(y).g
        elif reference == "theil":
            expected = Theil(y).T
        else:
            expected = atkinson(y, 1.0)
        assert value == pytest.approx(expected, rel=1e-9)
    assert res.measure == measure


def test_sigma_weighted_and_unknown_measure(gva: pd.DataFrame) -> None:
    size = gva["1998"]
    res = sigma_convergence(gva, weights=size)
    logs = np.log(gva["2021"].to_numpy())
    w = size.to_numpy()
    mean = np.sum(w * logs) / w.sum()
    expected = np.sqrt(np.sum(w * (logs - mean) ** 2) / w.sum())
    assert res.dispersion[-1] == pytest.approx(expected, rel=REL)
    with pytest.raises(ValueError, match="unknown measure"):
        sigma_convergence(gva, "not_a_measure")
    assert res.plot().data[0].y[-1] == pytest.approx(expected, rel=REL)
