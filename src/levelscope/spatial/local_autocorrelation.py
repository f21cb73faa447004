"""Local spatial autocorrelation: one statistic per area, and the clusters they make.

:func:`local_moran` (LISA, Anselin 1995) and :func:`getis_ord` (Gi and Gi*, Ord & Getis 1995),
with conditional-permutation pseudo p-values (Sokal et al. 1998) that are reproducible with
``seed``; :func:`spatial_lag` is the neighbours' mean they compare each area with. Defaults
follow PySAL ``esda``, so the numbers agree with it on the same data and weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from levelscope.deprecation import RenamedAttribute, renamed_parameters
from levelscope.errors import UndefinedMeasureError
from levelscope.results import USER_DATA, Result, seeded
from levelscope.spatial import _permutation
from levelscope.spatial._common import (
    N_RESAMPLES,
    Alternative,
    aligned_values,
    centred,
    check_alternative,
    check_n_resamples,
    dot,
    fdr_threshold,
    normal_p_value,
    permutation_p_value,
    transformed,
)
from levelscope.spatial.weights import Transform, Weights

QUADRANT_LABELS = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
NOT_SIGNIFICANT = "Not significant"
ISLAND = "Island"


def spatial_lag(
    values: ArrayLike | pd.Series, weights: Weights, *, transform: Transform | None = "row"
) -> NDArray[np.float64]:
    """The spatial lag ``W y``: with row-standardised weights, the mean of the neighbours' values.

    Islands (areas with no neighbour) get 0.

    Parameters
    ----------
    values
        One value per area; a ``pandas.Series`` is matched to ``weights.ids`` by its index.
    weights
        Spatial weights between the areas.
    transform
        Weights transform (``"row"`` by default), or ``None`` for the weights as they are.

    Returns
    -------
    numpy.ndarray
        One lag per area, in the weights' order.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> w = Weights.rook([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(3, 0, 4, 1)])
    >>> spatial_lag([1.0, 2.0, 3.0, 4.0], w).tolist()
    [2.0, 2.0, 3.0, 3.0]
    """
    w = transformed(weights, transform)
    return w.lag(aligned_values(values, w))


@dataclass(frozen=True, repr=False, eq=False)
class LocalSimulation:
    """Conditional-permutation results, one entry per area."""

    n_resamples: int
    p_values: NDArray[np.float64]
    mean: NDArray[np.float64]
    std: NDArray[np.float64]
    z: NDArray[np.float64]
    permutations = RenamedAttribute("n_resamples")


def _conditional_permutation(
    values: NDArray[np.float64],
    w: Weights,
    scale: NDArray[np.float64],
    shift: NDArray[np.float64],
    observed: NDArray[np.float64],
    n_resamples: int,
    seed: int | np.random.Generator | None,
    alternative: Alternative,
) -> LocalSimulation:
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    card = w.cardinalities
    table = _permutation.draw_neighbour_table(w.n, int(card.max()), n_resamples, rng)
    indptr, indices, data = _permutation.csr_parts(w.sparse)
    greater, lesser, mean, std = _permutation.conditional_local(
        np.ascontiguousarray(values), indptr, indices, data,
        np.ascontiguousarray(scale), np.ascontiguousarray(shift),
        np.ascontiguousarray(observed), table,
    )
    p = permutation_p_value(greater, lesser, n_resamples, alternative)
    # An island's statistic cannot change under permutation: it carries no evidence.
    p[card == 0] = 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(std > 0, (observed - mean) / np.where(std > 0, std, 1.0), 0.0)
    return LocalSimulation(n_resamples, p, mean, std, z)


@dataclass(frozen=True, repr=False, eq=False)
class LocalMoran(Result):
    """Local Moran's I (LISA) for every area, with quadrants and cluster labels.

    ``quadrant`` codes follow PySAL: 1 High-High, 2 Low-High, 3 Low-Low, 4 High-Low (value, then
    neighbours' mean, relative to the average). ``labels`` name the quadrant where the area is
    significant at ``alpha`` (after the false-discovery-rate cut-off when ``fdr`` is on),
    ``"Not significant"`` otherwise, and ``"Island"`` for areas with no neighbour.
    """

    ids: pd.Index
    values: NDArray[np.float64]
    local_i: NDArray[np.float64]
    quadrant: NDArray[np.int64]
    expected: NDArray[np.float64]
    variance: NDArray[np.float64]
    expected_conditional: NDArray[np.float64]
    variance_conditional: NDArray[np.float64]
    simulation: LocalSimulation | None
    alpha: float
    fdr: bool
    threshold: float
    islands: tuple[Any, ...]
    alternative: str

    @property
    def p_values(self) -> NDArray[np.float64]:
        """Pseudo p-values from conditional permutation."""
        if self.simulation is None:
            raise ValueError("no permutations were run, so there are no pseudo p-values")
        return self.simulation.p_values

    @property
    def significant(self) -> NDArray[np.bool_]:
        """Areas whose pseudo p-value is at most the threshold."""
        if self.simulation is None:
            return np.zeros(len(self.ids), dtype=bool)
        return np.asarray(self.simulation.p_values <= self.threshold)

    @property
    def labels(self) -> NDArray[np.str_]:
        quadrant = np.array([QUADRANT_LABELS[int(q)] for q in self.quadrant], dtype=object)
        labels = np.where(self.significant, quadrant, NOT_SIGNIFICANT)
        labels[np.isin(self.ids, list(self.islands))] = ISLAND
        return np.asarray(labels)

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "geography_code": self.ids,
                "value": self.values,
                "local_i": self.local_i,
                "quadrant": self.quadrant,
                "expected": self.expected,
                "variance": self.variance,
            }
        )
        if self.simulation is not None:
            frame["p_sim"] = self.simulation.p_values
            frame["z_sim"] = self.simulation.z
        frame["significant"] = self.significant
        frame["cluster"] = self.labels
        return frame

    def summary(self) -> str:
        counts = pd.Series(self.labels).value_counts()
        rule = "false discovery rate" if self.fdr else "p-value"
        lines = [
            f"Local Moran's I for {len(self.ids)} areas; significance by {rule} at "
            f"{self.alpha} (cut-off p <= {self.threshold:.4g})",
            *(f"  {label}: {count}" for label, count in counts.items()),
        ]
        return "\n".join(lines)

    def plot(self, geometries: Any, title: str | None = None) -> Any:
        """LISA cluster map (Plotly) from the areas' shapes, given in the order of ``ids``."""
        from levelscope.spatial.plot import lisa_cluster_map

        return lisa_cluster_map(self, geometries, title=title)


@renamed_parameters(permutations="n_resamples")
def local_moran(
    values: ArrayLike | pd.Series,
    weights: Weights,
    *,
    transform: Transform | None = "row",
    n_resamples: int = N_RESAMPLES,
    seed: int | np.random.Generator | None = 0,
    alternative: Alternative = "two-sided",
    alpha: float = 0.05,
    fdr: bool = False,
) -> LocalMoran:
    """Local Moran's I (Anselin 1995) with conditional-permutation pseudo p-values.

    ``I_i = (n − 1) z_i Σ_j w_ij z_j / Σ_k z_k²`` with ``z`` the values standardised to mean 0 and
    (population) standard deviation 1, as ``esda.Moran_Local``. For each area the value stays
    put while its neighbours are drawn at random from the other areas, ``n_resamples`` times.
    Analytical moments under total randomisation (``expected``, ``variance``) and conditional
    randomisation (``expected_conditional``, ``variance_conditional``) follow Sokal, Oden &
    Thomson (1998).

    ``fdr=True`` replaces ``alpha`` by the Benjamini–Hochberg cut-off (:func:`fdr_threshold`)
    so that, among the areas called significant, the expected share of false ones is ``alpha``.

    Parameters
    ----------
    values
        One value per area; a ``pandas.Series`` is matched to ``weights.ids`` by its index.
    weights
        Spatial weights between the areas.
    transform
        Weights transform: ``"row"`` (default, as PySAL), ``"binary"``, ``"original"``, or
        ``None`` for the weights as they are.
    n_resamples
        Random permutations for the pseudo p-value (0: analytical inference only).
    seed
        Seed or ``numpy.random.Generator`` of the permutations; fixed by default, so a call
        repeats exactly.
    alternative
        ``"two-sided"`` (default), ``"greater"`` or ``"less"``.
    alpha
        Significance level of the cluster labels.
    fdr
        Control the false discovery rate instead of testing each area at ``alpha``.

    Returns
    -------
    LocalMoran
        Each area's ``local_i``, quadrant, moments, pseudo p-value and cluster label.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from levelscope.spatial import moran
    >>> cells = [box(x, y, x + 1, y + 1) for y in range(5) for x in range(5)]
    >>> w, values = Weights.rook(cells), [float(x) for y in range(5) for x in range(5)]
    >>> res = local_moran(values, w, seed=3, n_resamples=199)
    >>> res.to_frame()["cluster"].value_counts().to_dict()
    {'Not significant': 21, 'Low-Low': 2, 'High-High': 2}

    The local statistics add up to ``(n - 1)`` times the global Moran's I (row-standardised
    weights, as esda scales them):

    >>> bool(abs(res.local_i.sum() / 24 - moran(values, w, n_resamples=0).statistic) < 1e-12)
    True
    """
    check_n_resamples(n_resamples)
    check_alternative(alternative)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    w = transformed(weights, transform)
    y = aligned_values(values, w)
    n = len(y)
    z = centred(y) / y.std()
    lag = w.lag(z)
    scale = (n - 1) * z / dot(z, z)
    local_i = scale * lag
    quadrant = np.where(z > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3)).astype(np.int64)

    m2 = dot(z, z) / n
    wi = np.asarray(w.sparse.sum(axis=1)).ravel()
    wi2 = np.asarray(w.sparse.multiply(w.sparse).sum(axis=1)).ravel()
    expected_c = -(z**2 * wi) / ((n - 1) * m2)
    variance_c = (z / m2) ** 2 * (n / (n - 2)) * (wi2 - wi**2 / (n - 1)) * (m2 - z**2 / (n - 1))
    b2 = (np.sum(z**4) / n) / m2**2
    expected = -wi / (n - 1)
    variance = (
        wi2 * (n - b2) / (n - 1)
        + (wi**2 - wi2) * (2 * b2 - n) / ((n - 1) * (n - 2))
        - (wi / (n - 1)) ** 2
    )

    simulation = None
    threshold = alpha
    if n_resamples:
        simulation = _conditional_permutation(
            z, w, scale, np.zeros(n), local_i, n_resamples, seed, alternative
        )
        if fdr:
            threshold = fdr_threshold(simulation.p_values, alpha)
    return LocalMoran(
        ids=w.ids,
        values=y,
        local_i=local_i,
        quadrant=quadrant,
        expected=expected,
        variance=variance,
        expected_conditional=expected_c,
        variance_conditional=variance_c,
        simulation=simulation,
        alpha=alpha,
        fdr=fdr,
        threshold=threshold,
        islands=w.islands,
        alternative=alternative,
        provenance=seeded(seed) if simulation is not None else USER_DATA,
    )


