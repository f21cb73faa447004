"""Difference-in-differences: two-way fixed effects, event studies, and Callaway & Sant'Anna.

Two-way fixed effects (TWFE) regress the outcome on a treatment indicator with unit and period
fixed effects, ``y_it = a_i + g_t + b D_it + c'x_it + e_it``, with standard errors clustered by
unit (CR1: ``G/(G-1) * (N-1)/(N-K)``, ``K`` counting the regressors and the period effects, as
fixest and pyfixest do). With staggered adoption and effects that vary over time, ``b`` averages
effects with weights that can be negative (Goodman-Bacon 2021); the group-time estimator of
Callaway & Sant'Anna (2021) avoids this by comparing each adoption cohort ``g`` in each period
``t`` only with units not (yet) treated:

    ATT(g, t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | control],   b = g - 1 for t >= g

and averaging these cells (simple, dynamic by event time, by group, by calendar period).

References
----------
Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time periods.
*Journal of Econometrics* 225(2), 200-230.
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
*Journal of Econometrics* 225(2), 254-277.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray
from scipy import stats

from levelscope.deprecation import RenamedAttribute, renamed_parameters, warn_renamed
from levelscope.errors import Problem, ValidationError
from levelscope.evaluate.panel import DesignError
from levelscope.evaluate.synth import Progress
from levelscope.formatting import significant
from levelscope.results import Result, check_alpha

FloatArray = NDArray[np.float64]
Aggregation = Literal["simple", "dynamic", "group", "calendar"]


# --------------------------------------------------------------------------------------------
# Two-way fixed effects


@dataclass(frozen=True)
class RegressionTable(Result):
    """Coefficients with cluster-robust standard errors (t with ``G - 1`` degrees of freedom)."""

    estimate: pd.Series
    std_error: pd.Series
    vcov: pd.DataFrame = field(repr=False)
    n_obs: int
    n_clusters: int
    alpha: float = 0.05

    @property
    def t_stat(self) -> pd.Series:
        return self.estimate / self.std_error

    @property
    def p_value(self) -> pd.Series:
        return pd.Series(
            2 * stats.t.sf(np.abs(self.t_stat), self.n_clusters - 1), index=self.estimate.index
        )

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """Each coefficient's interval (t with ``G - 1`` degrees of freedom): columns ``lower``
        and ``upper``, coverage ``1 - alpha`` (default the table's ``alpha``)."""
        alpha = self.alpha if alpha is None else alpha
        check_alpha(alpha)
        q = stats.t.ppf(1 - alpha / 2, self.n_clusters - 1)
        return pd.DataFrame(
            {"lower": self.estimate - q * self.std_error, "upper": self.estimate + q * self.std_error}
        )

    def confidence_interval(self) -> pd.DataFrame:
        """Deprecated name of :meth:`conf_int`."""
        warn_renamed("confidence_interval()", "conf_int()", type(self).__name__)
        return self.conf_int()

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "estimate": self.estimate,
                "std_error": self.std_error,
                "t_stat": self.t_stat,
                "p_value": self.p_value,
            }
        ).join(self.conf_int())
        frame.index.name = "term"
        return frame.reset_index()

    def summary(self) -> str:
        return (
            f"{type(self).__name__}: {self.n_obs} observations, {self.n_clusters} clusters\n"
            f"{self.to_frame().to_string(index=False, float_format=significant)}"
        )


@dataclass(frozen=True)
class TwoWayFixedEffects(RegressionTable):
    """TWFE difference-in-differences; :attr:`effect` is the treatment coefficient."""

    treatment: str = "treated"

    @property
    def effect(self) -> float:
        return float(self.estimate.loc[self.treatment])

    def verdict(self) -> str:
        """A plain-language reading of the treatment coefficient with its interval."""
        from levelscope.evaluate.verdict import estimate_verdict

        ci = self.conf_int().to_dict("index")[self.treatment]
        p_value = self.p_value.to_dict()[self.treatment]
        return estimate_verdict(
            self.effect, float(ci["lower"]), float(ci["upper"]), float(p_value), alpha=self.alpha,
        )

    def summary(self) -> str:
        return f"{super().summary()}\n{self.verdict()}"


