"""Where the actuals are heading: a straight-line trend carried to a date, with its interval.

The projection fits a straight line (ordinary least squares) to the actuals against time and
gives the usual prediction interval for a new observation,

.. math:: \\hat y_0 \\pm t_{n-2,\\,1-\\alpha/2}\\; s \\sqrt{1 + 1/n + (x_0-\\bar x)^2 / S_{xx}},

with :math:`s^2` the residual variance on :math:`n-2` degrees of freedom (e.g. Montgomery, Peck &
Vining, *Introduction to Linear Regression Analysis*, 5th ed., §2.5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from levelscope.deprecation import RenamedAttribute, renamed_parameters
from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result, check_alpha

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, repr=False)
class Projection(Result):
    """The trend of the actuals carried to a date, with a prediction interval of coverage
    ``1 - alpha``."""

    date: dt.date
    value: float
    lower: float
    upper: float
    alpha: float
    n_actuals: int
    level = RenamedAttribute("alpha", lambda alpha: 1 - alpha)

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """The prediction interval (row ``"value"``), at the ``alpha`` it was computed with
        (another level needs a new projection)."""
        if alpha is not None and alpha != self.alpha:
            raise ValueError(f"the interval was computed at alpha={self.alpha}; run project(alpha=)")
        return pd.DataFrame({"lower": [self.lower], "upper": [self.upper]}, index=["value"])

    def to_frame(self) -> pd.DataFrame:
        """One row: ``date``, ``value``, ``lower``, ``upper``, ``alpha`` and ``n_actuals``."""
        return pd.DataFrame([{"date": self.date, "value": self.value, "lower": self.lower,
                              "upper": self.upper, "alpha": self.alpha, "n_actuals": self.n_actuals}])

    def summary(self) -> str:
        return (f"Projected to {self.date.isoformat()}: {self.value:.4g} "
                f"({1 - self.alpha:.0%} prediction interval {self.lower:.4g} to {self.upper:.4g}; "
                f"trend of {self.n_actuals} actuals)")


@renamed_parameters(level=("alpha", lambda level: 1 - level))
def project(
    dates: Iterable[dt.date], values: Iterable[float], at: dt.date, *, alpha: float = 0.1
) -> Projection:
    """Project a straight-line trend (OLS of value on time) to ``at`` with a prediction interval.

    Parameters
    ----------
    dates, values:
        The actuals; at least three, on at least two different dates.
    at:
        The date to project to (usually the target date).
    alpha:
        The prediction interval has coverage ``1 - alpha`` (default 0.1: a 90% interval).

    Returns
    -------
    Projection
        The trend's value at ``at`` with the interval (``conf_int()``).

    Examples
    --------
    >>> p = project([dt.date(2020, 1, 1), dt.date(2021, 1, 1), dt.date(2022, 1, 1)], [1, 2, 3.2],
    ...             dt.date(2024, 1, 1))
    >>> round(p.value, 2)
    5.36
    """
    day_numbers = np.array([d.toordinal() for d in dates], dtype=float)
    y = np.asarray(list(values), dtype=float)
    n = len(y)
    if n < 3:
        raise UndefinedMeasureError(f"a trend with an interval needs at least 3 actuals, got {n}")
    x = (day_numbers - day_numbers[0]) / DAYS_PER_YEAR
    x0 = (at.toordinal() - day_numbers[0]) / DAYS_PER_YEAR
    sxx = float(((x - x.mean()) ** 2).sum())
    if sxx == 0:
        raise UndefinedMeasureError("all actuals share one date, so there is no trend")
    slope = float(((x - x.mean()) * (y - y.mean())).sum()) / sxx
    intercept = float(y.mean()) - slope * float(x.mean())
    residuals = y - (intercept + slope * x)
    s = np.sqrt(float((residuals**2).sum()) / (n - 2))
    fitted = intercept + slope * x0
    check_alpha(alpha)
    t = float(stats.t.ppf(1 - alpha / 2, n - 2))
    half = t * s * np.sqrt(1 + 1 / n + (x0 - x.mean()) ** 2 / sxx)
    return Projection(at, float(fitted), float(fitted - half), float(fitted + half), alpha, n)
