"""Sigma convergence: is the spread between places narrowing over time?

Compute a dispersion measure in every period — the classic standard deviation of log values, or
any inequality measure of :mod:`levelscope.measures` (Gini, Theil, coefficient of variation, …) —
then test its trend with an ordinary least squares line through time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

from levelscope.convergence._wide import checked_panel, period_positions
from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result

STD_LOG = "std_log"
Measure = str | Callable[..., float]


def std_log(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Standard deviation of log values (population form), optionally weighted.

    Parameters
    ----------
    values
        Positive values, one per area.
    weights
        Frequency weights (e.g. population); equal weights when omitted.

    Returns
    -------
    float
        ``sqrt(sum_i w_i (ln y_i − m)² / sum_i w_i)``, ``m`` the weighted mean of the logs.

    Examples
    --------
    >>> round(std_log(np.exp([0.0, 1.0, 2.0])), 4)
    0.8165
    """
    y = np.asarray(values, dtype=np.float64)
    if np.any(y <= 0):
        raise UndefinedMeasureError("the standard deviation of logs needs positive values")
    logs = np.log(y)
    w = np.ones_like(logs) if weights is None else np.asarray(weights, dtype=np.float64)
    mean = np.average(logs, weights=w)
    return float(np.sqrt(np.average((logs - mean) ** 2, weights=w)))


def _resolve(measure: Measure) -> tuple[str, Callable[..., float]]:
    if callable(measure):
        return getattr(measure, "__name__", "measure"), measure
    if measure == STD_LOG:
        return STD_LOG, std_log
    from levelscope.measures import parse_measure  # the registry of inequality measures

    spec = parse_measure(measure)

    def evaluate(values: np.ndarray, weights: np.ndarray | None = None) -> float:
        return float(spec.measure(values, weights, **spec.params))

    return spec.label, evaluate


@dataclass(frozen=True, repr=False, eq=False)
class SigmaConvergence(Result):
    """Dispersion per period and the OLS trend of dispersion on time.

    ``slope`` is the change in dispersion per unit of time (per year for yearly periods); a
    negative slope with a small ``p_value`` is sigma convergence.
    """

    measure: str
    periods: tuple[Hashable, ...]
    dispersion: tuple[float, ...]
    slope: float
    std_error: float
    p_value: float
    intercept: float
    weighted: bool

    @property
    def converging(self) -> bool:
        """The spread fell over the periods at the 5% level."""
        return self.slope < 0 and self.p_value < 0.05

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"period": self.periods, self.measure: self.dispersion})

    def summary(self) -> str:
        direction = "narrowing" if self.slope < 0 else "widening"
        return (
            f"Sigma convergence ({self.measure}) over {len(self.periods)} periods "
            f"{self.periods[0]}–{self.periods[-1]}: {self.dispersion[0]:.4g} → "
            f"{self.dispersion[-1]:.4g}; trend {self.slope:.4g} per period unit "
            f"(s.e. {self.std_error:.3g}, p = {self.p_value:.3g}), {direction}"
        )

    def plot(self, title: str | None = None) -> go.Figure:
        """Dispersion over time with its fitted trend."""
        from levelscope.convergence.plot import sigma_plot

        return sigma_plot(self, title=title)


def sigma_convergence(
    panel: pd.DataFrame,
    measure: Measure = STD_LOG,
    *,
    weights: pd.DataFrame | pd.Series | None = None,
) -> SigmaConvergence:
    """Dispersion of a panel in every period, with a test of its trend.

    Parameters
    ----------
    panel
        Areas × periods, columns in time order.
    measure
        ``"std_log"`` (default, the classic sigma: standard deviation of log values), any
        measure of :mod:`levelscope.measures` by name, with parameters if it takes any (e.g.
        ``"gini"``, ``"theil"``, ``"coefficient_of_variation"``, ``"atkinson(epsilon=1)"``),
        or a function ``f(values, weights=None) -> float``.
    weights
        Area weights (e.g. population): a Series (same in every period) or a frame shaped like
        ``panel``.

    Returns
    -------
    SigmaConvergence
        The trend is ``dispersion_t = a + b·t + e_t`` by OLS; ``p_value`` is the two-sided t-test
        of ``b = 0`` with ``T − 2`` degrees of freedom (as ``scipy.stats.linregress``).

    Examples
    --------
    >>> panel = pd.DataFrame({2000: [1.0, 4.0], 2001: [1.5, 3.5], 2002: [2.0, 3.0]})
    >>> sigma_convergence(panel).slope < 0
    True
    """
    wide = checked_panel(panel, min_periods=3)
    name, function = _resolve(measure)
    if isinstance(weights, pd.Series):
        weights = pd.DataFrame({c: weights for c in wide.columns})
    if weights is not None:
        weights = weights.reindex(index=wide.index, columns=wide.columns)
        if weights.isna().to_numpy().any():
            raise ValueError("weights are missing for some areas or periods")
    values: list[float] = []
    for period in wide.columns:
        column = wide[period].to_numpy()
        if weights is None:
            values.append(float(_call(function, column, None)))
        else:
            values.append(float(_call(function, column, weights[period].to_numpy())))
    times = period_positions(wide.columns)
    fit = stats.linregress(times, values)
    return SigmaConvergence(
        measure=name,
        periods=tuple(wide.columns),
        dispersion=tuple(values),
        slope=float(fit.slope),
        std_error=float(fit.stderr),
        p_value=float(fit.pvalue),
        intercept=float(fit.intercept),
        weighted=weights is not None,
    )


def _call(function: Callable[..., float], values: np.ndarray, weights: Any) -> float:
    if weights is None:
        return function(values)
    return function(values, weights)
