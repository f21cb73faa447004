"""Augmented synthetic control with a ridge outcome model (Ben-Michael, Feller & Rothstein 2021).

When the treated unit lies outside the donors' convex hull (it is the richest, or the poorest,
place), no simplex weights reproduce its pre-period path and a plain synthetic control is biased.
The augmented estimator corrects the synthetic control with a ridge regression of outcomes on
pre-period outcomes across donors:

    Y*_1t = sum_i w_i Y_it + (X_1 - sum_i w_i X_i)' eta_t

which is a weighting estimator with weights that may be negative (extrapolation):

    w_aug = w_scm + Xc (Xc' Xc + lambda I)^(-1) (X_1 - X_0' w_scm)

``X`` are the pre-period outcomes, ``Xc`` the donors' centred on their mean, ``w_scm`` the
synthetic-control weights fitted to the whole pre-period path. ``lambda`` is chosen by
rolling-origin cross-validation over the pre-period unless given.

Reference: Ben-Michael, E., Feller, A. & Rothstein, J. (2021). The augmented synthetic control
method. *JASA* 116(536), 1789-1803.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray

from levelscope.evaluate._optim import simplex_least_squares
from levelscope.evaluate.panel import Balance, DesignError, Panel, long_panel
from levelscope.evaluate.synth import MIN_DONORS
from levelscope.formatting import significant
from levelscope.results import Result

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class AugmentedSyntheticControl(Result):
    """Ridge-augmented synthetic control: weights, paths, fit and effect."""

    treated: Hashable
    start: float
    outcome: str
    weights: pd.Series
    scm_weights: pd.Series
    ridge: float
    actual: pd.Series
    synthetic: pd.Series
    pre_rmspe: float
    post_rmspe: float

    @property
    def gap(self) -> pd.Series:
        return (self.actual - self.synthetic).rename("gap")

    @property
    def effect(self) -> float:
        return float(self.gap[self.gap.index >= self.start].mean())

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"time": self.actual.index, "actual": self.actual.to_numpy(),
             "synthetic": self.synthetic.to_numpy(), "gap": self.gap.to_numpy(),
             "post": self.actual.index >= self.start}
        )

    def summary(self) -> str:
        negative = int((self.weights < 0).sum())
        return (
            f"Augmented synthetic control for {self.treated} ({self.outcome}), ridge "
            f"{significant(self.ridge, 3)}: pre-period RMSPE {significant(self.pre_rmspe)}, "
            "average post-period gap "
            f"{significant(self.effect)}; {negative} donors carry negative weight (extrapolation)"
        )

    def plot(self) -> go.Figure:
        from levelscope.evaluate import plot

        return plot.paths(self.actual, self.synthetic, self.start,
                          f"{self.treated}: actual and augmented synthetic {self.outcome}")


def augmented_synthetic_control(
    data: pd.DataFrame | Panel,
    *,
    treated: Hashable,
    start: float,
    unit: str = "unit",
    time: str = "time",
    outcome: str = "outcome",
    donors: Sequence[Hashable] | None = None,
    ridge: float | None = None,
    balance: Balance = "error",
) -> AugmentedSyntheticControl:
    """Fit a ridge-augmented synthetic control on the pre-period outcome path.

    Parameters
    ----------
    data:
        Long table (one row per unit and period) or a :class:`Panel`.
    treated:
        The treated unit's label.
    start:
        First period affected by the policy.
    unit, time, outcome:
        Column names when ``data`` is a table.
    donors:
        Candidate comparison units; default every other unit.
    balance:
        Rule for gaps in the outcome, see :func:`~levelscope.evaluate.panel.long_panel`.
    ridge:
        Ridge penalty ``lambda`` >= 0; default chosen by rolling-origin cross-validation (fit on
        the periods before ``s``, predict period ``s``, for each ``s`` in the later half of the
        pre-period) over a grid scaled by the donors' largest squared singular value.

    Returns
    -------
    AugmentedSyntheticControl
        The synthetic control's weights corrected by the ridge fit, its path and effect.

    Examples
    --------
    >>> t = np.arange(10.0)
    >>> paths = {"B": 10 + t, "C": 12 + t / 2, "D": 8 + 1.5 * t + t**2 / 10, "E": 11 + 0.8 * t}
    >>> paths["A"] = (paths["B"] + paths["D"]) / 2 + 3.0 * (t >= 6)  # 3 more from 2016 on
    >>> data = pd.DataFrame([(u, 2010 + i, y) for u, path in paths.items() for i, y in enumerate(path)],
    ...                     columns=["unit", "time", "outcome"])
    >>> asc = augmented_synthetic_control(data, treated="A", start=2016)
    >>> round(float(asc.effect), 3)
    3.0
    """
    panel = data if isinstance(data, Panel) else long_panel(
        data, unit=unit, time=time, outcome=outcome, balance=balance
    )
    t_row = panel.unit_index(treated)
    donor_list = [u for u in panel.units if u != treated] if donors is None else list(donors)
    if treated in donor_list:
        raise DesignError(f"the treated unit {treated!r} is among the donors; remove it")
    if len(donor_list) < MIN_DONORS:
        raise DesignError(f"too few donors: {len(donor_list)}; need at least {MIN_DONORS}")
    d_rows = [panel.unit_index(d) for d in donor_list]
    pre = panel.times < float(start)
    if pre.sum() < 2:
        raise DesignError("the augmented synthetic control needs at least two pre-periods")
    if pre.all():
        raise DesignError(f"no post-period from {start}")
    y1, y0 = panel.outcome[t_row], panel.outcome[d_rows]
    x1, x0 = y1[pre], y0[:, pre]
    if ridge is None:
        ridge = _cross_validated_ridge(x1, x0)
    elif ridge < 0:
        raise DesignError(f"ridge must be non-negative; got {ridge}")
    w_scm = _scm_weights(x1, x0)
    w_aug = augment(x1, x0, w_scm, ridge)
    synthetic = w_aug @ y0
    times = pd.Index(panel.times, name=panel.time_name)
    gap = y1 - synthetic
    index = pd.Index(donor_list, name="donor")
    return AugmentedSyntheticControl(
        treated=treated,
        start=float(start),
        outcome=panel.outcome_name,
        weights=pd.Series(w_aug, index=index, name="weight"),
        scm_weights=pd.Series(w_scm, index=index, name="scm_weight"),
        ridge=float(ridge),
        actual=pd.Series(y1, index=times, name="actual"),
        synthetic=pd.Series(synthetic, index=times, name="synthetic"),
        pre_rmspe=float(np.sqrt(np.mean(gap[pre] ** 2))),
        post_rmspe=float(np.sqrt(np.mean(gap[~pre] ** 2))),
    )


def _scm_weights(x1: FloatArray, x0: FloatArray) -> FloatArray:
    n = x0.shape[0]
    return np.asarray(simplex_least_squares(x0.T.copy(), x1.copy(), np.full(n, 1.0 / n)))


def augment(x1: FloatArray, x0: FloatArray, w: FloatArray, ridge: float) -> FloatArray:
    """Ridge-augmented weights ``w + Xc (Xc'Xc + ridge I)^-1 (x1 - x0' w)``; they sum to one
    because the centred donor rows ``Xc`` sum to zero."""
    centred = x0 - x0.mean(axis=0)
    t0 = x0.shape[1]
    imbalance = x1 - x0.T @ w
    return w + centred @ np.linalg.solve(centred.T @ centred + ridge * np.eye(t0), imbalance)


def _cross_validated_ridge(x1: FloatArray, x0: FloatArray, n_grid: int = 25) -> float:
    centred = x0 - x0.mean(axis=0)
    top = float(np.linalg.svd(centred, compute_uv=False)[0] ** 2)
    grid = top * np.logspace(0, -8, n_grid)
    t0 = x0.shape[1]
    origins = range(max(1, t0 // 2), t0)
    errors = np.zeros(n_grid)
    for s in origins:
        w = _scm_weights(x1[:s], x0[:, :s])
        for i, lam in enumerate(grid):
            w_aug = augment(x1[:s], x0[:, :s], w, lam)
            errors[i] += (x1[s] - x0[:, s] @ w_aug) ** 2
    return float(grid[int(np.argmin(errors))])
