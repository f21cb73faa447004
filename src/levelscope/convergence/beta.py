"""Beta convergence: do places that start behind grow faster?

Regress each area's average annual log growth between two periods on its starting log level,

    g_i = (ln y_iT − ln y_i0) / T = α + β ln y_i0 + γ'x_i + ε_i,

with optional controls ``x`` (conditional convergence: towards each area's own steady state).
``β < 0`` means catching up. The implied speed of convergence is ``λ = −ln(1 + βT) / T`` and the
half-life, the years to close half the gap, ``ln 2 / λ`` (Barro & Sala-i-Martin 1992).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from levelscope.convergence._wide import checked_panel, period_positions
from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result


@dataclass(frozen=True, repr=False)
class BetaConvergence(Result):
    """The convergence regression's slope and what it implies.

    ``speed`` and ``half_life`` are ``None`` when they are undefined: no convergence (β ≥ 0), or
    β so negative that ``1 + βT <= 0``.
    """

    beta: float
    std_error: float
    t_statistic: float
    p_value: float
    intercept: float
    r_squared: float
    speed: float | None
    half_life: float | None
    n: int
    start: Hashable
    end: Hashable
    years: float
    conditional: bool
    weighted: bool
    controls: tuple[str, ...] = ()
    control_coefficients: tuple[float, ...] = ()

    def summary(self) -> str:
        kind = "conditional" if self.conditional else "absolute"
        lines = [
            f"{kind.capitalize()} beta convergence {self.start}–{self.end} ({self.n} areas"
            f"{', weighted' if self.weighted else ''}):",
            f"beta = {self.beta:.5g} (s.e. {self.std_error:.3g}, t = {self.t_statistic:.3g}, "
            f"p = {self.p_value:.3g}), R² = {self.r_squared:.3f}",
        ]
        if self.speed is not None:
            half = f", half-life {self.half_life:.1f} years" if self.half_life else ""
            lines.append(f"speed of convergence {100 * self.speed:.2f}% a year{half}")
        else:
            lines.append("no convergence speed: the slope is not in the converging range")
        return "\n".join(lines)


def _weighted_ols(
    design: np.ndarray, response: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Coefficients, their classical standard errors and R² of weighted least squares."""
    root = np.sqrt(weights)
    xw, yw = design * root[:, None], response * root
    coefficients, *_ = np.linalg.lstsq(xw, yw, rcond=None)
    residuals = yw - xw @ coefficients
    n, k = design.shape
    sigma2 = float(residuals @ residuals) / (n - k)
    covariance = sigma2 * np.linalg.inv(xw.T @ xw)
    mean = np.average(response, weights=weights)
    total = float(np.sum(weights * (response - mean) ** 2))
    r_squared = 1.0 - float(residuals @ residuals) / total if total > 0 else 0.0
    return coefficients, np.sqrt(np.diag(covariance)), r_squared


def beta_convergence(
    panel: pd.DataFrame,
    *,
    start: Hashable | None = None,
    end: Hashable | None = None,
    controls: pd.DataFrame | None = None,
    weights: pd.Series | None = None,
) -> BetaConvergence:
    """Estimate absolute (or, with ``controls``, conditional) beta convergence.

    Parameters
    ----------
    panel
        Areas × periods of a positive level (e.g. GVA per head); columns in time order. Build one
        from tidy rows with :func:`levelscope.convergence.panel_from_long`.
    start, end
        Periods to compare (default: first and last). ``T`` is their difference when periods are
        numbers (years), else the number of steps between them.
    controls
        Area-level covariates indexed like ``panel`` (conditional convergence).
    weights
        Area weights (e.g. population) for weighted least squares.

    Returns
    -------
    BetaConvergence
        The slope ``beta`` of growth on the starting level with its standard error, the speed
        of convergence and the half-life.

    Examples
    --------
    >>> panel = pd.DataFrame({2000: [1.0, 2.0, 4.0], 2010: [2.0, 3.0, 5.0]}, index=list("abc"))
    >>> round(beta_convergence(panel).beta, 4)
    -0.0339
    """
    wide = checked_panel(panel)
    start = wide.columns[0] if start is None else start
    end = wide.columns[-1] if end is None else end
    for label, period in (("start", start), ("end", end)):
        if period not in wide.columns:
            raise ValueError(f"{label} period {period!r} not in the panel's periods")
    times: dict[Hashable, float] = dict(zip(wide.columns, period_positions(wide.columns), strict=True))
    years = float(times[end] - times[start])
    if years <= 0:
        raise ValueError(f"end {end!r} must come after start {start!r}")
    initial, final = wide[start].to_numpy(), wide[end].to_numpy()
    if np.any(initial <= 0) or np.any(final <= 0):
        raise UndefinedMeasureError("beta convergence takes logs: every value must be positive")
    growth = (np.log(final) - np.log(initial)) / years
    columns = [np.ones(len(wide)), np.log(initial)]
    names: tuple[str, ...] = ()
    if controls is not None:
        aligned = controls.reindex(wide.index)
        if aligned.isna().to_numpy().any():
            raise ValueError("controls are missing for some areas of the panel")
        names = tuple(str(c) for c in aligned.columns)
        columns.extend(aligned.to_numpy(dtype=np.float64).T)
    design = np.column_stack(columns)
    n, k = design.shape
    if n <= k:
        raise UndefinedMeasureError(f"{n} areas are too few for {k} coefficients")
    if weights is None:
        w = np.ones(n)
    else:
        w = weights.reindex(wide.index).to_numpy(dtype=np.float64)
        if np.isnan(w).any() or np.any(w < 0) or w.sum() == 0:
            raise ValueError("weights must be given, non-negative and not all zero for every area")
    coefficients, errors, r_squared = _weighted_ols(design, growth, w)
    beta, se = float(coefficients[1]), float(errors[1])
    t = beta / se if se > 0 else float("inf")
    p = float(2.0 * stats.t.sf(abs(t), n - k))
    speed = -np.log1p(beta * years) / years if 1.0 + beta * years > 0 else None
    half_life = float(np.log(2.0) / speed) if speed is not None and speed > 0 else None
    return BetaConvergence(
        beta=beta,
        std_error=se,
        t_statistic=float(t),
        p_value=p,
        intercept=float(coefficients[0]),
        r_squared=float(r_squared),
        speed=None if speed is None else float(speed),
        half_life=half_life,
        n=n,
        start=start,
        end=end,
        years=years,
        conditional=controls is not None,
        weighted=weights is not None,
        controls=names,
        control_coefficients=tuple(float(c) for c in coefficients[2:]),
    )