@dataclass(frozen=True)
class EventStudy(RegressionTable):
    """Dynamic TWFE: one coefficient per period relative to adoption (``reference`` omitted)."""

    reference: int = -1

    @property
    def relative_periods(self) -> NDArray[np.int64]:
        return np.array([int(term) for term in self.estimate.index])

    def pretrend_test(self) -> PretrendTest:
        """Joint Wald test that all pre-adoption coefficients are zero (F with ``G - 1``
        denominator degrees of freedom, as pyfixest's ``wald_test``)."""
        leads = [term for term in self.estimate.index if int(term) < 0]
        return _wald(self.estimate[leads], self.vcov.loc[leads, leads], self.n_clusters - 1)

    def plot(self) -> go.Figure:
        from levelscope.evaluate import plot

        ci = self.conf_int()
        return plot.event_study(
            self.relative_periods, self.estimate.to_numpy(), ci["lower"].to_numpy(),
            ci["upper"].to_numpy(), reference=self.reference,
        )


@dataclass(frozen=True)
class PretrendTest(Result):
    """Wald test that pre-treatment effects are jointly zero. A large p-value does not prove
    parallel trends; it only fails to find evidence against them."""

    statistic: float
    df: int
    p_value: float
    distribution: str

    def summary(self) -> str:
        return (
            f"Pre-trends test: {self.distribution} statistic {self.statistic:.3f} on {self.df} "
            f"restrictions, p-value {self.p_value:.3f}"
        )


TableT = TypeVar("TableT", bound=RegressionTable)


def _wald(theta: pd.Series, vcov: pd.DataFrame, df_denominator: int | None) -> PretrendTest:
    q = len(theta)
    if q == 0:
        raise DesignError("no pre-treatment estimates to test: the panel has no leads")
    t = theta.to_numpy()
    w = float(t @ np.linalg.solve(vcov.to_numpy(), t))
    if df_denominator is None:
        return PretrendTest(statistic=w, df=q, p_value=float(stats.chi2.sf(w, q)), distribution="chi2")
    f = w / q
    return PretrendTest(
        statistic=f, df=q, p_value=float(stats.f.sf(f, q, df_denominator)), distribution="F"
    )


def twfe(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treatment: str,
    covariates: Sequence[str] = (),
    cluster: str | None = None,
    alpha: float = 0.05,
) -> TwoWayFixedEffects:
    """Two-way fixed-effects difference-in-differences with cluster-robust standard errors.

    Parameters
    ----------
    data:
        Long table; the panel may be unbalanced.
    unit, time, outcome:
        Column names.
    treatment:
        0/1 column: treated in that period.
    covariates:
        Time-varying controls.
    cluster:
        Column to cluster by (default ``unit``); units must nest within clusters.
    alpha:
        For confidence intervals.

    Returns
    -------
    TwoWayFixedEffects
        Equal to ``pyfixest.feols(f"{outcome} ~ {treatment} + ... | {unit} + {time}",
        vcov={"CRV1": cluster})``.

    Examples
    --------
    >>> rows = [(u, year, u + (year - 2010) / 2 + 3.0 * (u < 2 and year >= 2016))
    ...         for u in range(6) for year in range(2010, 2020)]  # units 0 and 1 gain 3 from 2016
    >>> data = pd.DataFrame(rows, columns=["unit", "year", "outcome"])
    >>> data["treated"] = ((data["unit"] < 2) & (data["year"] >= 2016)).astype(float)
    >>> result = twfe(data, unit="unit", time="year", outcome="outcome", treatment="treated")
    >>> round(float(result.estimate["treated"]), 6)
    3.0
    """
    frame = _clean(data, [unit, time, outcome, treatment, *covariates], cluster or unit)
    x = frame[[treatment, *covariates]].to_numpy(dtype=float)
    if np.ptp(x[:, 0]) == 0:
        raise DesignError(f"treatment {treatment!r} never varies: no treated (or no untreated) rows")
    return _fe_regression(
        frame, unit, time, outcome, x, [treatment, *covariates], cluster or unit, alpha,
        TwoWayFixedEffects, treatment=treatment,
    )


