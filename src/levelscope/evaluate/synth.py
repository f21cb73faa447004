"""Synthetic control (Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010, 2015).

The treated unit's outcome without the policy is estimated by a weighted average of untreated
*donor* units. The donor weights ``W`` (non-negative, summing to one) make the synthetic unit
match the treated unit's *predictors* — period averages of the outcome and covariates before the
policy — weighted by their importance ``V``:

    W(V) = argmin_W (X1 - X0 W)' V (X1 - X0 W),    W >= 0, sum(W) = 1

and ``V`` (diagonal, non-negative, summing to one) is chosen so that the synthetic unit tracks
the treated unit's outcome over the *fit periods*:

    V* = argmin_V  mean_t (Z1_t - Z0_t W(V))²

Predictors are scaled by their standard deviation across the units in the problem first, as
R's Synth does. The effect in each period is the gap between actual and synthetic outcomes.

Inference is by placebos (:func:`placebo_in_space`): refit with each donor as if it were treated.
The p-value is the share of units whose post/pre ratio of root mean squared prediction error
(RMSPE) is at least the treated unit's (Abadie, Diamond & Hainmueller 2010, 2015).

The design (predictors, the choice of ``V``) is described in :mod:`levelscope.evaluate.synth_design`
and the numerical problems are solved in :mod:`levelscope.evaluate._synth_solver`; this module
checks designs, fits them and runs the placebos.

References
----------
Abadie, A. & Gardeazabal, J. (2003). The economic costs of conflict: a case study of the Basque
Country. *American Economic Review* 93(1), 113-132.
Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods for comparative case
studies. *JASA* 105(490), 493-505.
Abadie, A., Diamond, A. & Hainmueller, J. (2015). Comparative politics and the synthetic control
method. *American Journal of Political Science* 59(2), 495-510.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray

from levelscope.evaluate._synth_solver import predictor_values, problem, solve_many
from levelscope.evaluate.panel import Balance, DesignError, Panel, long_panel
from levelscope.evaluate.synth_design import (
    MIN_DONORS,
    CrossValidation,
    Predictor,
    Progress,
    SynthDesign,
    VChoice,
    as_predictor,
    fmt_period,
)
from levelscope.formatting import significant
from levelscope.results import Result


@dataclass(frozen=True)
class SyntheticControl(Result):
    """A fitted synthetic control.

    Attributes
    ----------
    treated, start:
        The treated unit and the first treated period.
    weights:
        Donor weights (index: donor), summing to one.
    v:
        Predictor weights (index: predictor label), summing to one.
    balance:
        Each predictor for the treated unit, its synthetic control and the donors' mean.
    actual, synthetic:
        Outcome paths over all periods (index: time).
    fit_mspe:
        Mean squared outcome error over the fit periods (Synth's ``loss.v``).
    pre_rmspe, post_rmspe:
        Root mean squared gap before and from ``start``.
    """

    treated: Hashable
    start: float
    outcome: str
    weights: pd.Series
    v: pd.Series
    balance: pd.DataFrame
    actual: pd.Series
    synthetic: pd.Series
    fit_mspe: float
    pre_rmspe: float
    post_rmspe: float
    design: SynthDesign = field(repr=False, compare=False)

    @property
    def gap(self) -> pd.Series:
        """Actual minus synthetic outcome in each period: the estimated effect after ``start``."""
        return (self.actual - self.synthetic).rename("gap")

    @property
    def effect(self) -> float:
        """Average gap over the post-treatment periods."""
        return float(self.gap[self.gap.index >= self.start].mean())

    @property
    def rmspe_ratio(self) -> float:
        """Post/pre RMSPE ratio, the placebo test statistic."""
        return _ratio(self.post_rmspe, self.pre_rmspe)

    def to_frame(self) -> pd.DataFrame:
        times = self.actual.index
        return pd.DataFrame(
            {
                "time": times,
                "actual": self.actual.to_numpy(),
                "synthetic": self.synthetic.to_numpy(),
                "gap": self.gap.to_numpy(),
                "post": times >= self.start,
            }
        )

    def summary(self) -> str:
        from levelscope.evaluate.verdict import synth_verdict

        shown = self.weights[self.weights >= 0.001].sort_values(ascending=False)
        weights = "\n".join(f"  {name}: {w:.3f}" for name, w in shown.items())
        v = "\n".join(f"  {name}: {w:.3f}" for name, w in self.v.sort_values(ascending=False).items())
        return (
            f"Synthetic control for {self.treated} ({self.outcome}), "
            f"treated from {fmt_period(self.start)}\n"
            f"Donor weights (>= 0.001):\n{weights}\nPredictor weights V:\n{v}\n"
            f"Pre-period RMSPE {significant(self.pre_rmspe)}; "
            f"post-period RMSPE {significant(self.post_rmspe)}; "
            f"average post-period gap {significant(self.effect)}\n{synth_verdict(self)}"
        )

    def plot(self, kind: Literal["paths", "gap"] = "paths") -> go.Figure:
        """Actual against synthetic outcome (``"paths"``) or their difference (``"gap"``)."""
        from levelscope.evaluate import plot

        return plot.synth_paths(self) if kind == "paths" else plot.synth_gap(self)


@dataclass(frozen=True)
class PlaceboTest(Result):
    """In-space placebos: every donor refitted as if it had been treated.

    Attributes
    ----------
    gaps:
        Gap paths (index: time; columns: units, the treated unit first).
    pre_rmspe, post_rmspe, ratio:
        Per unit (index: unit).
    p_value:
        Share of units (treated included) whose post/pre RMSPE ratio is at least the treated
        unit's: ``#{j: ratio_j >= ratio_treated} / (J + 1)``.
    rank:
        The treated unit's rank by ratio (1 = largest).
    """

    treated: Hashable
    start: float
    gaps: pd.DataFrame
    pre_rmspe: pd.Series
    post_rmspe: pd.Series
    ratio: pd.Series
    p_value: float
    rank: int

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            {"pre_rmspe": self.pre_rmspe, "post_rmspe": self.post_rmspe, "ratio": self.ratio}
        )
        frame["treated"] = frame.index == self.treated
        frame.index.name = "unit"
        return frame.sort_values("ratio", ascending=False).reset_index()

    def summary(self) -> str:
        n = len(self.ratio)
        return (
            f"In-space placebo test for {self.treated}: post/pre RMSPE ratio "
            f"{significant(_at(self.ratio, self.treated), 3)}, rank {self.rank} of {n}, "
            f"p-value {self.p_value:.3f} "
            f"(smallest possible with {n} units: {1 / n:.3f})"
        )

    def plot(self, max_pre_mspe_ratio: float | None = 5.0) -> go.Figure:
        """Spaghetti plot of placebo gaps; placebos fitting much worse before ``start`` than the
        treated unit (pre-MSPE above ``max_pre_mspe_ratio`` times its) are left out, as in
        Abadie, Diamond & Hainmueller (2010, figure 5). ``None`` keeps all."""
        from levelscope.evaluate import plot

        return plot.placebo_spaghetti(self, max_pre_mspe_ratio)


@dataclass(frozen=True)
class LeaveOneOut(Result):
    """The synthetic control refitted leaving out, in turn, each donor with positive weight."""

    baseline: SyntheticControl = field(repr=False)
    synthetic: pd.DataFrame  # index: time; columns: left-out donor
    effects: pd.Series  # average post gap per left-out donor

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"left_out": self.effects.index, "effect": self.effects.to_numpy()}
        )

    def summary(self) -> str:
        lo, hi = self.effects.min(), self.effects.max()
        return (
            f"Leave-one-out for {self.baseline.treated}: average post gap "
            f"{significant(self.baseline.effect)} with all donors; {significant(lo)} to {significant(hi)} "
            f"leaving out one of {len(self.effects)} donors with positive weight"
        )

    def plot(self) -> go.Figure:
        from levelscope.evaluate import plot

        return plot.leave_one_out(self)


# --------------------------------------------------------------------------------------------
# Fitting


def synthetic_control(
    data: pd.DataFrame | Panel,
    *,
    treated: Hashable,
    start: float,
    unit: str = "unit",
    time: str = "time",
    outcome: str = "outcome",
    donors: Sequence[Hashable] | None = None,
    predictors: Sequence[str | Predictor] | None = None,
    predictor_periods: Sequence[float] | range | None = None,
    fit_periods: Sequence[float] | range | None = None,
    v: VChoice = "optimize",
    balance: Balance = "error",
) -> SyntheticControl:
    """Fit a synthetic control for one treated unit.

    Parameters
    ----------
    data:
        Long table (one row per unit and period) or a :class:`Panel`.
    treated:
        The treated unit's label.
    start:
        First period affected by the policy; earlier periods are the pre-period.
    unit, time, outcome:
        Column names when ``data`` is a table.
    donors:
        Candidate comparison units; default every other unit. Must not include ``treated``.
    predictors:
        Variables averaged over ``predictor_periods`` (strings) or :class:`Predictor` s with their
        own periods. Default: the outcome in every pre-period, one predictor each, with ``V``
        equal (then the fit is simply to the pre-period path).
    predictor_periods:
        Default periods for string predictors; default all pre-periods.
    fit_periods:
        Periods whose outcome ``V`` is chosen to reproduce; default all pre-periods.
    v:
        ``"optimize"`` (nested optimisation, the default), ``"equal"``, fixed weights (one per
        predictor), or a :class:`CrossValidation`.
    balance:
        Rule for gaps in the outcome, see :func:`~levelscope.evaluate.panel.long_panel`.

    Returns
    -------
    SyntheticControl

    Raises
    ------
    DesignError
        No pre-period or post-period, treated unit among the donors, fewer than two donors,
        a predictor constant across units or perfectly collinear with others, a predictor or fit
        period not before ``start``.

    Examples
    --------
    Unit ``A`` follows the average of ``B`` and ``D`` until 2016, then runs 3 above it:

    >>> t = np.arange(10.0)
    >>> paths = {"B": 10 + t, "C": 12 + t / 2, "D": 8 + 1.5 * t + t**2 / 10, "E": 11 + 0.8 * t}
    >>> paths["A"] = (paths["B"] + paths["D"]) / 2 + 3.0 * (t >= 6)  # 3 more from 2016 on
    >>> data = pd.DataFrame([(u, 2010 + i, y) for u, path in paths.items() for i, y in enumerate(path)],
    ...                     columns=["unit", "time", "outcome"])
    >>> sc = synthetic_control(data, treated="A", start=2016)
    >>> sc.weights.round(3).to_dict()
    {'B': 0.5, 'C': 0.0, 'D': 0.5, 'E': 0.0}
    >>> round(float(sc.effect), 3)
    3.0
    """
    covariates = _covariates_needed(predictors, v, outcome)
    panel = (
        data
        if isinstance(data, Panel)
        else long_panel(
            data, unit=unit, time=time, outcome=outcome, covariates=covariates, balance=balance
        )
    )
    design = make_design(
        panel,
        treated=treated,
        start=start,
        donors=donors,
        predictors=predictors,
        predictor_periods=predictor_periods,
        fit_periods=fit_periods,
        v=v,
    )
    return fit_design(design)


def _covariates_needed(
    predictors: Sequence[str | Predictor] | None, v: VChoice, outcome: str
) -> list[str]:
    names: list[str] = []
    specs: list[str | Predictor] = list(predictors or [])
    if isinstance(v, CrossValidation):
        specs += list(v.predictors)
    for p in specs:
        name = p if isinstance(p, str) else p.variable
        if name != outcome and name not in names:
            names.append(name)
    return names


def make_design(
    panel: Panel,
    *,
    treated: Hashable,
    start: float,
    donors: Sequence[Hashable] | None = None,
    predictors: Sequence[str | Predictor] | None = None,
    predictor_periods: Sequence[float] | range | None = None,
    fit_periods: Sequence[float] | range | None = None,
    v: VChoice = "optimize",
) -> SynthDesign:
    """Check a synthetic-control design against its panel; see :func:`synthetic_control`."""
    panel.unit_index(treated)
    start = float(start)
    pre = panel.times[panel.times < start]
    if pre.size == 0:
        raise DesignError(
            f"no pre-period: start {fmt_period(start)} is not after the first period "
            f"{fmt_period(panel.times[0])}"
        )
    if not (panel.times >= start).any():
        raise DesignError(
            f"no post-period: start {fmt_period(start)} is after the last period "
            f"{fmt_period(panel.times[-1])}"
        )
    if donors is None:
        donor_list = tuple(u for u in panel.units if u != treated)
    else:
        donor_list = tuple(donors)
        if treated in donor_list:
            raise DesignError(f"the treated unit {treated!r} is among the donors; remove it")
        for d in donor_list:
            panel.unit_index(d)
        if len(set(donor_list)) != len(donor_list):
            raise DesignError("a donor is listed twice")
    if len(donor_list) < MIN_DONORS:
        raise DesignError(
            f"too few donors: {len(donor_list)}; a synthetic control needs at least {MIN_DONORS}"
        )
    default_periods = tuple(float(p) for p in (pre if predictor_periods is None else predictor_periods))
    if predictors is None:
        specs = tuple(Predictor(panel.outcome_name, (float(t),)) for t in pre)
        if v == "optimize":
            v = "equal"
    else:
        specs = tuple(as_predictor(p, default_periods) for p in predictors)
    fit = tuple(float(p) for p in (pre if fit_periods is None else fit_periods))
    _check_before(fit, start, "fit")
    for spec in specs:
        _check_before(spec.periods or (), start, f"predictor {spec.label()!r}")
    if isinstance(v, CrossValidation):
        _check_before(v.fit_periods, start, "cross-validation fit")
        if len(v.predictors) != len(specs):
            raise DesignError(
                f"cross-validation has {len(v.predictors)} predictors but the design has "
                f"{len(specs)}; they must correspond one to one"
            )
    elif not isinstance(v, str):
        if len(v) != len(specs) or min(v) < 0 or sum(v) <= 0:
            raise DesignError(
                f"v must hold {len(specs)} non-negative weights, not all zero; got {list(v)}"
            )
    elif v not in ("optimize", "equal"):
        raise DesignError(f"v must be 'optimize', 'equal', weights or CrossValidation; got {v!r}")
    design = SynthDesign(panel, treated, donor_list, start, specs, fit, v)
    problem(design, design.treated, design.donors)  # validates predictors up front
    return design


def _check_before(periods: Sequence[float], start: float, what: str) -> None:
    if not periods:
        raise DesignError(f"{what} periods are empty")
    late = [p for p in periods if p >= start]
    if late:
        raise DesignError(
            f"{what} periods {', '.join(map(fmt_period, late))} are not before the start "
            f"{fmt_period(start)}; the policy could already have affected them"
        )


def fit_design(design: SynthDesign) -> SyntheticControl:
    """Fit a checked :class:`SynthDesign`."""
    (v, w, fit_mspe), = solve_many(design, [(design.treated, design.donors)])
    return _result(design, v, w, fit_mspe)


def _result(
    design: SynthDesign, v: NDArray[np.float64], w: NDArray[np.float64], fit_mspe: float
) -> SyntheticControl:
    panel = design.panel
    t_row = panel.unit_index(design.treated)
    d_rows = [panel.unit_index(d) for d in design.donors]
    actual = panel.outcome[t_row]
    synthetic = w @ panel.outcome[d_rows]
    raw = predictor_values(panel, design.predictors, [t_row, *d_rows])
    labels = [p.label() for p in design.predictors]
    balance = pd.DataFrame(
        {"treated": raw[:, 0], "synthetic": raw[:, 1:] @ w, "donor_mean": raw[:, 1:].mean(axis=1)},
        index=pd.Index(labels, name="predictor"),
    )
    pre = panel.times < design.start
    times = pd.Index(panel.times, name=panel.time_name)
    return SyntheticControl(
        treated=design.treated,
        start=design.start,
        outcome=panel.outcome_name,
        weights=pd.Series(w, index=pd.Index(design.donors, name="donor"), name="weight"),
        v=pd.Series(v, index=pd.Index(labels, name="predictor"), name="v"),
        balance=balance,
        actual=pd.Series(actual, index=times, name="actual"),
        synthetic=pd.Series(synthetic, index=times, name="synthetic"),
        fit_mspe=fit_mspe,
        pre_rmspe=_rmspe(actual[pre] - synthetic[pre]),
        post_rmspe=_rmspe(actual[~pre] - synthetic[~pre]),
        design=design,
    )


def _rmspe(gap: NDArray[np.float64]) -> float:
    return float(np.sqrt(np.mean(gap**2)))


def _ratio(post: float, pre: float) -> float:
    if pre == 0.0:
        # A perfect pre-period fit makes any post-period gap infinitely surprising.
        return np.inf if post > 0 else 1.0
    return post / pre


# --------------------------------------------------------------------------------------------
# Robustness and inference


def placebo_in_space(result: SyntheticControl, *, progress: Progress | None = None) -> PlaceboTest:
    """Refit with each donor as the treated unit (the real treated unit left out of the donors).

    Parameters
    ----------
    result:
        The fitted synthetic control.
    progress:
        Optional ``progress(done, total)`` callback.

    Returns
    -------
    PlaceboTest
        Gap paths, RMSPEs and the post/pre RMSPE-ratio p-value.

    Examples
    --------
    >>> t = np.arange(10.0)
    >>> paths = {"B": 10 + t, "C": 12 + t / 2, "D": 8 + 1.5 * t + t**2 / 10, "E": 11 + 0.8 * t}
    >>> paths["A"] = (paths["B"] + paths["D"]) / 2 + 3.0 * (t >= 6)  # 3 more from 2016 on
    >>> data = pd.DataFrame([(u, 2010 + i, y) for u, path in paths.items() for i, y in enumerate(path)],
    ...                     columns=["unit", "time", "outcome"])
    >>> placebos = placebo_in_space(synthetic_control(data, treated="A", start=2016))
    >>> int(placebos.rank), round(float(placebos.p_value), 3)  # the smallest p-value 5 units allow
    (1, 0.2)
    """
    design = result.design
    if len(design.donors) < MIN_DONORS + 1:
        raise DesignError(
            f"placebos need at least {MIN_DONORS + 1} donors (each placebo keeps the others as "
            f"its donors); there are {len(design.donors)}"
        )
    jobs = [(d, tuple(o for o in design.donors if o != d)) for d in design.donors]
    fits = solve_many(design, jobs, progress)
    panel = design.panel
    gaps = {design.treated: result.gap.to_numpy()}
    for (unit, donors), (_, w, _) in zip(jobs, fits, strict=True):
        rows = [panel.unit_index(d) for d in donors]
        gaps[unit] = panel.outcome[panel.unit_index(unit)] - w @ panel.outcome[rows]
    gap_frame = pd.DataFrame(gaps, index=result.actual.index)
    pre = gap_frame.index < design.start
    pre_rmspe = np.sqrt((gap_frame[pre] ** 2).mean())
    post_rmspe = np.sqrt((gap_frame[~pre] ** 2).mean())
    ratio = pd.Series(
        [_ratio(post_rmspe[u], pre_rmspe[u]) for u in gap_frame.columns], index=gap_frame.columns
    )
    treated_ratio = _at(ratio, design.treated)
    at_least = int((ratio >= treated_ratio * (1 - 1e-12)).sum())
    return PlaceboTest(
        treated=design.treated,
        start=design.start,
        gaps=gap_frame,
        pre_rmspe=pre_rmspe,
        post_rmspe=post_rmspe,
        ratio=ratio,
        p_value=at_least / len(ratio),
        rank=int((ratio > treated_ratio).sum()) + 1,
        provenance=result.provenance,
    )


def placebo_in_time(
    result: SyntheticControl,
    start: float,
    *,
    predictors: Sequence[str | Predictor] | None = None,
    fit_periods: Sequence[float] | range | None = None,
) -> SyntheticControl:
    """Refit as if the policy had started at an earlier ``start`` ("backdating").

    Only periods before the real start are used, so a large gap between the fake and the real
    start would cast doubt on the design. Predictor and fit periods are cut back to before the
    fake start unless new ones are given.

    Parameters
    ----------
    result
        The fitted synthetic control.
    start
        The fake start, before the real one.
    predictors, fit_periods
        As :func:`synthetic_control`; default the result's, cut back to before ``start``.

    Returns
    -------
    SyntheticControl
        The refit on the periods before the real start; its ``effect`` should be near zero.

    Examples
    --------
    >>> t = np.arange(10.0)
    >>> paths = {"B": 10 + t, "C": 12 + t / 2, "D": 8 + 1.5 * t + t**2 / 10, "E": 11 + 0.8 * t}
    >>> paths["A"] = (paths["B"] + paths["D"]) / 2 + 3.0 * (t >= 6)  # 3 more from 2016 on
    >>> data = pd.DataFrame([(u, 2010 + i, y) for u, path in paths.items() for i, y in enumerate(path)],
    ...                     columns=["unit", "time", "outcome"])
    >>> backdated = placebo_in_time(synthetic_control(data, treated="A", start=2016), 2013)
    >>> abs(round(float(backdated.effect), 3))
    0.0
    """
    design = result.design
    start = float(start)
    if start >= design.start:
        raise DesignError(
            f"an in-time placebo must start before the real start {fmt_period(design.start)}"
        )
    panel = design.panel
    keep = panel.times < design.start
    truncated = replace(
        panel,
        times=panel.times[keep],
        outcome=panel.outcome[:, keep],
        covariates={k: m[:, keep] for k, m in panel.covariates.items()},
    )
    specs: list[str | Predictor]
    if predictors is not None:
        specs = list(predictors)
    else:
        cut = [
            Predictor(p.variable, tuple(t for t in (p.periods or ()) if t < start))
            for p in design.predictors
        ]
        lost = [p.label() for p, c in zip(design.predictors, cut, strict=True) if not c.periods]
        if _is_default_path(design):
            # The default design has one predictor per pre-period: keep those before the fake start.
            specs = [c for c in cut if c.periods]
        elif lost:
            raise DesignError(
                f"predictors {lost} have no periods before the placebo start {fmt_period(start)}; "
                "pass predictors= measured before it"
            )
        else:
            specs = list(cut)
    fit = (
        tuple(fit_periods)
        if fit_periods is not None
        else tuple(t for t in design.fit_periods if t < start) or None
    )
    v = design.v if not isinstance(design.v, CrossValidation) else "optimize"
    new = make_design(
        truncated,
        treated=design.treated,
        start=start,
        donors=design.donors,
        predictors=specs,
        fit_periods=fit,
        v=v,
    )
    return fit_design(new)


def leave_one_out(
    result: SyntheticControl, *, threshold: float = 1e-3, progress: Progress | None = None
) -> LeaveOneOut:
    """Refit leaving out, one at a time, each donor whose weight is at least ``threshold``
    (Abadie, Diamond & Hainmueller 2015, figure 4).

    Parameters
    ----------
    result
        The fitted synthetic control.
    threshold
        Smallest donor weight that counts as a donor used.
    progress
        Optional ``progress(done, total)`` callback.

    Returns
    -------
    LeaveOneOut
        Each refit's synthetic path and average post-period effect, by the donor left out.

    Examples
    --------
    >>> t = np.arange(10.0)
    >>> paths = {"B": 10 + t, "C": 12 + t / 2, "D": 8 + 1.5 * t + t**2 / 10, "E": 11 + 0.8 * t}
    >>> paths["A"] = (paths["B"] + paths["D"]) / 2 + 3.0 * (t >= 6)  # 3 more from 2016 on
    >>> data = pd.DataFrame([(u, 2010 + i, y) for u, path in paths.items() for i, y in enumerate(path)],
    ...                     columns=["unit", "time", "outcome"])
    >>> loo = leave_one_out(synthetic_control(data, treated="A", start=2016))
    >>> loo.effects.round(1).to_dict()
    {'B': 2.6, 'D': 6.8}
    """
    design = result.design
    chosen = [d for d, w in result.weights.items() if w >= threshold]
    jobs = [(design.treated, tuple(o for o in design.donors if o != d)) for d in chosen]
    if any(len(donors) < MIN_DONORS for _, donors in jobs):
        raise DesignError("too few donors to leave one out")
    panel = design.panel
    paths: dict[Any, NDArray[np.float64]] = {}
    effects: dict[Any, float] = {}
    post = panel.times >= design.start
    actual = result.actual.to_numpy()
    for done, (left_out, (_, donors)) in enumerate(zip(chosen, jobs, strict=True), 1):
        smaller = replace(design, donors=donors)
        (_, w, _), = solve_many(smaller, [(design.treated, donors)])
        rows = [panel.unit_index(d) for d in donors]
        paths[left_out] = w @ panel.outcome[rows]
        effects[left_out] = float(np.mean(actual[post] - paths[left_out][post]))
        if progress:
            progress(done, len(jobs))
    return LeaveOneOut(
        baseline=result,
        synthetic=pd.DataFrame(paths, index=result.actual.index),
        effects=pd.Series(effects, name="effect"),
        provenance=result.provenance,
    )


def _at(series: pd.Series, label: Hashable) -> float:
    """``series[label]`` as a float (labels here are unit names of any hashable type)."""
    return float(series.to_dict()[label])


def _is_default_path(design: SynthDesign) -> bool:
    """Whether the design uses the default predictors: the outcome in each pre-period."""
    return all(
        p.variable == design.panel.outcome_name and p.periods is not None and len(p.periods) == 1
        for p in design.predictors
    ) and len(design.predictors) == design.pre_times.size
