"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021).

Combines unit weights (like a synthetic control, but with an intercept so the treated unit need
only move in parallel with its synthetic match, and a ridge penalty that spreads weight) with
time weights (pre-periods that best predict the post-period for the controls):

    omega = argmin_{w in simplex, w0} sum_t (w0 + sum_i w_i Y_it - mean_treated_t)² + z² T0 ||w||²
    lambda = argmin_{l in simplex, l0} sum_i (l0 + sum_t l_t Y_it - mean_post_i)² + e² N0 ||l||²
    tau = (Ybar_tr,post - lambda' Ybar_tr,pre) - sum_i omega_i (Ybar_i,post - lambda' Y_i,pre)

with ``z = (N1 T1)^(1/4) sigma``, ``e = 1e-6 sigma`` and ``sigma`` the standard deviation of the
controls' first differences before treatment, as in the authors' R package ``synthdid``. Unlike
that package, the weight problems are solved to tight tolerance (no Frank–Wolfe early stopping
or sparsification), so estimates can differ from ``synthdid``'s in the third or fourth digit.

Standard errors: placebo (refit with random controls as pseudo-treated; works with one treated
unit) or jackknife (drop each unit with weights fixed; needs two or more treated units).

Reference: Arkhangelsky, D. et al. (2021). Synthetic difference-in-differences. *American
Economic Review* 111(12), 4088-4118.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray
from scipy import stats

from levelscope.deprecation import renamed_parameters, warn_renamed
from levelscope.evaluate._optim import simplex_least_squares
from levelscope.evaluate._simplex import ridge_simplex
from levelscope.evaluate.panel import Balance, DesignError, Panel, long_panel
from levelscope.evaluate.synth import Progress
from levelscope.formatting import significant
from levelscope.results import USER_DATA, Result, check_alpha, seeded

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SyntheticDiD(Result):
    """Synthetic difference-in-differences estimate with its weights and standard error."""

    effect: float
    std_error: float
    se_method: str
    unit_weights: pd.Series
    time_weights: pd.Series
    treated: tuple[Hashable, ...]
    start: float
    treated_path: pd.Series = field(repr=False)
    synthetic_path: pd.Series = field(repr=False)
    alpha: float = 0.05

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """The effect's normal interval, coverage ``1 - alpha`` (default the estimate's):
        one row ``"effect"``, columns ``lower`` and ``upper``."""
        alpha = self.alpha if alpha is None else alpha
        check_alpha(alpha)
        z = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame(
            {"lower": [self.effect - z * self.std_error], "upper": [self.effect + z * self.std_error]},
            index=["effect"],
        )

    def confidence_interval(self) -> tuple[float, float]:
        """Deprecated: the ``(lower, upper)`` pair of :meth:`conf_int`."""
        warn_renamed("confidence_interval()", "conf_int()", type(self).__name__)
        return self._bounds()

    def _bounds(self) -> tuple[float, float]:
        row = self.conf_int().iloc[0]
        return float(row["lower"]), float(row["upper"])

    @property
    def p_value(self) -> float:
        return float(2 * stats.norm.sf(abs(self.effect / self.std_error)))

    def to_frame(self) -> pd.DataFrame:
        lo, hi = self._bounds()
        return pd.DataFrame(
            [{"effect": self.effect, "std_error": self.std_error, "lower": lo, "upper": hi,
              "p_value": self.p_value, "se_method": self.se_method}]
        )

    def summary(self) -> str:
        from levelscope.evaluate.verdict import estimate_verdict

        lo, hi = self._bounds()
        top = self.unit_weights.nlargest(5)
        weights = ", ".join(f"{k}: {v:.3f}" for k, v in top.items())
        return (
            f"Synthetic difference-in-differences: effect {significant(self.effect)} "
            f"(SE {significant(self.std_error)}, {self.se_method})\nLargest unit weights: {weights}\n"
            f"{estimate_verdict(self.effect, lo, hi, self.p_value)}"
        )

    def plot(self) -> go.Figure:
        from levelscope.evaluate import plot

        return plot.paths(
            self.treated_path, self.synthetic_path, self.start,
            title="Treated units against their synthetic DiD comparison (shifted by the intercept)",
        )