def event_study(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    cohort: str,
    reference: int = -1,
    window: tuple[int, int] | None = None,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> EventStudy:
    """Event-study TWFE: ``y_it = a_i + g_t + sum_{e != reference} b_e 1[t - G_i = e] + e_it``.

    Parameters
    ----------
    cohort:
        Column with the unit's first treated period; missing (or infinite) for never-treated
        units, which have no event-time indicators.
    reference:
        Relative period normalised to zero (default -1, the period before adoption).
    window:
        ``(first, last)`` relative periods to estimate; periods outside are binned into the end
        points. Default: every relative period in the data.

    unit, time, outcome:
        Column names.
    cluster:
        Column to cluster by (default ``unit``).
    alpha:
        For confidence intervals.

    Returns
    -------
    EventStudy
        Coefficients indexed by relative period; with :meth:`EventStudy.pretrend_test`.

    Examples
    --------
    >>> rows = [(u, year, u + (year - 2010) / 2 + 3.0 * (u < 2 and year >= 2016))
    ...         for u in range(6) for year in range(2010, 2020)]  # units 0 and 1 gain 3 from 2016
    >>> data = pd.DataFrame(rows, columns=["unit", "year", "outcome"])
    >>> data["cohort"] = np.where(data["unit"] < 2, 2016, np.nan)  # never treated: missing
    >>> result = event_study(data, unit="unit", time="year", outcome="outcome", cohort="cohort")
    >>> result.estimate.round(6).tolist()  # 6 to 2 periods before (-1 is the reference), 0 to 3 after
    [0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 3.0, 3.0, 3.0]
    """
    frame = _clean(data, [unit, time, outcome], cluster or unit, cohort=cohort)
    g = frame[cohort].to_numpy(dtype=float)
    rel = frame[time].to_numpy(dtype=float) - g
    treated = np.isfinite(g)
    if not treated.any():
        raise DesignError(f"no unit is ever treated: {cohort!r} is empty")
    if window is not None:
        rel = np.clip(rel, window[0], window[1])
    periods = sorted({int(r) for r in rel[treated]} - {reference})
    if reference not in set(rel[treated].astype(int)):
        raise DesignError(f"no observations at the reference period {reference}")
    x = np.column_stack([(treated & (rel == e)).astype(float) for e in periods])
    return _fe_regression(
        frame, unit, time, outcome, x, [str(e) for e in periods], cluster or unit, alpha,
        EventStudy, reference=reference,
    )


def _clean(
    data: pd.DataFrame, columns: list[str], cluster: str, cohort: str | None = None
) -> pd.DataFrame:
    needed = list(dict.fromkeys([*columns, cluster, *([cohort] if cohort else [])]))
    absent = [c for c in needed if c not in data.columns]
    if absent:
        raise ValidationError([Problem("column is missing", column=c) for c in absent])
    frame = data[needed].copy()
    value_columns = [c for c in columns[2:]]
    missing = frame[value_columns].isna().any(axis=1)
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0]) + 2
        raise ValidationError(
            Problem(f"{int(missing.sum())} rows have missing values; first", row=row)
        )
    if frame.duplicated(columns[:2]).any():
        raise ValidationError(Problem("duplicate unit-period rows"))
    if cohort:
        frame[cohort] = pd.to_numeric(frame[cohort]).astype(float)
        frame.loc[~np.isfinite(frame[cohort]), cohort] = np.nan
    return frame.reset_index(drop=True)


def _fe_regression(
    frame: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    x: FloatArray,
    names: list[str],
    cluster: str,
    alpha: float,
    kind: type[TableT],
    **extra: object,
) -> TableT:
    """OLS with unit and period effects, via the within-unit transform of ``x``, ``y`` and the
    period dummies (exact on unbalanced panels too), clustered CR1 errors."""
    units = frame[unit].to_numpy()
    periods = pd.get_dummies(frame[time]).to_numpy(dtype=float)[:, 1:]
    y = frame[outcome].to_numpy(dtype=float)
    full = np.column_stack([x, periods])
    demeaned = full - _group_means(full, units)
    y_within = y - _group_means(y[:, None], units)[:, 0]
    xtx = demeaned.T @ demeaned
    p = x.shape[1]
    if np.linalg.matrix_rank(xtx) < full.shape[1]:
        raise DesignError(
            f"regressors {names} are collinear with the unit and period effects "
            "(e.g. a treatment that starts at the same time for every treated unit and is "
            "never off, with no never-treated units)"
        )
    coef = np.linalg.solve(xtx, demeaned.T @ y_within)
    resid = y_within - demeaned @ coef
    clusters = frame[cluster].to_numpy()
    if cluster != unit and (frame.groupby(unit)[cluster].nunique() > 1).any():
        raise DesignError(f"units must nest within clusters; some {unit} span several {cluster}")
    _, cluster_id = np.unique(clusters, return_inverse=True)
    n_clusters = int(cluster_id.max()) + 1
    if n_clusters < 2:
        raise DesignError("cluster-robust errors need at least two clusters")
    scores = np.zeros((n_clusters, full.shape[1]))
    np.add.at(scores, cluster_id, demeaned * resid[:, None])
    bread = np.linalg.inv(xtx)
    n_obs = len(y)
    k = full.shape[1] + 1  # regressors and every period level, as fixest's "nonnested" count
    correction = n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - k)
    vcov = correction * bread @ (scores.T @ scores) @ bread
    index = pd.Index(names, name="term")
    return kind(
        estimate=pd.Series(coef[:p], index=index),
        std_error=pd.Series(np.sqrt(np.diag(vcov)[:p]), index=index),
        vcov=pd.DataFrame(vcov[:p, :p], index=index, columns=index),
        n_obs=n_obs,
        n_clusters=n_clusters,
        alpha=alpha,
        **extra,  # type: ignore[arg-type]
    )


