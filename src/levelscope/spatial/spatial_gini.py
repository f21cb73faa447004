"""The spatial Gini decomposition (Rey & Smith 2013).

The Gini coefficient is the sum of absolute differences over all pairs of areas, scaled:
``G = Σ_i Σ_j |y_i − y_j| / (2 n² ȳ)``. Splitting the pairs into neighbours and non-neighbours
splits ``G`` in two. If non-neighbours differ more than random pairs would, inequality has a
spatial pattern: similar places sit together. A permutation test shuffles the values over the
map and compares the non-neighbour part with what chance gives.

Reference: Rey, S. J. & Smith, R. J. (2013) "A spatial decomposition of the Gini coefficient",
*Letters in Spatial and Resource Sciences* 6, 55–70.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from levelscope.deprecation import RenamedAttribute, renamed_parameters
from levelscope.errors import UndefinedMeasureError
from levelscope.results import USER_DATA, Result, seeded
from levelscope.spatial import _pair_sums
from levelscope.spatial._common import aligned_values, check_n_resamples
from levelscope.spatial.weights import Weights


@dataclass(frozen=True, repr=False, eq=False)
class SpatialGini(Result):
    """Gini split into neighbour and non-neighbour pairs, with its permutation test.

    ``gini`` is the classic Gini; ``neighbour_share + non_neighbour_share = gini``.
    ``polarization`` compares the mean absolute difference of non-neighbour pairs with that of
    neighbour pairs (1 when they are alike). ``p_sim`` is the one-sided pseudo p-value of the
    non-neighbour sum being at least as large as observed (as large as chance would make it).
    """

    gini: float
    neighbour_share: float
    non_neighbour_share: float
    neighbour_sum: float
    non_neighbour_sum: float
    polarization: float
    n: int
    n_resamples: int
    p_sim: float | None = None
    expected_non_neighbour_sum: float | None = None
    z_sim: float | None = None
    polarization_p_sim: float | None = None
    permutations = RenamedAttribute("n_resamples")

    def summary(self) -> str:
        lines = [
            f"Spatial Gini: Gini {self.gini:.4f} = neighbours {self.neighbour_share:.4f} "
            f"+ non-neighbours {self.non_neighbour_share:.4f} ({self.n} areas)",
            f"polarization {self.polarization:.4f} (1 = no spatial pattern)",
        ]
        if self.p_sim is not None:
            lines.append(
                f"{self.n_resamples} permutations: non-neighbour part p = {self.p_sim:.4g}, "
                f"polarization p = {self.polarization_p_sim:.4g}"
            )
        return "\n".join(lines)


@renamed_parameters(permutations="n_resamples")
def spatial_gini(
    values: ArrayLike | pd.Series,
    weights: Weights,
    *,
    n_resamples: int = 999,
    seed: int | np.random.Generator | None = 0,
) -> SpatialGini:
    """Decompose the Gini coefficient into neighbour and non-neighbour pairs.

    With ``d = Σ_i Σ_j |y_i − y_j|`` over all ordered pairs and ``d_N`` the same sum over
    neighbour pairs (any non-zero weight counts, so the weights act as binary),
    ``G = d / (2 n² ȳ) = d_N / (2 n² ȳ) + (d − d_N) / (2 n² ȳ)``. Polarization is
    ``((d − d_N) / d_N) · (pairs_N / pairs_other)``. Matches ``inequality.gini.Gini_Spatial``.

    Parameters
    ----------
    values
        One non-negative value per area, not all zero.
    weights
        Spatial weights; only which pairs are linked matters. The links should be symmetric.
    n_resamples
        Random permutations for the pseudo p-values (0 to skip).
    seed
        Seed or ``numpy.random.Generator``; fixed by default, so a call repeats exactly.

    Returns
    -------
    SpatialGini
        The Gini, its neighbour and non-neighbour parts, polarization and pseudo p-values.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from levelscope.spatial import Weights
    >>> cells = [box(x, y, x + 1, y + 1) for y in range(5) for x in range(5)]
    >>> res = spatial_gini([float(x + 1) for y in range(5) for x in range(5)], Weights.rook(cells))
    >>> round(res.gini, 4), round(res.neighbour_share + res.non_neighbour_share, 4), res.p_sim
    (0.2667, 0.2667, 0.001)
    """
    check_n_resamples(n_resamples)
    w = weights.binary()
    y = aligned_values(values, w)
    if np.any(y < 0) or y.sum() <= 0:
        raise UndefinedMeasureError("the Gini needs non-negative values that are not all zero")
    if w.s0 == 0:
        raise UndefinedMeasureError("the weights have no links (every area is an island)")
    n = len(y)
    ordered = np.sort(y)
    # Σ_i Σ_j |y_i − y_j| = 2 Σ_k (2k − n − 1) y_(k) over the sorted values.
    total = float(2.0 * np.sum((2.0 * np.arange(1, n + 1) - n - 1) * ordered))
    rows, cols = w.sparse.nonzero()
    neighbour_sum = float(np.abs(y[rows] - y[cols]).sum())
    non_neighbour_sum = total - neighbour_sum
    denominator = 2.0 * n**2 * y.mean()
    neighbour_pairs = w.s0 / 2.0
    other_pairs = n * (n - 1) / 2.0 - neighbour_pairs
    pair_ratio = neighbour_pairs / other_pairs
    if neighbour_sum == 0:
        raise UndefinedMeasureError("neighbours all have equal values, so polarization is undefined")
    polarization = non_neighbour_sum / neighbour_sum * pair_ratio

    result = SpatialGini(
        gini=float(total / denominator),
        neighbour_share=float(neighbour_sum / denominator),
        non_neighbour_share=float(non_neighbour_sum / denominator),
        neighbour_sum=neighbour_sum,
        non_neighbour_sum=non_neighbour_sum,
        polarization=float(polarization),
        n=n,
        n_resamples=n_resamples,
        provenance=seeded(seed) if n_resamples else USER_DATA,
    )
    if not n_resamples:
        return result
    simulated_neighbour = _pair_sums.permuted_pair_sums(
        y, w.pair_layout, _pair_sums.MODE_ABSOLUTE, n_resamples, seed
    )
    simulated = total - simulated_neighbour
    larger = int((simulated >= non_neighbour_sum).sum())
    # Folded as PySAL: the tail the observed value falls in.
    larger = min(larger, n_resamples - larger)
    std = float(simulated.std())
    with np.errstate(divide="ignore"):
        simulated_polarization = simulated / simulated_neighbour * pair_ratio
    return replace(
        result,
        p_sim=(larger + 1.0) / (n_resamples + 1.0),
        expected_non_neighbour_sum=float(simulated.mean()),
        z_sim=float((non_neighbour_sum - simulated.mean()) / std) if std > 0 else 0.0,
        polarization_p_sim=float(
            ((simulated_polarization >= polarization).sum() + 1.0) / (n_resamples + 1.0)
        ),
    )