@renamed_parameters(replications="n_resamples")
def synthetic_did(
    data: pd.DataFrame | Panel,
    *,
    treated: Sequence[Hashable] | Hashable,
    start: float,
    unit: str = "unit",
    time: str = "time",
    outcome: str = "outcome",
    se: Literal["placebo", "jackknife", "none"] = "placebo",
    n_resamples: int = 200,
    seed: int | None = 0,
    balance: Balance = "error",
    progress: Progress | None = None,
    alpha: float = 0.05,
) -> SyntheticDiD:
    """Estimate the average effect on the treated units from ``start`` on.

    Parameters
    ----------
    data:
        Long table or :class:`Panel`; every other unit is a control.
    treated:
        One label or several (all treated from ``start``: block design).
    se:
        ``"placebo"`` (default; needs more controls than treated units), ``"jackknife"`` (needs
        at least two treated units) or ``"none"``.
    n_resamples:
        Placebo draws for ``se="placebo"``.
    seed:
        Seed of the placebo draws (fixed by default, so the standard error repeats exactly).
    start:
        First period affected by the policy.
    unit, time, outcome:
        Column names when ``data`` is a table.
    balance:
        Rule for gaps in the outcome, see :func:`~levelscope.evaluate.panel.long_panel`.
    progress:
        Optional ``progress(done, total)`` callback for the placebo or jackknife refits.
    alpha:
        The interval of :meth:`SyntheticDiD.conf_int` has coverage ``1 - alpha``.

    Returns
    -------
    SyntheticDiD
        The effect, its standard error, interval and p-value, and the unit and time weights.

    Examples
    --------
    >>> rows = [(u, year, u + (year - 2010) / 2 + 3.0 * (u < 2 and year >= 2016))
    ...         for u in range(6) for year in range(2010, 2020)]  # units 0 and 1 gain 3 from 2016
    >>> data = pd.DataFrame(rows, columns=["unit", "year", "outcome"])
    >>> sdid = synthetic_did(data, treated=[0, 1], start=2016, time="year", se="none")
    >>> round(float(sdid.effect), 6)
    3.0
    """
    panel = data if isinstance(data, Panel) else long_panel(
        data, unit=unit, time=time, outcome=outcome, balance=balance
    )
    several = isinstance(treated, Sequence) and not isinstance(treated, str)
    treated_list = list(treated) if several else [treated]  # type: ignore[arg-type]
    rows = [panel.unit_index(u) for u in treated_list]
    controls = [i for i in range(len(panel.units)) if i not in rows]
    pre = panel.times < float(start)
    if not pre.any():
        raise DesignError(f"no pre-period before {start}")
    if pre.all():
        raise DesignError(f"no post-period from {start}")
    if pre.sum() < 2:
        raise DesignError("synthetic DiD needs at least two pre-periods (one for time weights)")
    if len(controls) < 2:
        raise DesignError(f"too few control units: {len(controls)}; need at least 2")
    y = panel.outcome
    tau, omega, lam = _estimate(y[controls], y[rows], pre)
    if se == "placebo":
        if len(controls) <= len(rows):
            raise DesignError("placebo standard errors need more controls than treated units")
        std_error = _placebo_se(y[controls], len(rows), pre, n_resamples, seed, progress)
    elif se == "jackknife":
        if len(rows) < 2:
            raise DesignError("jackknife standard errors need at least two treated units; use se='placebo'")
        std_error = _jackknife_se(y[controls], y[rows], pre, omega, lam)
    else:
        std_error = float("nan")
    times = pd.Index(panel.times, name=panel.time_name)
    treated_path = y[rows].mean(axis=0)
    synthetic = omega @ y[controls]
    intercept = lam @ (treated_path[pre] - synthetic[pre])
    return SyntheticDiD(
        effect=tau,
        std_error=std_error,
        se_method=se,
        unit_weights=pd.Series(omega, index=[panel.units[i] for i in controls], name="omega"),
        time_weights=pd.Series(lam, index=panel.times[pre], name="lambda"),
        treated=tuple(treated_list),
        start=float(start),
        treated_path=pd.Series(treated_path, index=times, name="treated"),
        synthetic_path=pd.Series(synthetic + intercept, index=times, name="synthetic"),
        alpha=alpha,
        provenance=seeded(seed) if se == "placebo" else USER_DATA,
    )