def _group_means(values: FloatArray, groups: NDArray[np.generic]) -> FloatArray:
    _, ids = np.unique(groups, return_inverse=True)
    sums = np.zeros((ids.max() + 1, values.shape[1]))
    np.add.at(sums, ids, values)
    counts = np.bincount(ids).astype(float)
    return (sums / counts[:, None])[ids]


# --------------------------------------------------------------------------------------------
# Callaway & Sant'Anna


@dataclass(frozen=True)
class GroupTimeEffects(Result):
    """ATT(g, t) for every adoption cohort ``g`` and period ``t`` (balanced panel, no covariates).

    Attributes
    ----------
    cells:
        One row per (cohort, time): ``base_period``, ``att``, ``std_error`` (analytic, from the
        influence function), ``post`` (``t >= g``).
    influence:
        ``(n_units, n_cells)`` influence functions, scaled so that ``std_error = sqrt(mean(IF²)/n)``.
    cohort_share:
        Share of all units in each cohort (the aggregation weights).
    """

    cells: pd.DataFrame
    influence: FloatArray = field(repr=False)
    cohort_share: pd.Series = field(repr=False)
    unit_cohort: FloatArray = field(repr=False)
    control_group: str = "never_treated"
    alpha: float = 0.05

    def to_frame(self) -> pd.DataFrame:
        return self.cells.copy()

    @renamed_parameters(bootstrap="n_resamples")
    def aggregate(
        self,
        kind: Aggregation = "simple",
        *,
        n_resamples: int = 0,
        seed: int | None = 0,
        progress: Progress | None = None,
    ) -> AggregatedEffects:
        """Average the group-time effects (Callaway & Sant'Anna 2021, section 3).

        ``simple``: all post-treatment cells weighted by cohort size; ``dynamic``: by event time
        ``e = t - g`` (pre-periods included as placebo leads); ``group``: each cohort's average
        post-treatment effect; ``calendar``: by period. Standard errors come from the influence
        function, including the estimation of the cohort-size weights; with ``n_resamples > 0``
        draws a multiplier bootstrap (Mammen weights, reproducible with ``seed``) gives standard
        errors and a simultaneous band.
        """
        return _aggregate(self, kind, n_resamples, seed, progress)

    def pretrend_test(self) -> PretrendTest:
        """Wald χ² test that all pre-treatment ATT(g, t) are zero."""
        pre = ~self.cells["post"].to_numpy()
        influence = self.influence[:, pre]
        n = influence.shape[0]
        vcov = influence.T @ influence / n**2
        theta = self.cells.loc[pre, "att"]
        return _wald(theta, pd.DataFrame(vcov, index=theta.index, columns=theta.index), None)

    def summary(self) -> str:
        simple = self.aggregate("simple")
        return f"{simple.summary()}\n{self.pretrend_test().summary()}"

    def plot(self) -> go.Figure:
        return self.aggregate("dynamic").plot()


