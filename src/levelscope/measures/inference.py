"""Uncertainty for inequality measures: bootstrap intervals and a permutation test.

Both draw all replications as one batch. A bootstrap resample is a vector of multiplicities, so
it is evaluated as the measure under weights ``w_i * c_i`` with the same kernel that gives the
point estimate (valid because weighted measures equal the measure of the replicated data). A
permutation of group labels is applied to all replications at once with ``numpy.bincount``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numba
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

from levelscope.deprecation import RenamedAttribute, renamed_parameters
from levelscope.errors import UndefinedMeasureError
from levelscope.measures._resample import COMPILED, resampled_measures
from levelscope.measures._validation import FloatArray, Sample
from levelscope.measures.decompose import decompose, grouped_sample
from levelscope.measures.inequality import MEASURES, Measure, MeasureSpec, parse_measure
from levelscope.results import Result, check_alpha, seeded

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Largest number of matrix cells (replications x observations) evaluated in one batch.
BATCH_CELLS = 4_000_000


@dataclass(frozen=True, repr=False)
class BootstrapResult(Result):
    """A measure's point estimate with a bootstrap confidence interval ``[lower, upper]`` of
    coverage ``1 - alpha``."""

    measure: str
    estimate: float
    lower: float
    upper: float
    alpha: float
    method: str
    std_error: float
    n_resamples: int
    distribution: FloatArray = field(repr=False, compare=False)
    low = RenamedAttribute("lower")
    high = RenamedAttribute("upper")
    confidence = RenamedAttribute("alpha", lambda alpha: 1 - alpha)
    standard_error = RenamedAttribute("std_error")

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """The interval as a one-row frame with columns ``lower`` and ``upper``.

        ``alpha`` defaults to the one the bootstrap ran with; another level is read from the
        same resamples for the percentile method (the BCa interval needs a new run).
        """
        if alpha is None or alpha == self.alpha:
            return pd.DataFrame({"lower": [self.lower], "upper": [self.upper]}, index=[self.measure])
        check_alpha(alpha)
        if self.method != "percentile":
            raise ValueError("a BCa interval at another alpha needs a new run: bootstrap(..., alpha=)")
        lower, upper = np.quantile(self.distribution, [alpha / 2, 1 - alpha / 2])
        return pd.DataFrame({"lower": [float(lower)], "upper": [float(upper)]}, index=[self.measure])

    def plot(self) -> go.Figure:
        """Histogram of the bootstrap distribution with the estimate and the interval."""
        from levelscope.measures.plot import distribution_figure

        return distribution_figure(
            self.distribution,
            observed=self.estimate,
            bounds=(self.lower, self.upper),
            title=f"Bootstrap distribution of {self.measure}",
        )


@renamed_parameters(ci=("alpha", lambda ci: 1 - ci))
def bootstrap(
    values: ArrayLike,
    measure: str | MeasureSpec = "gini",
    weights: ArrayLike | None = None,
    groups: ArrayLike | None = None,
    n_resamples: int = 999,
    alpha: float = 0.05,
    method: Literal["percentile", "bca"] = "percentile",
    seed: int | np.random.Generator | None = 0,
) -> BootstrapResult:
    """Bootstrap confidence interval for any measure in :data:`MEASURES`.

    Observations (regions, with their weights) are resampled with replacement; with ``groups``
    the resampling is stratified, each group keeping its number of observations.

    Parameters
    ----------
    values, weights
        One value (and optional frequency weight) per region.
    measure
        A name or spec as read by :func:`~levelscope.measures.inequality.parse_measure`,
        e.g. ``"gini"`` or ``"atkinson(epsilon=1)"``.
    groups
        A group per value: resample within groups (stratified), each keeping its size.
    n_resamples
        Number of bootstrap resamples.
    alpha
        The two-sided interval has coverage ``1 - alpha``.
    method
        ``"percentile"``, or ``"bca"`` for the bias-corrected and accelerated interval
        (Efron & Tibshirani 1993, sec. 14.3; acceleration from the jackknife, eq. 14.15).
    seed
        Seed or generator; the same seed gives the same interval (fixed by default). Without
        groups the resamples are the ones ``scipy.stats.bootstrap`` draws from the same seed.

    Returns
    -------
    BootstrapResult
        The estimate, the interval (``lower``, ``upper``; also ``conf_int()``), the standard
        error and the resampled distribution; the seed is in its provenance.

    Examples
    --------
    >>> result = bootstrap([3, 1, 4, 1, 5, 9, 2, 6], "gini", n_resamples=200, seed=1)
    >>> result.lower < result.estimate < result.upper
    True
    """
    spec = parse_measure(measure)
    if n_resamples < 2:
        raise ValueError(f"n_resamples must be at least 2, got {n_resamples}")
    check_alpha(alpha)
    if method not in ("percentile", "bca"):
        raise ValueError(f"method must be 'percentile' or 'bca', got {method!r}")
    m, params = spec.measure, spec.params
    sample = m.prepare(values, weights, params)
    n = sample.values.size
    order = np.argsort(sample.values, kind="stable") if m.needs_sorted else np.arange(n)
    y, w = sample.values[order], sample.weights[order]
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n)
    strata = None if groups is None else _strata(groups, sample.positions, n)

    estimate = float(m.check_result(m.kernel(y, w[None, :], **params))[0])
    rng = np.random.default_rng(seed)
    distribution = np.empty(n_resamples)
    batch = max(1, BATCH_CELLS // n)
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        draws = rank[_draw_indices(rng, n, size, strata)]
        distribution[start : start + size] = m.kernel(y, _counts(draws, n) * w, **params)
    if not np.all(np.isfinite(distribution)):
        bad = int(np.sum(~np.isfinite(distribution)))
        raise UndefinedMeasureError(
            f"{spec.label} is undefined in {bad} of {n_resamples} resamples: {m.undefined_when}"
        )

    tail = alpha / 2
    levels = np.array([tail, 1 - tail])
    if method == "bca":
        levels = _bca_levels(estimate, distribution, _jackknife(m, params, y, w), tail)
    lower, upper = np.quantile(distribution, levels)
    return BootstrapResult(
        measure=spec.label,
        estimate=estimate,
        lower=float(lower),
        upper=float(upper),
        alpha=alpha,
        method=method,
        std_error=float(np.std(distribution, ddof=1)),
        n_resamples=n_resamples,
        distribution=distribution,
        provenance=seeded(seed),
    )


def bootstrap_measures(
    values: ArrayLike,
    measures: tuple[str | MeasureSpec, ...] | list[str | MeasureSpec] = ("gini", "theil"),
    weights: ArrayLike | None = None,
    groups: ArrayLike | None = None,
    *,
    decompose_by: ArrayLike | None = None,
    decomposition: Literal["theil", "mld"] = "theil",
    n_resamples: int = 999,
    alpha: float = 0.05,
    seed: int | np.random.Generator | None = 0,
) -> dict[str, BootstrapResult]:
    """Percentile bootstrap intervals for several measures from the same resamples.

    Each resample is drawn exactly as :func:`bootstrap` draws it (stratified by ``groups`` when
    given) and every measure is evaluated on it by its own kernel, so the intervals of, say, the
    Gini and the Theil index come from the same resampled regions; for a single measure the
    result equals ``bootstrap(values, measure, weights, groups, ...)``. Values are validated once,
    by the strictest rule any of the measures needs.

    Parameters
    ----------
    values, weights
        One value (and optional frequency weight) per region.
    measures
        Names or specs as read by :func:`~levelscope.measures.inequality.parse_measure`.
    groups
        A label per value; resampling keeps each group's number of observations.
    decompose_by, decomposition
        A label per value, to add the between-group and within-group parts of
        ``decomposition`` (``"theil"`` or ``"mld"``; :func:`~levelscope.measures.decompose.decompose`)
        under ``"<decomposition>_between"`` and ``"<decomposition>_within"``. A group that a
        resample leaves empty has no part in that resample's split.
    n_resamples, alpha, seed
        As for :func:`bootstrap`.

    Returns
    -------
    dict[str, BootstrapResult]
        One result per measure label (and decomposition part), in the order asked for.

    Examples
    --------
    >>> out = bootstrap_measures([3, 1, 4, 1, 5, 9, 2, 6], ["gini", "cv"], n_resamples=200)
    >>> sorted(out), out["gini"].lower < out["gini"].estimate < out["gini"].upper
    (['cv', 'gini'], True)
    """
    specs = _specs(measures, decompose_by, decomposition)
    sample = _sample(values, weights, specs)
    kept = sample.positions
    panel = bootstrap_panel(
        sample.values[None, :], sample.weights[None, :], measures,
        None if groups is None else np.asarray(groups, dtype=object)[kept],
        decompose_by=None if decompose_by is None else np.asarray(decompose_by, dtype=object)[kept],
        decomposition=decomposition, n_resamples=n_resamples, alpha=alpha, seed=seed,
    )
    return {
        label: BootstrapResult(
            measure=label, estimate=float(panel.estimate[0, j]), lower=float(panel.lower[0, j]),
            upper=float(panel.upper[0, j]), alpha=alpha, method="percentile",
            std_error=float(np.std(panel.distribution[0, j], ddof=1)), n_resamples=n_resamples,
            distribution=panel.distribution[0, j], provenance=panel.provenance,
        )
        for j, label in enumerate(panel.measures)
    }


@dataclass(frozen=True, repr=False)
class PanelBootstrap(Result):
    """Bootstrap intervals of several measures in each period of a panel of the same areas.

    ``estimate``, ``lower`` and ``upper`` have one row per period and one column per measure
    (``measures``); ``distribution`` holds the resampled values, periods × measures × resamples.
    """

    measures: tuple[str, ...]
    estimate: FloatArray
    lower: FloatArray
    upper: FloatArray
    alpha: float
    n_resamples: int
    distribution: FloatArray = field(repr=False, compare=False)

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """Percentile intervals at ``alpha`` (default: the run's), one row per period and measure."""
        if alpha is None:
            alpha = self.alpha
        check_alpha(alpha)
        low, high = np.quantile(self.distribution, [alpha / 2, 1 - alpha / 2], axis=-1)
        periods, measures = np.indices(low.shape)
        names = np.asarray(self.measures)[measures.ravel()]
        return pd.DataFrame({"period": periods.ravel(), "measure": names, "lower": low.ravel(),
                             "upper": high.ravel()})

    def to_frame(self) -> pd.DataFrame:
        frame = self.conf_int()
        frame.insert(2, "estimate", self.estimate.ravel())
        return frame


def bootstrap_panel(
    values: ArrayLike,
    weights: ArrayLike | None,
    measures: tuple[str | MeasureSpec, ...] | list[str | MeasureSpec],
    groups: ArrayLike | None = None,
    *,
    decompose_by: ArrayLike | None = None,
    decomposition: Literal["theil", "mld"] = "theil",
    n_resamples: int = 999,
    alpha: float = 0.05,
    seed: int | np.random.Generator | None = 0,
) -> PanelBootstrap:
    """Bootstrap intervals of several measures in every period of a panel, resampling areas.

    ``values`` and ``weights`` are periods × areas (the same areas in every period, every weight
    positive). A resample draws areas with replacement (within ``groups`` when given) and keeps
    them for every period, so that the intervals of different years come from the same resampled
    areas; each measure is evaluated on all periods and resamples at once (the Gini, Theil and
    CV by a compiled loop over their single-sample implementations, others by their batched
    kernels). With one period this is :func:`bootstrap_measures`.

    Parameters
    ----------
    values, weights
        Periods × areas; ``weights`` (population, say) positive, or None for equal weights.
    measures
        Names or specs as read by :func:`~levelscope.measures.inequality.parse_measure`.
    groups
        A label per area; resampling keeps each group's number of areas.
    decompose_by, decomposition
        A label per area, to add the between-group and within-group parts of ``decomposition``
        as in :func:`bootstrap_measures`.
    n_resamples, alpha, seed
        As for :func:`bootstrap`.

    Returns
    -------
    PanelBootstrap
        Estimates and percentile intervals, periods × measures, with the resampled values.

    Examples
    --------
    >>> panel = bootstrap_panel([[3, 1, 4, 1, 5], [3, 2, 4, 2, 5]], [[1, 2, 1, 2, 1]] * 2,
    ...                         ["gini", "theil"], n_resamples=100)
    >>> panel.estimate.shape, panel.distribution.shape
    ((2, 2), (2, 2, 100))
    """
    specs = _specs(measures, decompose_by, decomposition)
    if n_resamples < 2:
        raise ValueError(f"n_resamples must be at least 2, got {n_resamples}")
    check_alpha(alpha)
    y = np.atleast_2d(np.asarray(values, dtype=np.float64))
    w = np.ones_like(y) if weights is None else np.atleast_2d(np.asarray(weights, dtype=np.float64))
    if w.shape != y.shape:
        raise ValueError(f"values and weights differ in shape ({y.shape} and {w.shape})")
    for row_values, row_weights in zip(y, w, strict=True):
        if not np.all(row_weights > 0):
            raise UndefinedMeasureError("every weight of a panel must be positive")
        _sample(row_values, row_weights, specs)
    periods, n = y.shape
    strata = None if groups is None else _strata(groups, np.arange(n), n)
    codes = None if decompose_by is None else _factorize(np.asarray(decompose_by, dtype=object))[0]
    if codes is not None and codes.size != n:
        raise ValueError(f"decompose_by has {codes.size} labels for {n} areas")
    labels = [s.label for s in specs]
    if codes is not None:
        labels += [f"{decomposition}_between", f"{decomposition}_within"]
    compiled = all(s.label in COMPILED for s in specs) and (codes is None or decomposition == "theil")
    evaluate = (_compiled_evaluation if compiled else _kernel_evaluation)(y, w, specs, labels, codes)

    estimate = evaluate(np.arange(n)[None, :])[:, :, 0]
    rng = np.random.default_rng(seed)
    distribution = np.empty((periods, len(labels), n_resamples))
    batch = max(1, BATCH_CELLS // (n * periods))
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        distribution[:, :, start : start + size] = evaluate(_draw_indices(rng, n, size, strata))
    if not np.all(np.isfinite(distribution)):
        bad = int(np.sum(~np.all(np.isfinite(distribution), axis=(0, 1))))
        raise UndefinedMeasureError(f"a measure is undefined in {bad} of {n_resamples} resamples")
    lower, upper = np.quantile(distribution, [alpha / 2, 1 - alpha / 2], axis=-1)
    return PanelBootstrap(measures=tuple(labels), estimate=estimate, lower=lower, upper=upper,
                          alpha=alpha, n_resamples=n_resamples, distribution=distribution,
                          provenance=seeded(seed))


Evaluation = Callable[[NDArray[np.intp]], FloatArray]


def _compiled_evaluation(
    y: FloatArray, w: FloatArray, specs: list[MeasureSpec], labels: list[str],
    codes: NDArray[np.intp] | None,
) -> Evaluation:
    """Every measure for each period and resample (rows of drawn area indices), compiled."""
    order = np.argsort(y, axis=1, kind="stable")
    y_sorted = np.ascontiguousarray(np.take_along_axis(y, order, axis=1))
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(y.shape[1])[None, :], axis=1)
    kinds = np.array([COMPILED[s.label] for s in specs], dtype=np.intp)
    n_groups = 0 if codes is None else int(codes.max()) + 1
    group_sorted = np.zeros_like(order) if codes is None else codes[order]

    def evaluate(draws: NDArray[np.intp]) -> FloatArray:
        out = np.empty((y.shape[0], len(labels), draws.shape[0]))
        resampled_measures(y_sorted, np.ascontiguousarray(w), rank, np.ascontiguousarray(draws), kinds,
                           np.ascontiguousarray(group_sorted), n_groups, out)
        if codes is not None:
            out[:, -1] = out[:, labels.index("theil")] - out[:, -2]
        return out

    return evaluate


def _kernel_evaluation(
    y: FloatArray, w: FloatArray, specs: list[MeasureSpec], labels: list[str],
    codes: NDArray[np.intp] | None,
) -> Evaluation:
    """Every measure for each period and resample, by the measures' batched kernels."""
    periods, n = y.shape
    order = np.argsort(y, axis=1, kind="stable")
    y_sorted = np.take_along_axis(y, order, axis=1)

    def evaluate(draws: NDArray[np.intp]) -> FloatArray:
        counts = _counts(draws, n)
        rows = counts.shape[0]
        weighted = (counts[None, :, :] * w[:, None, :]).reshape(periods * rows, n)
        flat_y = np.repeat(y, rows, axis=0)
        out = np.empty((len(labels), periods * rows))
        for j, spec in enumerate(specs):
            m = spec.measure
            if m.needs_sorted:
                sorted_weights = np.take_along_axis(
                    weighted.reshape(periods, rows, n), order[:, None, :], axis=2).reshape(periods * rows, n)
                out[j] = m.kernel(np.repeat(y_sorted, rows, axis=0), sorted_weights, **spec.params)
            else:
                out[j] = m.kernel(flat_y, weighted, **spec.params)
        if codes is not None:
            decomposed = labels[-2].removesuffix("_between")
            between = _between(flat_y, weighted, codes, 1.0 if decomposed == "theil" else 0.0)
            out[-2] = between
            out[-1] = out[labels.index(decomposed)] - between
        return out.reshape(len(labels), periods, rows).transpose(1, 0, 2)

    return evaluate


def _specs(
    measures: tuple[str | MeasureSpec, ...] | list[str | MeasureSpec],
    decompose_by: ArrayLike | None,
    decomposition: str,
) -> list[MeasureSpec]:
    specs = [parse_measure(m) for m in measures]
    if decompose_by is not None:
        if decomposition not in ("theil", "mld"):
            raise ValueError(f"decomposition must be 'theil' or 'mld', got {decomposition!r}")
        if decomposition not in [s.label for s in specs]:
            specs.append(parse_measure(decomposition))
    if not specs or len({s.label for s in specs}) != len(specs):
        raise ValueError(f"measures must be a non-empty list without repeats, got {[s.label for s in specs]}")
    return specs


def _sample(values: ArrayLike, weights: ArrayLike | None, specs: list[MeasureSpec]) -> Sample:
    """The input validated by the strictest rule any of the measures needs."""
    strict = next((s for s in specs if s.measure.takes_logs(s.params)), specs[0])
    return strict.measure.prepare(values, weights, strict.params)


def _between(y: FloatArray, weighted: FloatArray, codes: NDArray[np.intp], alpha: float) -> FloatArray:
    """Between-group GE(alpha) for each row of weights: GE of the group means, each group weighted
    by its total weight (the between part of :func:`~levelscope.measures.decompose.decompose`);
    a group with no weight in a row has no part in it."""
    k = int(codes.max()) + 1
    membership = np.zeros((codes.size, k))
    membership[np.arange(codes.size), codes] = 1.0
    group_weight = weighted @ membership
    group_income = (weighted * y) @ membership
    present = group_weight > 0
    means = np.divide(group_income, group_weight, out=np.ones_like(group_income), where=present)
    return MEASURES["ge"].kernel(means, group_weight, alpha=alpha)


def _strata(groups: ArrayLike, positions: NDArray[np.intp], n: int) -> list[NDArray[np.intp]]:
    labels = np.asarray(groups, dtype=object)[positions]
    codes, _ = _factorize(labels)
    return [np.flatnonzero(codes == code) for code in range(int(codes.max()) + 1)]


def _factorize(labels: NDArray[np.object_]) -> tuple[NDArray[np.intp], NDArray[np.object_]]:
    codes, uniques = pd.factorize(pd.Series(labels), sort=True)
    if (codes < 0).any():
        raise UndefinedMeasureError("group labels must not be missing")
    return codes.astype(np.intp), np.asarray(uniques, dtype=object)


def _draw_indices(
    rng: np.random.Generator, n: int, size: int, strata: list[NDArray[np.intp]] | None
) -> NDArray[np.intp]:
    if strata is None:
        return rng.integers(0, n, (size, n))
    return np.concatenate([s[rng.integers(0, s.size, (size, s.size))] for s in strata], axis=1)


def _counts(draws: NDArray[np.intp], n: int) -> FloatArray:
    """How often each observation appears in each row of ``draws``, as a (rows, n) matrix."""
    rows = draws.shape[0]
    flat = (draws + n * np.arange(rows)[:, None]).ravel()
    return np.bincount(flat, minlength=rows * n).reshape(rows, n).astype(np.float64)


def _jackknife(m: Measure, params: Mapping[str, float], y: FloatArray, w: FloatArray) -> FloatArray:
    """The measure with each observation left out in turn."""
    n = y.size
    out = np.empty(n)
    batch = max(1, BATCH_CELLS // n)
    for start in range(0, n, batch):
        size = min(batch, n - start)
        matrix = np.broadcast_to(w, (size, n)).copy()
        matrix[np.arange(size), start + np.arange(size)] = 0.0
        out[start : start + size] = m.kernel(y, matrix, **params)
    return out


def _bca_levels(estimate: float, distribution: FloatArray, jackknife: FloatArray, alpha: float) -> FloatArray:
    # Bias correction from the share of resamples below the estimate, ties counting half.
    below = (np.sum(distribution < estimate) + np.sum(distribution <= estimate)) / (2 * distribution.size)
    z0 = ndtri(below)
    deviation = jackknife.mean() - jackknife
    spread = np.sum(deviation**2)
    if not np.isfinite(z0) or spread == 0:
        raise UndefinedMeasureError(
            "the BCa interval is undefined: the bootstrap or jackknife distribution is degenerate"
        )
    acceleration = np.sum(deviation**3) / (6 * spread**1.5)
    z = ndtri(np.array([alpha, 1 - alpha]))
    return np.asarray(ndtr(z0 + (z0 + z) / (1 - acceleration * (z0 + z))), dtype=np.float64)


# --- the permutation test of the between-group share ---


@dataclass(frozen=True, repr=False)
class BetweenShareTest(Result):
    """Permutation test of the between-group share of a decomposable measure.

    ``p_value`` is ``(1 + #{permuted between >= observed between}) / (1 + n_resamples)``,
    the share of the permutations (the observed assignment included) that are at least as
    extreme, as in PySAL ``inequality.theil.TheilDSim``.
    """

    measure: str
    total: float
    between: float
    between_share: float
    p_value: float
    n_resamples: int
    permuted_shares: FloatArray = field(repr=False, compare=False)
    n_permutations = RenamedAttribute("n_resamples")

    def plot(self) -> go.Figure:
        """Histogram of the permuted between-group shares with the observed share marked."""
        from levelscope.measures.plot import distribution_figure

        return distribution_figure(
            self.permuted_shares,
            observed=self.between_share,
            title=f"Between-group share of {self.measure} under random group assignment",
        )


@renamed_parameters(n_permutations="n_resamples")
def between_share_test(
    values: ArrayLike,
    groups: ArrayLike,
    weights: ArrayLike | None = None,
    n_resamples: int = 99,
    seed: int | np.random.Generator | None = 0,
    measure: Literal["theil", "mld"] = "theil",
) -> BetweenShareTest:
    """Is the between-group share larger than random assignment to groups would give?

    Under the null, group labels are exchangeable: each permutation hands the observed labels
    (and group sizes) to the regions at random, each region keeping its value and weight. This
    is the test of Rey & Sastré-Gutiérrez (2010), PySAL's ``TheilDSim``, extended to weights.

    Parameters
    ----------
    values, weights
        One value (and optional frequency weight) per region.
    groups
        Each region's group, e.g. its ITL1 region.
    n_resamples
        Random reassignments of the group labels.
    seed
        Seed or generator of the reassignments; fixed by default, so a call repeats exactly.
    measure
        ``"theil"`` or ``"mld"``.

    Returns
    -------
    BetweenShareTest
        The observed between-group share and its permutation p-value.

    Examples
    --------
    >>> test = between_share_test([1, 2, 3, 10, 11, 12], list("aaabbb"), n_resamples=99, seed=0)
    >>> test.p_value < 0.2
    True
    """
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    observed = decompose(values, groups, weights, measure=measure)
    if observed.total == 0 or observed.between_share is None:
        raise UndefinedMeasureError("the between-group share is undefined: total inequality is zero")
    sample, codes, labels = grouped_sample(measure, values, groups, weights, positive=measure == "mld")
    alpha = 1.0 if measure == "theil" else 0.0
    rng = np.random.default_rng(seed)
    n = sample.values.size
    between = np.empty(n_resamples)
    batch = max(1, BATCH_CELLS // n)
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        shuffles = random_permutations(rng, n, size)
        between[start : start + size] = permuted_between(
            sample.values, sample.weights, codes, len(labels), shuffles, alpha
        )
    # A tolerance so that a permutation reproducing the observed groups counts as "as extreme".
    extreme = np.sum(between >= observed.between - 1e-12 * observed.total)
    return BetweenShareTest(
        measure=measure,
        total=observed.total,
        between=observed.between,
        between_share=observed.between_share,
        p_value=float((1 + extreme) / (1 + n_resamples)),
        n_resamples=n_resamples,
        permuted_shares=between / observed.total,
        provenance=seeded(seed),
    )


def random_permutations(rng: np.random.Generator, n: int, size: int) -> NDArray[np.int64]:
    """``size`` independent uniform permutations of ``range(n)``, one per row.

    The generator supplies the uniforms, so a seed reproduces the permutations; the
    Fisher–Yates shuffles themselves run compiled.
    """
    return _shuffle_rows(rng.random((size, n)))


@numba.njit(cache=True)
def _shuffle_rows(uniforms: FloatArray) -> NDArray[np.int64]:  # pragma: no cover - compiled
    rows, n = uniforms.shape
    out = np.empty((rows, n), dtype=np.int64)
    for row in range(rows):
        for i in range(n):
            out[row, i] = i
        for i in range(n - 1, 0, -1):
            j = int(uniforms[row, i] * (i + 1))
            out[row, i], out[row, j] = out[row, j], out[row, i]
    return out


def permuted_between(
    values: FloatArray,
    weights: FloatArray,
    codes: NDArray[np.intp],
    n_groups: int,
    shuffles: NDArray[np.int64],
    alpha: float,
) -> FloatArray:
    """Between-group GE(alpha) when position ``i`` holds observation ``shuffles[b, i]``.

    Labels stay where they are and values move, as in PySAL's ``TheilD(y[perm], partition)``.
    """
    group_weight, group_income = _permuted_group_totals(values, weights, codes, n_groups, shuffles)
    kernel = MEASURES["ge"].kernel
    return kernel(group_income / group_weight, group_weight, alpha=alpha)


@numba.njit(cache=True)
def _permuted_group_totals(
    values: FloatArray,
    weights: FloatArray,
    codes: NDArray[np.intp],
    n_groups: int,
    permutations: NDArray[np.int64],
) -> tuple[FloatArray, FloatArray]:  # pragma: no cover - compiled
    rows, n = permutations.shape
    group_weight = np.zeros((rows, n_groups))
    group_income = np.zeros((rows, n_groups))
    for row in range(rows):
        for i in range(n):
            moved = permutations[row, i]
            group_weight[row, codes[i]] += weights[moved]
            group_income[row, codes[i]] += weights[moved] * values[moved]
    return group_weight, group_income
