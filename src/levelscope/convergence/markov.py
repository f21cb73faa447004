"""Distribution dynamics: how areas move between classes (quintiles, say) from year to year.

:func:`markov` estimates a discrete Markov chain from the areas' classes over time: transition
probabilities, the steady state they lead to, the mean first passage times between classes, and
summary mobility indices. :func:`spatial_markov` conditions the transitions on the class of the
area's neighbours (Rey 2001) and tests whether that matters (Bickenbach & Bode 2003).
Estimates and tests agree with PySAL ``giddy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.sparse.csgraph import connected_components

from levelscope.convergence._wide import checked_panel
from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result
from levelscope.spatial.weights import Weights

FloatArray = NDArray[np.float64]
MobilityIndex = Literal["P", "D", "L2", "B1", "B2"]


# ---------------------------------------------------------------------- classes
def quantile_cutoffs(values: ArrayLike, k: int) -> FloatArray:
    """Upper bounds of ``k`` quantile classes (linear interpolation), repeated bounds merged.

    Class ``c`` holds values in ``(cut[c-1], cut[c]]``, as ``mapclassify.Quantiles``.

    Parameters
    ----------
    values
        The values to classify (missing values are ignored).
    k
        Number of classes, at least 2.

    Returns
    -------
    numpy.ndarray
        The upper bound of each class, lowest first (fewer than ``k`` where bounds repeat).

    Examples
    --------
    >>> quantile_cutoffs([1, 2, 3, 4, 5, 6, 7, 8], 4).tolist()
    [2.75, 4.5, 6.25, 8.0]
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    step = 100.0 / k
    percents = np.minimum(np.arange(step, 100.0 + step, step), 100.0)[:k]
    return np.unique(np.percentile(np.asarray(values, dtype=np.float64).ravel(), percents))


def classify(values: ArrayLike, cutoffs: ArrayLike) -> NDArray[np.int64]:
    """Class of each value: the first upper bound it does not exceed (last class beyond)."""
    bounds = np.asarray(cutoffs, dtype=np.float64)
    classes = np.searchsorted(bounds, np.asarray(values, dtype=np.float64), side="left")
    return np.minimum(classes, len(bounds) - 1).astype(np.int64)


def _panel_classes(
    values: FloatArray, k: int, cutoffs: ArrayLike | None, pooled: bool
) -> tuple[NDArray[np.int64], FloatArray | None, int]:
    if cutoffs is not None:
        bounds = np.append(np.asarray(cutoffs, dtype=np.float64), np.inf)
        return classify(values, bounds), bounds[:-1], len(bounds)
    if pooled:
        bounds = quantile_cutoffs(values, k)
        return classify(values, bounds), bounds[:-1], len(bounds)
    columns = [classify(values[:, t], quantile_cutoffs(values[:, t], k)) for t in range(values.shape[1])]
    return np.column_stack(columns), None, k


# ---------------------------------------------------------------------- chain properties
def _row_normalise(counts: FloatArray) -> FloatArray:
    totals = counts.sum(axis=-1, keepdims=True)
    return counts / np.where(totals == 0, 1.0, totals)


def _check_irreducible(p: FloatArray, what: str) -> None:
    if np.any(p.sum(axis=1) == 0):
        empty = list(np.nonzero(p.sum(axis=1) == 0)[0])
        raise UndefinedMeasureError(f"{what}: no transitions out of classes {empty}")
    n_components, _ = connected_components(p > 0, directed=True, connection="strong")
    if n_components > 1:
        raise UndefinedMeasureError(
            f"{what}: the chain is reducible (some classes cannot be reached from others), so it "
            "has no unique steady state"
        )