@dataclass(frozen=True)
class AggregatedEffects(Result):
    """Aggregated ATT: an overall figure and (except ``simple``) one estimate per level."""

    kind: str
    overall: float
    overall_se: float
    estimates: pd.DataFrame  # index: level; att, std_error, lower, upper
    alpha: float = 0.05
    critical_value: float = float("nan")
    n_resamples: int = 0
    bootstrap = RenamedAttribute("n_resamples")

    def to_frame(self) -> pd.DataFrame:
        return self.estimates.reset_index()

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """The overall effect's interval (row ``"overall"``) and each level's, columns ``lower``
        and ``upper``. At the aggregation's own ``alpha`` the levels' band is the one it
        computed (simultaneous after a bootstrap); at another ``alpha`` it is pointwise normal.
        """
        z = stats.norm.ppf(1 - (self.alpha if alpha is None else alpha) / 2)
        if alpha is not None:
            check_alpha(alpha)
        overall = pd.DataFrame(
            {"lower": [self.overall - z * self.overall_se], "upper": [self.overall + z * self.overall_se]},
            index=["overall"],
        )
        if alpha is None or alpha == self.alpha:
            levels = self.estimates[["lower", "upper"]]
        else:
            att, se = self.estimates["att"], self.estimates["std_error"]
            levels = pd.DataFrame({"lower": att - z * se, "upper": att + z * se})
        return pd.concat([overall, levels.set_axis(list(levels.index), axis=0)])

    def summary(self) -> str:
        from levelscope.evaluate.verdict import estimate_verdict

        z = stats.norm.ppf(1 - self.alpha / 2)
        lo, hi = self.overall - z * self.overall_se, self.overall + z * self.overall_se
        p = 2 * stats.norm.sf(abs(self.overall / self.overall_se))
        head = (
            f"Callaway-Sant'Anna {self.kind} aggregation: ATT {significant(self.overall)} "
            f"(SE {significant(self.overall_se)})"
        )
        table = "" if self.kind == "simple" else "\n" + self.estimates.to_string(
            float_format=significant
        )
        return f"{head}{table}\n{estimate_verdict(self.overall, lo, hi, p)}"

    def plot(self) -> go.Figure:
        from levelscope.evaluate import plot

        e = self.estimates
        return plot.event_study(
            e.index.to_numpy(), e["att"].to_numpy(), e["lower"].to_numpy(), e["upper"].to_numpy(),
            reference=None,
            x_title="periods since adoption" if self.kind == "dynamic" else str(e.index.name),
        )


