"""Rank mobility: do places swap places in the league table, or stay stuck?

Kendall's tau between two periods' values measures how much of the ranking survives (1: nothing
moved). :func:`rank_mobility` follows it through time. :func:`spatial_tau` splits it into pairs of
neighbours and other pairs (Rey 2014): if neighbours keep their order more than other pairs do,
places move up or down together with their neighbourhood.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numba import njit, prange
from numpy.typing import ArrayLike, NDArray
from scipy import sparse, stats

from levelscope.convergence._wide import checked_panel
from levelscope.deprecation import RenamedAttribute, renamed_parameters
from levelscope.errors import UndefinedMeasureError
from levelscope.results import USER_DATA, Result, seeded
from levelscope.spatial import _permutation as kernels
from levelscope.spatial._common import Alternative, check_alternative, permutation_p_value
from levelscope.spatial.weights import Weights


@dataclass(frozen=True, repr=False, eq=False)
class RankMobility(Result):
    """Kendall's tau-b between periods (``reference="first"``: each period against the first;
    ``"previous"``: each against the one before)."""

    reference: str
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return f"Rank mobility (Kendall's tau against the {self.reference} period)\n" + (
            self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")
        )


def rank_mobility(
    panel: pd.DataFrame, *, reference: Literal["first", "previous"] = "first"
) -> RankMobility:
    """Kendall's tau-b of the areas' values between periods.

    ``tau = (C − D) / √((n₀ − n₁)(n₀ − n₂))`` over the ``n₀`` pairs of areas, ``C`` and ``D``
    the pairs ranked alike and oppositely, ``n₁, n₂`` pairs tied in either period (as
    ``scipy.stats.kendalltau`` and ``giddy.rank.Tau``). The p-value tests ``tau = 0``.

    Parameters
    ----------
    panel
        Areas × periods, columns in time order.
    reference
        Compare each period with the first (``"first"``) or with the one before it
        (``"previous"``).

    Returns
    -------
    RankMobility
        One tau and p-value per period after the first (``to_frame()``).

    Examples
    --------
    >>> panel = pd.DataFrame({2000: [1.0, 2.0, 4.0, 3.0], 2010: [2.0, 3.0, 5.0, 3.5]})
    >>> rank_mobility(panel).to_frame()["tau"].tolist()
    [1.0]
    """
    wide = checked_panel(panel)
    if reference not in ("first", "previous"):
        raise ValueError(f"reference must be 'first' or 'previous', not {reference!r}")
    rows = []
    periods = list(wide.columns)
    for position in range(1, len(periods)):
        base = periods[0] if reference == "first" else periods[position - 1]
        result = stats.kendalltau(wide[base], wide[periods[position]])
        rows.append(
            {"from": base, "to": periods[position], "tau": float(result.statistic),
             "p_value": float(result.pvalue)}
        )
    return RankMobility(reference=reference, table=pd.DataFrame(rows))


@dataclass(frozen=True, repr=False, eq=False)
class SpatialTau(Result):
    """Kendall's tau split into neighbour pairs and other pairs (Rey 2014).

    ``tau`` is tau-b over all pairs; ``tau_neighbours`` over pairs of neighbours and
    ``tau_non_neighbours`` over the other pairs, each as ``(concordant − discordant) /
    √(pairs not tied in x · pairs not tied in y)``. ``p_sim`` tests ``tau_neighbours`` against
    random placements of the areas on the map.
    """

    tau: float
    tau_neighbours: float
    tau_non_neighbours: float
    concordant_neighbours: int
    discordant_neighbours: int
    neighbour_pairs: int
    n: int
    n_resamples: int
    p_sim: float | None
    alternative: str
    permutations = RenamedAttribute("n_resamples")


@njit(cache=True)
def _pair_concordance(
    x: NDArray[np.float64], y: NDArray[np.float64], left: NDArray[np.int64], right: NDArray[np.int64]
) -> tuple[int, int, int]:
    score = 0
    untied_x = 0
    untied_y = 0
    for p in range(left.shape[0]):
        dx = x[left[p]] - x[right[p]]
        dy = y[left[p]] - y[right[p]]
        if dx != 0:
            untied_x += 1
        if dy != 0:
            untied_y += 1
        product = dx * dy
        if product > 0:
            score += 1
        elif product < 0:
            score -= 1
    return score, untied_x, untied_y


@njit(parallel=True, cache=True)
def _permuted_neighbour_tau(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    left: NDArray[np.int64],
    right: NDArray[np.int64],
    n_permutations: int,
    base: int,
) -> NDArray[np.float64]:
    n = x.shape[0]
    taus = np.empty(n_permutations)
    order = np.arange(n).astype(np.float64)
    buckets, capacity, spacing = kernels.bucket_layout(n)
    for p in prange(n_permutations):
        shuffled = np.empty(n)
        buf = np.empty(buckets * spacing)
        pos = np.zeros(buckets, dtype=np.uint64)
        state = kernels.permutation_state(base, p)
        kernels.shuffle(order, shuffled, buf, pos, capacity, spacing, state)
        px = np.empty(n)
        py = np.empty(n)
        for i in range(n):
            j = int(shuffled[i])
            px[i] = x[j]
            py[i] = y[j]
        score, ux, uy = _pair_concordance(px, py, left, right)
        taus[p] = score / np.sqrt(ux * uy) if ux > 0 and uy > 0 else 0.0
    return taus


def _untied_pairs(values: NDArray[np.float64]) -> int:
    n = len(values)
    _, counts = np.unique(values, return_counts=True)
    return int(n * (n - 1) // 2 - np.sum(counts * (counts - 1) // 2))


@renamed_parameters(permutations="n_resamples")
def spatial_tau(
    x: ArrayLike | pd.Series,
    y: ArrayLike | pd.Series,
    weights: Weights,
    *,
    n_resamples: int = 999,
    seed: int | np.random.Generator | None = 0,
    alternative: Alternative = "two-sided",
) -> SpatialTau:
    """Kendall's tau between ``x`` and ``y`` (e.g. two years) with its spatial decomposition.

    Neighbour pairs are the linked pairs of ``weights`` (taken as binary and symmetric, each
    pair once). Equal to ``giddy.rank.SpatialTau`` for ``tau`` and ``tau_neighbours``.

    Parameters
    ----------
    x, y
        One value per area, in the weights' order (Series are aligned by their index).
    weights
        Spatial weights between the areas.
    n_resamples
        Random permutations of the areas for the pseudo p-value of ``tau_neighbours`` (0 to
        skip).
    seed
        Seed or ``numpy.random.Generator`` of the permutations; fixed by default.
    alternative
        ``"two-sided"``, ``"greater"`` or ``"less"``.

    Returns
    -------
    SpatialTau
        ``tau`` over all pairs, ``tau_neighbours`` over neighbouring pairs,
        ``tau_non_neighbours`` over the rest, and the pseudo p-value ``p_sim``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> w = Weights.rook([box(i, 0, i + 1, 1) for i in range(5)])
    >>> res = spatial_tau([1, 2, 3, 4, 5], [1, 2, 3, 5, 4], w, n_resamples=0)
    >>> res.tau_neighbours
    0.5
    """
    check_alternative(alternative)
    xs = _aligned(x, weights)
    ys = _aligned(y, weights)
    n = len(xs)
    upper = sparse.triu(weights.sparse + weights.sparse.T, k=1).tocoo()
    left = np.ascontiguousarray(upper.row, dtype=np.int64)
    right = np.ascontiguousarray(upper.col, dtype=np.int64)
    if len(left) == 0:
        raise UndefinedMeasureError("the weights have no links (every area is an island)")
    tau = float(stats.kendalltau(xs, ys).statistic)
    score, untied_x, untied_y = (int(v) for v in _pair_concordance(xs, ys, left, right))
    if untied_x == 0 or untied_y == 0:
        raise UndefinedMeasureError("neighbours are tied in every pair, so tau is undefined")
    tau_neighbours = score / np.sqrt(untied_x * untied_y)
    all_untied_x, all_untied_y = _untied_pairs(xs), _untied_pairs(ys)
    total_score = tau * np.sqrt(all_untied_x * all_untied_y)
    other_x, other_y = all_untied_x - untied_x, all_untied_y - untied_y
    tau_others = (
        (total_score - score) / np.sqrt(other_x * other_y) if other_x > 0 and other_y > 0 else 0.0
    )
    concordant, discordant = _neighbour_counts(xs, ys, left, right)
    p_sim = None
    if n_resamples:
        simulated = _permuted_neighbour_tau(
            xs, ys, left, right, n_resamples, kernels.stream_seed(seed)
        )
        p_sim = float(
            permutation_p_value(
                int((simulated >= tau_neighbours).sum()),
                int((simulated <= tau_neighbours).sum()),
                n_resamples,
                alternative,
            )
        )
    return SpatialTau(
        tau=tau,
        tau_neighbours=float(tau_neighbours),
        tau_non_neighbours=float(tau_others),
        concordant_neighbours=concordant,
        discordant_neighbours=discordant,
        neighbour_pairs=len(left),
        n=n,
        n_resamples=n_resamples,
        p_sim=p_sim,
        alternative=alternative,
        provenance=seeded(seed) if n_resamples else USER_DATA,
    )


def _neighbour_counts(
    x: NDArray[np.float64], y: NDArray[np.float64], left: NDArray[np.int64], right: NDArray[np.int64]
) -> tuple[int, int]:
    product = (x[left] - x[right]) * (y[left] - y[right])
    return int(np.sum(product > 0)), int(np.sum(product < 0))


def _aligned(values: ArrayLike | pd.Series, weights: Weights) -> NDArray[np.float64]:
    if isinstance(values, pd.Series):
        values = values.loc[weights.ids]
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.shape != (weights.n,):
        raise ValueError(f"{array.shape[0]} values for {weights.n} areas")
    if not np.isfinite(array).all():
        raise ValueError("values must be finite")
    return array


def tau_by_period(panel: pd.DataFrame, weights: Weights, **options: object) -> dict[Hashable, SpatialTau]:
    """:func:`spatial_tau` of the first period against each later one."""
    wide = checked_panel(panel).loc[weights.ids]
    first = wide.columns[0]
    return {
        period: spatial_tau(wide[first], wide[period], weights, **options)  # type: ignore[arg-type]
        for period in wide.columns[1:]
    }