def steady_state(p: ArrayLike) -> FloatArray:
    """The stationary distribution ``π = π P`` of an irreducible transition matrix.

    Solved directly as a linear system, ``(Pᵀ − I) π = 0`` with ``Σ π = 1``.

    Parameters
    ----------
    p
        A ``k × k`` transition matrix whose rows sum to 1.

    Returns
    -------
    numpy.ndarray
        The long-run share of areas in each class.

    Raises
    ------
    UndefinedMeasureError
        When the chain is reducible (some class cannot be reached), so no unique steady state
        exists.

    Examples
    --------
    >>> steady_state([[0.9, 0.1], [0.2, 0.8]]).round(4).tolist()
    [0.6667, 0.3333]
    """
    matrix = np.asarray(p, dtype=np.float64)
    _check_irreducible(matrix, "steady state")
    k = matrix.shape[0]
    system = matrix.T - np.eye(k)
    system[-1, :] = 1.0
    rhs = np.zeros(k)
    rhs[-1] = 1.0
    return np.asarray(np.linalg.solve(system, rhs))


def mean_first_passage_times(p: ArrayLike) -> FloatArray:
    """Expected steps to first reach class ``j`` from class ``i``; the diagonal is recurrence.

    ``M = (I − Z + E Z_dg) D`` with the fundamental matrix ``Z = (I − P + A)⁻¹``, ``A`` rows of
    the steady state and ``D = diag(1/π)`` (Kemeny & Snell 1976).

    Parameters
    ----------
    p
        An irreducible ``k × k`` transition matrix.

    Returns
    -------
    numpy.ndarray
        ``k × k``: row ``i``, column ``j`` is the expected number of periods to reach ``j`` from
        ``i``.

    Examples
    --------
    >>> mean_first_passage_times([[0.9, 0.1], [0.2, 0.8]]).round(4).tolist()
    [[1.5, 10.0], [5.0, 3.0]]
    """
    matrix = np.asarray(p, dtype=np.float64)
    pi = steady_state(matrix)
    k = matrix.shape[0]
    identity = np.eye(k)
    z = np.linalg.inv(identity - matrix + np.tile(pi, (k, 1)))
    return np.asarray(
        (identity - z + np.ones((k, k)) @ np.diag(np.diag(z))) @ np.diag(1.0 / pi)
    )


def mobility_index(
    p: ArrayLike, measure: MobilityIndex = "P", initial: ArrayLike | None = None
) -> float:
    """Summary mobility of a transition matrix (0 = nobody moves).

    ``"P"`` Shorrocks (1978) ``(k − tr P)/(k − 1)``; ``"D"`` ``1 − |det P|``; ``"L2"``
    ``1 − |λ₂|`` (second largest eigenvalue modulus, Sommers & Conlisk 1979); ``"B1"`` and
    ``"B2"`` Bartholomew (1982) weighted by the ``initial`` distribution (uniform by default).

    Parameters
    ----------
    p
        A ``k × k`` transition matrix.
    measure
        ``"P"``, ``"D"``, ``"L2"``, ``"B1"`` or ``"B2"``.
    initial
        The starting distribution over classes for ``"B1"`` and ``"B2"``.

    Returns
    -------
    float
        The index: 0 when no area changes class, larger with more movement.

    Examples
    --------
    >>> round(mobility_index([[0.9, 0.1], [0.2, 0.8]]), 4)
    0.3
    """
    matrix = np.asarray(p, dtype=np.float64)
    k = matrix.shape[0]
    start = np.full(k, 1.0 / k) if initial is None else np.asarray(initial, dtype=np.float64)
    if measure == "P":
        return float((k - np.trace(matrix)) / (k - 1))
    if measure == "D":
        return float(1.0 - abs(np.linalg.det(matrix)))
    if measure == "L2":
        return float(1.0 - np.sort(np.abs(np.linalg.eigvals(matrix)))[-2])
    if measure == "B1":
        return float((k - k * np.sum(start * np.diag(matrix))) / (k - 1))
    if measure == "B2":
        distance = np.abs(np.subtract.outer(np.arange(k), np.arange(k)))
        return float(np.sum(start[:, None] * matrix * distance) / (k - 1))
    raise ValueError(f"measure must be one of P, D, L2, B1, B2, not {measure!r}")