def callaway_santanna(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    cohort: str,
    control_group: Literal["never_treated", "not_yet_treated"] = "never_treated",
    base_period: Literal["varying", "universal"] = "varying",
    alpha: float = 0.05,
) -> GroupTimeEffects:
    """Group-time average treatment effects of Callaway & Sant'Anna (2021), unconditional
    parallel trends, balanced panel.

    Parameters
    ----------
    cohort:
        Column with each unit's first treated period (constant within unit); missing or
        infinite for never-treated units. Units treated in the first period are dropped (no
        pre-period), as in the R ``did`` package.
    control_group:
        ``"never_treated"`` or ``"not_yet_treated"`` (never treated, or first treated after
        both ``t`` and the base period).
    base_period:
        For pre-treatment cells: ``"varying"`` compares ``t`` with ``t - 1``; ``"universal"``
        compares with ``g - 1``. Post-treatment cells always use ``g - 1``.

    unit, time, outcome:
        Column names.
    alpha:
        For confidence intervals.

    Returns
    -------
    GroupTimeEffects
        Matches ``differences.ATTgt(...).fit(formula=outcome, est_method="reg")``.

    Examples
    --------
    >>> rows = [(u, year, u + (year - 2010) / 2 + 3.0 * (u < 2 and year >= 2016))
    ...         for u in range(6) for year in range(2010, 2020)]  # units 0 and 1 gain 3 from 2016
    >>> data = pd.DataFrame(rows, columns=["unit", "year", "outcome"])
    >>> data["cohort"] = np.where(data["unit"] < 2, 2016, np.nan)
    >>> effects = callaway_santanna(data, unit="unit", time="year", outcome="outcome", cohort="cohort")
    >>> round(float(effects.aggregate().overall), 6)
    3.0
    """
    frame = _clean(data, [unit, time, outcome], unit, cohort=cohort)
    if frame.groupby(unit)[cohort].nunique(dropna=False).max() > 1:
        raise DesignError(f"{cohort!r} must be constant within each unit")
    wide = frame.pivot(index=unit, columns=time, values=outcome)
    if wide.isna().to_numpy().any():
        raise DesignError(
            "the panel is unbalanced; Callaway-Sant'Anna here needs every unit in every period"
        )
    times = wide.columns.to_numpy(dtype=float)
    g = frame.groupby(unit)[cohort].first().reindex(wide.index).to_numpy(dtype=float)
    keep = ~(g <= times[0])
    y = wide.to_numpy(dtype=float)[keep]
    g = g[keep]
    n = len(g)
    cohorts = np.unique(g[np.isfinite(g)])
    if cohorts.size == 0:
        raise DesignError("no unit is treated after the first period")
    never = ~np.isfinite(g)
    if control_group == "never_treated" and not never.any():
        raise DesignError(
            "no never-treated units; use control_group='not_yet_treated'"
        )
    rows: list[dict[str, float | bool]] = []
    influence: list[FloatArray] = []
    for cg in cohorts:
        members = g == cg
        for ti, t in enumerate(times):
            post = t >= cg
            if post or base_period == "universal":
                base = times[times < cg].max() if (times < cg).any() else np.nan
            else:
                base = times[ti - 1] if ti > 0 else np.nan
            if np.isnan(base) or base == t:
                continue
            bi = int(np.searchsorted(times, base))
            if control_group == "never_treated":
                controls = never
            else:
                controls = never | (g > max(t, base))
                controls &= ~members
            if not controls.any():
                continue
            change = y[:, ti] - y[:, bi]
            att, psi = _two_group_did(change, members, controls, n)
            rows.append({"cohort": cg, "time": t, "base_period": base, "att": att, "post": post})
            influence.append(psi)
    psi_all = np.column_stack(influence)
    cells = pd.DataFrame(rows)
    cells["std_error"] = np.sqrt((psi_all**2).mean(axis=0) / n)
    cells = cells[["cohort", "time", "base_period", "att", "std_error", "post"]]
    shares = pd.Series([np.mean(g == c) for c in cohorts], index=cohorts, name="share")
    return GroupTimeEffects(
        cells=cells, influence=psi_all, cohort_share=shares, unit_cohort=g, control_group=control_group,
        alpha=alpha,
    )


def _two_group_did(
    change: FloatArray, members: NDArray[np.bool_], controls: NDArray[np.bool_], n: int
) -> tuple[float, FloatArray]:
    """Difference of mean changes and its influence function over all ``n`` units."""
    n_sub = int(members.sum() + controls.sum())
    treat_mean = change[members].mean()
    control_mean = change[controls].mean()
    p_treat = members.sum() / n_sub
    psi = np.zeros(n)
    psi[members] = (change[members] - treat_mean) / p_treat
    psi[controls] = -(change[controls] - control_mean) / (1 - p_treat)
    # Rescale from the (g, t) subsample to all units, as R's did does.
    return float(treat_mean - control_mean), psi * n / n_sub


