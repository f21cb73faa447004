"""Imputation and outlier treatment against hand calculations, scikit-learn and SciPy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer
from sklearn.linear_model import LinearRegression

from levelscope.errors import UndefinedMeasureError
from levelscope.need.impute import impute, missing_report
from levelscope.need.outliers import skew_kurtosis, treat_outliers

FRAME = pd.DataFrame({"a": [1.0, np.nan, 5.0, 7.0], "b": [2.0, 4.0, np.nan, 8.0]}, index=list("WXYZ"))


def test_missing_report():
    share, coverage = missing_report(FRAME)
    assert share.to_dict() == {"a": 0.25, "b": 0.25}
    assert coverage.to_dict() == {"W": 1.0, "X": 0.5, "Y": 0.5, "Z": 1.0}


def test_mean_median_and_group_mean_by_hand():
    mean = impute(FRAME, "mean")
    assert mean.values.loc["X", "a"] == pytest.approx((1 + 5 + 7) / 3)
    assert mean.values.loc["Y", "b"] == pytest.approx((2 + 4 + 8) / 3)
    assert mean.imputed.sum().sum() == 2
    assert impute(FRAME, "median").values.loc["X", "a"] == 5.0
    groups = pd.Series({"W": "north", "X": "north", "Y": "south", "Z": "south"})
    grouped = impute(FRAME, "group_mean", groups=groups)
    assert grouped.values.loc["X", "a"] == 1.0  # the only other northern value
    assert grouped.values.loc["Y", "b"] == 8.0


def test_group_mean_without_any_value_in_group_is_an_error():
    groups = pd.Series({"W": "n", "X": "s", "Y": "n", "Z": "n"})
    with pytest.raises(UndefinedMeasureError, match="group 's'"):
        impute(FRAME, "group_mean", groups=groups)


def test_none_leaves_gaps():
    result = impute(FRAME, "none")
    assert result.values.isna().sum().sum() == 2
    assert result.n_imputed == 0


def test_regression_with_one_incomplete_indicator_is_ols_by_hand():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [2.1, 3.9, 6.2, np.nan, 9.8]})
    result = impute(frame, "regression").values
    # OLS of y on x over the four complete rows, predicted at x = 4.
    x, y = np.array([1.0, 2, 3, 5]), np.array([2.1, 3.9, 6.2, 9.8])
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    intercept = y.mean() - slope * x.mean()
    assert result.loc[3, "y"] == pytest.approx(intercept + slope * 4)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regression_matches_scikit_learn_iterative_imputer():
    rng = np.random.default_rng(7)
    latent = rng.normal(size=60)
    frame = pd.DataFrame({f"v{j}": latent * (j + 1) + rng.normal(size=60) for j in range(4)})
    holes = rng.random(frame.shape) < 0.15
    frame = frame.mask(holes)
    ours = impute(frame, "regression", max_iter=10, tol=0).values
    reference = IterativeImputer(
        estimator=LinearRegression(),
        max_iter=10,
        tol=0,
        imputation_order="ascending",
        initial_strategy="mean",
        random_state=0,
    ).fit_transform(frame)
    np.testing.assert_allclose(ours.to_numpy(), reference, atol=1e-8)


def test_skew_and_kurtosis_are_scipys_bias_corrected_moments():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.lognormal(size=80)})
    moments = skew_kurtosis(frame)
    assert moments.loc["a", "skew"] == pytest.approx(stats.skew(frame["a"], bias=False))
    assert moments.loc["a", "kurtosis"] == pytest.approx(stats.kurtosis(frame["a"], bias=False))


def test_winsorise_one_outlier_by_hand():
    values = [1.0, 2, 2, 3, 3, 3, 4, 4, 5, 100]
    result = treat_outliers(pd.DataFrame({"a": values}), "winsorise")
    # The 100 is replaced by the next value in (5); then skew < 2, so one value is treated.
    assert result.values["a"].tolist() == [1.0, 2, 2, 3, 3, 3, 4, 4, 5, 5]
    row = result.report.loc["a"]
    assert row["flagged"] and row["action"] == "winsorised" and row["n_winsorised"] == 1
    assert row["skew_after"] == pytest.approx(stats.skew(result.values["a"], bias=False))


def test_winsorise_falls_back_to_log_when_too_many_points():
    rng = np.random.default_rng(5)
    values = rng.lognormal(sigma=1.6, size=400)
    result = treat_outliers(pd.DataFrame({"a": values}), "winsorise", max_winsorised=2)
    assert result.report.loc["a", "action"] == "log"
    np.testing.assert_allclose(result.values["a"], np.log(values - values.min() + 1))


def test_log_keeps_order_for_left_tail():
    values = np.array([-100.0, -5, -4, -4, -3, -3, -3, -2, -2, -1])
    result = treat_outliers(pd.DataFrame({"a": values}), "log")
    np.testing.assert_allclose(result.values["a"], -np.log(values.max() - values + 1))
    assert (np.diff(result.values["a"].to_numpy()) >= 0).all()


def test_symmetric_indicators_are_untouched():
    frame = pd.DataFrame({"a": np.linspace(0, 1, 30)})
    result = treat_outliers(frame, "winsorise")
    assert result.report.loc["a", "action"] == "none"
    pd.testing.assert_frame_equal(result.values, frame)