# ---------------------------------------------------------------------- classic chain
@dataclass(frozen=True, repr=False, eq=False)
class Markov(Result):
    """A discrete Markov chain estimated from areas' classes over time.

    ``transitions[i, j]`` counts moves from class ``i`` to ``j`` between consecutive periods;
    ``probabilities`` are those counts divided by their row totals (maximum likelihood).
    ``cutoffs`` are the upper bounds of all classes but the last (``None`` for per-period
    quantiles).
    """

    transitions: FloatArray
    probabilities: FloatArray
    classes: NDArray[np.int64]
    cutoffs: FloatArray | None

    @property
    def k(self) -> int:
        return int(self.transitions.shape[0])

    @property
    def steady_state(self) -> FloatArray:
        """Long-run share of areas in each class."""
        return steady_state(self.probabilities)

    @property
    def first_passage_times(self) -> FloatArray:
        """Mean first passage times between classes, in periods."""
        return mean_first_passage_times(self.probabilities)

    @property
    def sojourn_times(self) -> FloatArray:
        """Expected periods an area stays in a class once there, ``1 / (1 − p_ii)``."""
        stay = np.diag(self.probabilities)
        if np.any(stay >= 1):
            raise UndefinedMeasureError("an absorbing class (p_ii = 1) has an infinite sojourn time")
        return np.asarray(1.0 / (1.0 - stay))

    def mobility(self, measure: MobilityIndex = "P", initial: ArrayLike | None = None) -> float:
        """A mobility index of the chain; see :func:`mobility_index`."""
        return mobility_index(self.probabilities, measure, initial)

    def to_frame(self) -> pd.DataFrame:
        labels = [f"class {c + 1}" for c in range(self.k)]
        return pd.DataFrame(self.probabilities, index=labels, columns=labels)

    def summary(self) -> str:
        lines = [
            f"Markov chain on {self.k} classes from {int(self.transitions.sum())} transitions",
            self.to_frame().round(3).to_string(),
        ]
        try:
            lines.append(f"steady state: {np.round(self.steady_state, 3).tolist()}")
        except UndefinedMeasureError as why:
            lines.append(f"steady state: undefined ({why})")
        lines.append(f"Shorrocks mobility: {self.mobility('P'):.3f}")
        return "\n".join(lines)

    def plot(self, title: str | None = None) -> go.Figure:
        """Heat map of the transition probabilities."""
        from levelscope.convergence.plot import transition_heatmap

        return transition_heatmap(self.probabilities, title=title)


def _count_transitions(classes: NDArray[np.int64], k: int) -> FloatArray:
    before, after = classes[:, :-1].ravel(), classes[:, 1:].ravel()
    return np.bincount(before * k + after, minlength=k * k).reshape(k, k).astype(np.float64)