def _noise_level(y_controls_pre: FloatArray) -> float:
    return float(np.std(np.diff(y_controls_pre, axis=1), ddof=1))


def _unit_weights(y0: FloatArray, y1_mean: FloatArray, pre: NDArray[np.bool_], zeta: float) -> FloatArray:
    a = y0[:, pre].T
    b = y1_mean[pre]
    a = a - a.mean(axis=0)  # the intercept w0 absorbs levels
    b = b - b.mean()
    return ridge_simplex(a, b, zeta**2 * pre.sum())


def _time_weights(y0: FloatArray, pre: NDArray[np.bool_], zeta: float) -> FloatArray:
    a = y0[:, pre]
    b = y0[:, ~pre].mean(axis=1)
    a = a - a.mean(axis=0)
    b = b - b.mean()
    # Nearly unpenalised, so projected gradient would crawl; the exact active-set solver on the
    # ridge-augmented system is fast because there are few pre-periods.
    t0 = a.shape[1]
    augmented = np.vstack([a, zeta * np.sqrt(y0.shape[0]) * np.eye(t0)])
    target = np.concatenate([b, np.zeros(t0)])
    return np.asarray(simplex_least_squares(augmented, target, np.full(t0, 1.0 / t0)))


def _estimate(
    y0: FloatArray, y1: FloatArray, pre: NDArray[np.bool_]
) -> tuple[float, FloatArray, FloatArray]:
    sigma = _noise_level(y0[:, pre])
    n1, t1 = y1.shape[0], int((~pre).sum())
    omega = _unit_weights(y0, y1.mean(axis=0), pre, (n1 * t1) ** 0.25 * sigma)
    lam = _time_weights(y0, pre, 1e-6 * sigma)
    return _tau(y0, y1, pre, omega, lam), omega, lam


def _tau(
    y0: FloatArray, y1: FloatArray, pre: NDArray[np.bool_], omega: FloatArray, lam: FloatArray
) -> float:
    treated = y1.mean(axis=0)
    treated_change = treated[~pre].mean() - lam @ treated[pre]
    control_change = y0[:, ~pre].mean(axis=1) - y0[:, pre] @ lam
    return float(treated_change - omega @ control_change)


def _placebo_se(
    y0: FloatArray, n1: int, pre: NDArray[np.bool_], n_resamples: int, seed: int | None,
    progress: Progress | None,
) -> float:
    rng = np.random.default_rng(seed)
    taus = np.empty(n_resamples)
    for r in range(n_resamples):
        order = rng.permutation(y0.shape[0])
        fake, rest = order[:n1], order[n1:]
        taus[r] = _estimate(y0[rest], y0[fake], pre)[0]
        if progress:
            progress(r + 1, n_resamples)
    return float(np.sqrt((n_resamples - 1) / n_resamples) * taus.std(ddof=1))


def _jackknife_se(
    y0: FloatArray, y1: FloatArray, pre: NDArray[np.bool_], omega: FloatArray, lam: FloatArray
) -> float:
    estimates = []
    for i in range(y0.shape[0]):
        keep = np.arange(y0.shape[0]) != i
        w = omega[keep]
        if w.sum() <= 0:
            continue
        estimates.append(_tau(y0[keep], y1, pre, w / w.sum(), lam))
    for j in range(y1.shape[0]):
        keep = np.arange(y1.shape[0]) != j
        estimates.append(_tau(y0, y1[keep], pre, omega, lam))
    values = np.asarray(estimates)
    n = values.size
    return float(np.sqrt((n - 1) / n * ((values - values.mean()) ** 2).sum()))
