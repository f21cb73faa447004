"""Uncertainty for inequality measures: bootstrap intervals and a permutation test.

Both draw all replications as one batch. A bootstrap resample is a vector of multiplicities, so
it is evaluated as the measure under weights ``w_i * c_i`` with the same kernel that gives the
point estimate (valid because weighted measures equal the measure of the replicated data). A
permutation of group labels is applied to all replications at once with ``numpy.bincount``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numba
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

from levelscope.deprecation import RenamedAttribute, renamed_parameters
from levelscope.errors import UndefinedMeasureError
from levelscope.measures._validation import FloatArray
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