def _aggregate(
    effects: GroupTimeEffects,
    kind: Aggregation,
    n_resamples: int,
    seed: int | None,
    progress: Progress | None,
) -> AggregatedEffects:
    cells = effects.cells
    att = cells["att"].to_numpy()
    psi = effects.influence
    n = psi.shape[0]
    cohort = cells["cohort"].to_numpy()
    t = cells["time"].to_numpy()
    post = cells["post"].to_numpy(dtype=bool)
    share = effects.cohort_share.reindex(cohort).to_numpy()
    unit_cohort = effects.unit_cohort

    def weighted(which: NDArray[np.bool_]) -> tuple[float, FloatArray]:
        w = share[which] / share[which].sum()
        wif = _weight_influence(unit_cohort, cohort[which], share[which])
        return float(w @ att[which]), psi[:, which] @ w + wif @ att[which]

    levels: list[tuple[float, float, FloatArray]] = []
    if kind == "simple":
        overall, overall_psi = weighted(post)
    elif kind == "dynamic":
        e = t - cohort
        for level in np.unique(e):
            est, ps = weighted(e == level)
            levels.append((level, est, ps))
        post_levels = [(est, ps) for level, est, ps in levels if level >= 0]
        overall = float(np.mean([est for est, _ in post_levels]))
        overall_psi = np.mean([ps for _, ps in post_levels], axis=0)
    elif kind == "group":
        for c in np.unique(cohort):
            which = (cohort == c) & post
            if which.any():
                levels.append((c, float(att[which].mean()), psi[:, which].mean(axis=1)))
        groups = np.array([lv for lv, _, _ in levels])
        w = effects.cohort_share.reindex(groups).to_numpy()
        w = w / w.sum()
        theta = np.array([est for _, est, _ in levels])
        overall = float(w @ theta)
        group_psi = np.column_stack([ps for _, _, ps in levels])
        group_share = effects.cohort_share.reindex(groups).to_numpy()
        wif = _weight_influence(unit_cohort, groups, group_share)
        overall_psi = group_psi @ w + wif @ theta
    elif kind == "calendar":
        for period in np.unique(t[post]):
            est, ps = weighted(post & (t == period))
            levels.append((period, est, ps))
        overall = float(np.mean([est for _, est, _ in levels]))
        overall_psi = np.mean([ps for _, _, ps in levels], axis=0)
    else:
        raise ValueError(f"kind must be simple, dynamic, group or calendar; not {kind!r}")
    columns = [overall_psi, *(ps for _, _, ps in levels)]
    matrix = np.column_stack(columns)
    se = np.sqrt((matrix**2).mean(axis=0) / n)
    z = stats.norm.ppf(1 - effects.alpha / 2)
    critical = z
    if n_resamples:
        se, critical = _multiplier_bootstrap(matrix, n_resamples, effects.alpha, seed, progress)
    name = {"dynamic": "event_time", "group": "cohort", "calendar": "time"}.get(kind, "level")
    estimates = pd.DataFrame(
        {
            "att": [est for _, est, _ in levels],
            "std_error": se[1:],
        },
        index=pd.Index([lv for lv, _, _ in levels], name=name),
    )
    estimates["lower"] = estimates["att"] - critical * estimates["std_error"]
    estimates["upper"] = estimates["att"] + critical * estimates["std_error"]
    return AggregatedEffects(
        kind=kind,
        overall=overall,
        overall_se=float(se[0]),
        estimates=estimates,
        alpha=effects.alpha,
        critical_value=float(critical),
        n_resamples=n_resamples,
        provenance=effects.provenance.with_seed(seed) if n_resamples else effects.provenance,
    )


def _weight_influence(
    unit_cohort: FloatArray, cell_cohort: FloatArray, cell_share: FloatArray
) -> FloatArray:
    """Influence function of cohort-share weights ``share_k / sum(share)`` estimated from the
    sample (R did's ``wif``): ``(n_units, n_cells)``."""
    membership = (unit_cohort[:, None] == cell_cohort[None, :]).astype(float)
    centred = membership - cell_share[None, :]
    total = cell_share.sum()
    return centred / total - np.outer(centred.sum(axis=1), cell_share / total**2)


def _multiplier_bootstrap(
    matrix: FloatArray, draws: int, alpha: float, seed: int | None, progress: Progress | None
) -> tuple[FloatArray, float]:
    """Mammen multiplier bootstrap of the influence functions (Callaway & Sant'Anna 2021,
    section 4). Returns standard errors from the bootstrap interquartile range, and the
    critical value of a simultaneous band over the columns after the first (the overall
    figure's column is excluded from the band)."""
    rng = np.random.default_rng(seed)
    n = matrix.shape[0]
    root5 = np.sqrt(5.0)
    low, high = (1 - root5) / 2, (1 + root5) / 2
    p_low = (root5 + 1) / (2 * root5)
    out = np.empty((draws, matrix.shape[1]))
    chunk = 200
    for lo in range(0, draws, chunk):
        hi = min(lo + chunk, draws)
        weights = np.where(rng.random((hi - lo, n)) < p_low, low, high)
        out[lo:hi] = weights @ matrix / np.sqrt(n)
        if progress:
            progress(hi, draws)
    q75, q25 = np.quantile(out, [0.75, 0.25], axis=0, method="inverted_cdf")
    sigma = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    critical = float(stats.norm.ppf(1 - alpha / 2))
    levels = sigma[1:] > 0
    if levels.any():
        t_max = np.abs(out[:, 1:][:, levels] / sigma[1:][levels]).max(axis=1)
        critical = float(np.quantile(t_max, 1 - alpha, method="inverted_cdf"))
    return sigma / np.sqrt(n), critical