def markov(
    panel: pd.DataFrame | ArrayLike,
    k: int = 5,
    *,
    cutoffs: ArrayLike | None = None,
    pooled: bool = True,
    discrete: bool = False,
) -> Markov:
    """Estimate a Markov chain of areas moving between classes.

    Parameters
    ----------
    panel
        Areas × periods (columns in time order) of a continuous value, or of class labels
        ``0 .. k−1`` with ``discrete=True``.
    k
        Number of quantile classes.
    cutoffs
        Fixed upper bounds of the classes instead of quantiles (the last class is open).
    pooled
        Quantiles of all periods together (default, as ``giddy.Spatial_Markov(fixed=True)``) or
        of each period separately (relative position each year).
    discrete
        The panel already holds classes.

    Returns
    -------
    Markov
        The transition counts and probabilities, with the steady state, first passage times
        and mobility indices.

    Examples
    --------
    >>> panel = pd.DataFrame({1: [0, 1, 1, 0], 2: [1, 1, 0, 0], 3: [1, 0, 0, 1]})
    >>> markov(panel, discrete=True).probabilities.tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    values = _values(panel)
    if discrete:
        classes = values.astype(np.int64)
        if np.any(classes != values) or classes.min() < 0:
            raise ValueError("discrete classes must be whole numbers from 0")
        n_classes, bounds = int(classes.max()) + 1, None
    else:
        classes, bounds, n_classes = _panel_classes(values, k, cutoffs, pooled)
    counts = _count_transitions(classes, n_classes)
    return Markov(
        transitions=counts,
        probabilities=_row_normalise(counts),
        classes=classes,
        cutoffs=bounds,
    )


def _values(panel: pd.DataFrame | ArrayLike) -> FloatArray:
    if isinstance(panel, pd.DataFrame):
        return checked_panel(panel).to_numpy()
    values = np.asarray(panel, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] < 2:
        raise ValueError("give areas × periods with at least two periods")
    if not np.isfinite(values).all():
        raise ValueError("the panel has missing or infinite values")
    return values


# ---------------------------------------------------------------------- spatial chain
@dataclass(frozen=True)
class ChiSquareTest(Result):
    """A chi-square test that one chain's transitions follow another's probabilities.

    ``statistic`` is chi-square with ``dof`` degrees of freedom under the null; ``p_value`` its
    upper tail. ``to_frame()`` is one row with the three.
    """

    statistic: float
    p_value: float
    dof: int

    def summary(self) -> str:
        return f"Chi-square test: {self.statistic:.4g} on {self.dof} dof, p = {self.p_value:.3g}"


def chi_square_difference(observed: FloatArray, reference: FloatArray) -> ChiSquareTest:
    """Do transitions ``observed`` follow the probabilities of ``reference``? (as ``giddy.chi2``)

    Expected counts spread each observed row total by the reference row's probabilities;
    degrees of freedom ``(rows with transitions in observed − 1) (… in reference − 1)``.

    Parameters
    ----------
    observed
        ``k × k`` transition counts, e.g. of the areas whose neighbours are in one class.
    reference
        ``k × k`` transition counts (or probabilities) to compare with, e.g. all areas pooled.

    Returns
    -------
    ChiSquareTest
        The statistic, its p-value and degrees of freedom.

    Examples
    --------
    >>> res = chi_square_difference(np.array([[8.0, 2.0], [3.0, 7.0]]),
    ...                             np.array([[0.9, 0.1], [0.2, 0.8]]))
    >>> round(res.statistic, 4), res.dof
    (1.7361, 1)
    """
    reference_rows = reference.sum(axis=1)
    observed_rows = observed.sum(axis=1)
    dof = int((np.sum(observed_rows > 0) - 1) * (np.sum(reference_rows > 0) - 1))
    expected = observed_rows[:, None] * _row_normalise(reference)
    statistic = float(np.sum((observed - expected) ** 2 / np.where(expected == 0, 1.0, expected)))
    return ChiSquareTest(statistic, float(stats.chi2.sf(statistic, dof)), dof)


@dataclass(frozen=True)
class HomogeneityTest(Result):
    """Bickenbach & Bode (2003) tests that the transition matrices of all regimes are equal.

    ``q`` is the Pearson statistic and ``lr`` the likelihood-ratio one; both are chi-square with
    ``dof`` degrees of freedom under homogeneity. ``to_frame()`` is one row with the five.
    """

    q: float
    q_p_value: float
    lr: float
    lr_p_value: float
    dof: int

    def summary(self) -> str:
        return (
            f"Homogeneity of transitions (Bickenbach-Bode) on {self.dof} dof: "
            f"Q = {self.q:.4g} (p = {self.q_p_value:.3g}), "
            f"LR = {self.lr:.4g} (p = {self.lr_p_value:.3g})"
        )


def homogeneity_test(transitions: ArrayLike) -> HomogeneityTest:
    """Test that ``m`` transition count matrices (``m × k × k``) share one probability matrix.

    Parameters
    ----------
    transitions
        ``m × k × k`` transition counts, one matrix per regime (e.g. per neighbours' class).

    Returns
    -------
    HomogeneityTest
        The Pearson ``q`` and likelihood-ratio ``lr`` statistics with their p-values.

    Examples
    --------
    >>> res = homogeneity_test([[[8, 2], [3, 7]], [[5, 5], [4, 6]]])
    >>> round(res.q, 4), res.dof
    (2.1978, 2)
    """
    counts = np.asarray(transitions, dtype=np.float64)
    pooled = counts.sum(axis=0)
    p_pooled = _row_normalise(pooled)
    row_counts = counts.sum(axis=2)  # m × k
    p_regime = _row_normalise(counts)
    denominator = np.where(p_pooled == 0, 1.0, p_pooled)
    q = float(np.sum(row_counts[:, :, None] * (p_regime - p_pooled) ** 2 / denominator))
    used = (counts > 0) & (p_pooled > 0)
    ratio = np.where(used, p_regime, 1.0) / np.where(used, p_pooled, 1.0)
    lr = float(2.0 * np.sum(counts * np.log(ratio)))
    regimes_in_row = np.sum(row_counts > 0, axis=0)
    cells_in_row = np.sum(pooled > 0, axis=1)
    dof = int(np.sum((regimes_in_row - 1) * (cells_in_row - 1)))
    return HomogeneityTest(
        q=q,
        q_p_value=float(stats.chi2.sf(q, dof)),
        lr=lr,
        lr_p_value=float(stats.chi2.sf(lr, dof)),
        dof=dof,
    )


@dataclass(frozen=True, repr=False, eq=False)
class SpatialMarkov(Result):
    """Transitions conditioned on the neighbours' class (the spatial lag's class).

    ``transitions[l]`` and ``probabilities[l]`` are the chain for areas whose neighbours were in
    lag class ``l`` at the start of the step. ``pooled`` is the chain ignoring neighbours.
    ``chi2[l]`` compares lag class ``l`` with the pooled chain; ``homogeneity`` tests all at once.
    """

    transitions: FloatArray
    probabilities: FloatArray
    pooled: Markov
    lag_classes: NDArray[np.int64]
    lag_cutoffs: FloatArray | None
    chi2: tuple[ChiSquareTest, ...]
    homogeneity: HomogeneityTest

    @property
    def chi2_total(self) -> ChiSquareTest:
        """Sum of the per-lag-class chi-square statistics, ``k (k−1)²`` degrees of freedom."""
        k = self.pooled.k
        statistic = float(sum(t.statistic for t in self.chi2))
        dof = k * (k - 1) * (k - 1)
        return ChiSquareTest(statistic, float(stats.chi2.sf(statistic, dof)), dof)

    def steady_state(self, lag_class: int) -> FloatArray:
        """Steady state of the chain for one lag class (error if it has none)."""
        return steady_state(self.probabilities[lag_class])

    def first_passage_times(self, lag_class: int) -> FloatArray:
        """Mean first passage times for one lag class."""
        return mean_first_passage_times(self.probabilities[lag_class])

    def to_frame(self) -> pd.DataFrame:
        m, k, _ = self.probabilities.shape
        index = pd.MultiIndex.from_product(
            [range(1, m + 1), range(1, k + 1)], names=["neighbours' class", "class"]
        )
        return pd.DataFrame(
            self.probabilities.reshape(m * k, k),
            index=index,
            columns=[f"to class {c}" for c in range(1, k + 1)],
        )

    def summary(self) -> str:
        h = self.homogeneity
        return "\n".join(
            [
                f"Spatial Markov: {self.pooled.k} classes × {self.probabilities.shape[0]} "
                "neighbour classes",
                f"homogeneity (Bickenbach-Bode): Q = {h.q:.4g}, LR = {h.lr:.4g}, dof {h.dof}, "
                f"p = {h.q_p_value:.3g} / {h.lr_p_value:.3g}",
                *(
                    f"  neighbours' class {i + 1}: chi2 = {t.statistic:.4g} (dof {t.dof}, "
                    f"p = {t.p_value:.3g})"
                    for i, t in enumerate(self.chi2)
                ),
            ]
        )

    def plot(self, title: str | None = None) -> go.Figure:
        """One transition heat map per neighbours' class."""
        from levelscope.convergence.plot import spatial_transition_heatmaps

        return spatial_transition_heatmaps(self.probabilities, title=title)