@dataclass(frozen=True, repr=False, eq=False)
class LocalG(Result):
    """Getis–Ord local G (``star=False``) or G* (``star=True``) for every area."""

    ids: pd.Index
    g: NDArray[np.float64]
    expected: NDArray[np.float64]
    variance: NDArray[np.float64]
    z: NDArray[np.float64]
    p_normal: NDArray[np.float64]
    star: bool
    simulation: LocalSimulation | None
    alternative: str

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "geography_code": self.ids,
                "g": self.g,
                "expected": self.expected,
                "variance": self.variance,
                "z": self.z,
                "p_normal": self.p_normal,
            }
        )
        if self.simulation is not None:
            frame["p_sim"] = self.simulation.p_values
            frame["z_sim"] = self.simulation.z
        return frame

    def summary(self) -> str:
        name = "G*" if self.star else "G"
        hot = int(np.sum((self.z > 0) & (self.p_normal <= 0.05)))
        cold = int(np.sum((self.z < 0) & (self.p_normal <= 0.05)))
        return (
            f"Getis-Ord local {name} for {len(self.ids)} areas: {hot} hot spots and {cold} "
            "cold spots at p <= 0.05 (normal approximation)"
        )


@renamed_parameters(permutations="n_resamples")
def getis_ord(
    values: ArrayLike | pd.Series,
    weights: Weights,
    *,
    star: bool = False,
    transform: Literal["row", "binary"] = "row",
    n_resamples: int = N_RESAMPLES,
    seed: int | np.random.Generator | None = 0,
    alternative: Alternative = "two-sided",
) -> LocalG:
    """Getis–Ord local statistics: hot spots (high values among high) and cold spots.

    ``G_i = Σ_{j≠i} w_ij y_j / Σ_{j≠i} y_j``; ``G*_i`` includes the area itself,
    ``G*_i = Σ_j w_ij y_j / Σ_j y_j`` with self-weight 1 before the transform (Getis & Ord 1992;
    Ord & Getis 1995). ``transform`` is applied after the self-weight is added, as
    ``esda.G_Local``. ``z`` uses the analytical moments; the pseudo p-values use conditional
    permutation (the area's own value stays put).

    Parameters
    ----------
    values
        One value per area; a ``pandas.Series`` is matched to ``weights.ids`` by its index.
    weights
        Spatial weights between the areas.
    star
        ``G*`` (the area counts among its own neighbours) instead of ``G``.
    transform
        ``"row"`` (default) or ``"binary"``.
    n_resamples
        Random permutations for the pseudo p-value (0: analytical inference only).
    seed
        Seed or ``numpy.random.Generator`` of the permutations; fixed by default, so a call
        repeats exactly.
    alternative
        ``"two-sided"`` (default), ``"greater"`` or ``"less"``.

    Returns
    -------
    LocalG
        Each area's ``g``, its moments, ``z`` and p-values; high ``z`` marks a hot spot.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> cells = [box(x, y, x + 1, y + 1) for y in range(5) for x in range(5)]
    >>> res = getis_ord([float(x + 1) for y in range(5) for x in range(5)], Weights.rook(cells),
    ...                 star=True)
    >>> round(float(res.z[4]), 3), round(float(res.z[0]), 3)   # the high east, the low west
    (1.179, -1.179)
    """
    check_n_resamples(n_resamples)
    check_alternative(alternative)
    if transform not in ("row", "binary"):
        raise ValueError(f"transform must be 'row' or 'binary', not {transform!r}")
    base = weights.binary()
    y = aligned_values(values, base)
    n = len(y)
    matrix = base.sparse
    if star:
        with_self = matrix + sparse.identity(n, format="csr")
        if transform == "row":
            row_sums = np.asarray(with_self.sum(axis=1)).ravel()
            with_self = sparse.csr_array(with_self.multiply(1.0 / row_sums[:, None]))
        self_weight = with_self.diagonal()
        neighbours = Weights(with_self - sparse.diags_array(self_weight), base.ids)
    else:
        neighbours = base.transformed("row" if transform == "row" else "binary")
        self_weight = np.zeros(n)
    total = y.sum()
    others = n if star else n - 1
    denominator = total - (0.0 if star else 1.0) * y
    if np.any(denominator == 0):
        raise UndefinedMeasureError("Getis–Ord G is undefined when the other areas' values sum to 0")
    lag = neighbours.lag(y) + self_weight * y
    g = lag / denominator

    mean = denominator / others
    mean_sq = (np.sum(y**2) - (0.0 if star else 1.0) * y**2) / others
    variance_y = mean_sq - mean**2
    cardinality = np.asarray(neighbours.sparse.sum(axis=1)).ravel() + self_weight
    expected = cardinality / others
    variance = cardinality * (others - cardinality) / (others - 1) / others**2
    variance = variance * variance_y / mean**2
    # An island (no neighbour) has G = E[G] = 0 and no variance: report z = 0, p = 1.
    has_spread = variance > 0
    z = np.zeros(n)
    z[has_spread] = (g - expected)[has_spread] / np.sqrt(variance[has_spread])
    p_normal = normal_p_value(z, alternative)
    p_normal[~has_spread] = 1.0

    simulation = None
    if n_resamples:
        scale = 1.0 / denominator
        shift = self_weight * y / denominator
        simulation = _conditional_permutation(
            y, neighbours, scale, shift, g, n_resamples, seed, alternative
        )
    return LocalG(
        ids=base.ids,
        g=g,
        expected=expected,
        variance=variance,
        z=z,
        p_normal=p_normal,
        star=star,
        simulation=simulation,
        alternative=alternative,
        provenance=seeded(seed) if simulation is not None else USER_DATA,
    )
