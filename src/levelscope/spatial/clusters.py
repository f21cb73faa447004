"""Clusters of high and low values on a map, from values and shapes in one call.

This is the function the workspace, the command line and the web pages use: it builds the
weights from the shapes, then runs global and local Moran's I.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from levelscope.results import Result
from levelscope.spatial._common import Alternative
from levelscope.spatial.autocorrelation import GlobalStatistic, LocalMoran, local_moran, moran
from levelscope.spatial.weights import Weights

Neighbours = Literal["queen", "rook", "knn"]


@dataclass(frozen=True, repr=False, eq=False)
class ClusterAnalysis(Result):
    """Global Moran's I and LISA clusters for one indicator on one map."""

    global_moran: GlobalStatistic
    local: LocalMoran
    weights: Weights
    geometries: tuple[Any, ...]
    crs: str | None

    def to_frame(self) -> pd.DataFrame:
        return self.local.to_frame()

    def summary(self) -> str:
        return "\n".join(
            [self.global_moran.summary(), self.local.summary(), self.weights.summary()]
        )

    def plot(self, title: str | None = None) -> go.Figure:
        """The LISA cluster map."""
        from levelscope.spatial.plot import lisa_cluster_map

        return lisa_cluster_map(self.local, list(self.geometries), crs=self.crs, title=title)


def find_clusters(
    values: pd.Series,
    geometries: Mapping[Any, Any],
    *,
    neighbours: Neighbours = "queen",
    k: int = 6,
    permutations: int = 999,
    alpha: float = 0.05,
    fdr: bool = False,
    seed: int | np.random.Generator | None = None,
    alternative: Alternative = "two-sided",
    crs: str | None = "EPSG:27700",
) -> ClusterAnalysis:
    """Global and local Moran's I for values indexed by area code, with shapes per code.

    Parameters
    ----------
    values
        One value per area, indexed by area code; missing values are an error.
    geometries
        Area code → shapely shape or WKB bytes. Codes with a shape but no value are left out.
    neighbours
        ``"queen"`` (default) or ``"rook"`` contiguity, or ``"knn"`` (``k`` nearest centroids;
        useful where islands would otherwise have no neighbour).
    permutations, alpha, fdr, seed, alternative
        As :func:`levelscope.spatial.local_moran`.
    crs
        The shapes' coordinate reference system, used only for the map.
    """
    if values.isna().any():
        missing = list(values.index[values.isna()][:5])
        raise ValueError(f"missing values for areas {missing}; drop or fill them first")
    if not values.index.is_unique:
        raise ValueError("each area must appear once in values")
    absent = [code for code in values.index if code not in geometries]
    if absent:
        raise ValueError(f"no boundary for {len(absent)} areas, e.g. {absent[:5]}")
    codes = list(values.index)
    shapes = [geometries[c] for c in codes]
    shapes = [shapely.from_wkb(s) if isinstance(s, bytes | bytearray) else s for s in shapes]
    if neighbours == "queen":
        weights = Weights.queen(shapes, codes)
    elif neighbours == "rook":
        weights = Weights.rook(shapes, codes)
    elif neighbours == "knn":
        weights = Weights.knn(shapes, k, codes)
    else:
        raise ValueError(f"neighbours must be 'queen', 'rook' or 'knn', not {neighbours!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    global_result = moran(
        values, weights, permutations=permutations, seed=rng, alternative=alternative
    )
    local_result = local_moran(
        values, weights, permutations=permutations, seed=rng, alpha=alpha, fdr=fdr,
        alternative=alternative,
    )
    return ClusterAnalysis(
        global_moran=global_result,
        local=local_result,
        weights=weights,
        geometries=tuple(shapes),
        crs=crs,
    )