def spatial_markov(
    panel: pd.DataFrame | ArrayLike,
    weights: Weights,
    k: int = 5,
    m: int | None = None,
    *,
    pooled: bool = True,
    cutoffs: ArrayLike | None = None,
    lag_cutoffs: ArrayLike | None = None,
) -> SpatialMarkov:
    """Markov transitions conditioned on the class of each area's neighbours.

    The spatial lag ``W y`` (with the weights as given; row-standardise them for neighbours'
    means) is classified into ``m`` quantile classes (default ``m = k``) the same way as the
    values themselves, as ``giddy.Spatial_Markov``.

    Parameters
    ----------
    panel
        Areas × periods, rows in the weights' order (a frame is aligned by its index).
    weights
        Spatial weights between the areas.
    k, m
        Number of classes of the values and of the lag.
    pooled
        Quantiles over all periods (default) or per period.
    cutoffs, lag_cutoffs
        Fixed class bounds instead of quantiles.

    Returns
    -------
    SpatialMarkov
        One transition matrix per neighbours' class, with homogeneity and chi-square tests.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from levelscope.spatial import Weights
    >>> w = Weights.rook([box(i, 0, i + 1, 1) for i in range(6)])
    >>> panel = pd.DataFrame({1: [1.0, 2.0, 4.0, 3.0, 1.2, 2.2], 2: [1.5, 2.4, 4.2, 3.1, 1.0, 2.5],
    ...                       3: [2.0, 3.0, 5.0, 3.5, 1.1, 2.6]})
    >>> res = spatial_markov(panel, w, k=2)
    >>> res.transitions.shape, int(res.transitions.sum())
    ((2, 2, 2), 12)
    """
    if isinstance(panel, pd.DataFrame):
        missing = weights.ids.difference(panel.index)
        if len(missing):
            raise ValueError(f"no data for {len(missing)} areas, e.g. {list(missing[:5])}")
        panel = panel.loc[weights.ids]
    values = _values(panel)
    if values.shape[0] != weights.n:
        raise ValueError(f"{values.shape[0]} areas in the panel, {weights.n} in the weights")
    classes, bounds, n_classes = _panel_classes(values, k, cutoffs, pooled)
    lag = np.asarray(weights.sparse @ values)
    lag_classes, lag_bounds, n_lag = _panel_classes(lag, m or k, lag_cutoffs, pooled)
    start_lag = lag_classes[:, :-1].ravel()
    before, after = classes[:, :-1].ravel(), classes[:, 1:].ravel()
    cell = (start_lag * n_classes + before) * n_classes + after
    counts = np.bincount(cell, minlength=n_lag * n_classes * n_classes)
    conditional = counts.reshape(n_lag, n_classes, n_classes).astype(np.float64)
    pooled_counts = conditional.sum(axis=0)
    classic = Markov(
        transitions=pooled_counts,
        probabilities=_row_normalise(pooled_counts),
        classes=classes,
        cutoffs=bounds,
    )
    return SpatialMarkov(
        transitions=conditional,
        probabilities=_row_normalise(conditional),
        pooled=classic,
        lag_classes=lag_classes,
        lag_cutoffs=lag_bounds,
        chi2=tuple(chi_square_difference(t, pooled_counts) for t in conditional),
        homogeneity=homogeneity_test(conditional),
    )
