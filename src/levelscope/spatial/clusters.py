"""Clusters of high and low values on a map, from values and shapes in one call.

This is the function the workspace, the command line and the web pages use: it builds the
weights from the shapes, then runs global and local Moran's I.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from levelscope.deprecation import RenamedAttribute, renamed_parameters
from levelscope.errors import UndefinedMeasureError
from levelscope.geo import geopandas, with_geometry
from levelscope.results import Result, seeded
from levelscope.spatial._common import Alternative
from levelscope.spatial.global_autocorrelation import GlobalStatistic, moran
from levelscope.spatial.local_autocorrelation import LocalMoran, local_moran
from levelscope.spatial.weights import Neighbours, Weights

if TYPE_CHECKING:
    from geopandas import GeoDataFrame

    from levelscope.data.store import Workspace


@dataclass(frozen=True, repr=False, eq=False)
class ClusterAnalysis(Result):
    """Global Moran's I and LISA clusters for one indicator on one map.

    ``left_out`` lists areas that had a value but no boundary (so no neighbours to test).
    """

    global_moran: GlobalStatistic
    local: LocalMoran
    weights: Weights
    geometries: tuple[Any, ...]
    crs: str | None
    indicator_id: str | None = None
    period: str | None = None
    left_out: tuple[str, ...] = ()
    indicator = RenamedAttribute("indicator_id")

    @property
    def n_resamples(self) -> int:
        """Random permutations behind the pseudo p-values (0 when none were run)."""
        return 0 if self.local.simulation is None else self.local.simulation.n_resamples

    def cluster_counts(self) -> pd.Series:
        """How many areas fall in each cluster (High-High, ..., Not significant, Island)."""
        return pd.Series(self.local.labels).value_counts().rename("areas")

    def to_frame(self) -> pd.DataFrame:
        return self.local.to_frame()

    def to_geodataframe(self, shapes: GeoDataFrame | None = None) -> GeoDataFrame:
        """Each area's statistics and cluster with its shape (the ones the weights were built
        from unless other ``shapes`` are given), as a GeoDataFrame; needs the optional GeoPandas.

        Examples
        --------
        >>> clusters = ws.clusters("gva_per_hour_worked", "itl3", n_resamples=99)
        >>> mapped = clusters.to_geodataframe()
        >>> str(mapped.crs), len(mapped) == len(clusters.to_frame())
        ('EPSG:27700', True)
        """
        if shapes is None:
            gpd = geopandas()
            shapes = gpd.GeoDataFrame(
                {"geography_code": [str(i) for i in self.local.ids]},
                geometry=list(self.geometries), crs=self.crs,
            )
        return with_geometry(self.to_frame(), shapes)

    def summary(self) -> str:
        head = []
        if self.indicator_id is not None:
            head.append(f"{self.indicator_id}, {self.period}")
        if self.left_out:
            head.append(f"{len(self.left_out)} areas without a boundary left out")
        return "\n".join(
            [*head, self.global_moran.summary(), self.local.summary(), self.weights.summary()]
        )

    def plot(self, title: str | None = None) -> go.Figure:
        """The LISA cluster map."""
        from levelscope.spatial.plot import lisa_cluster_map

        return lisa_cluster_map(self.local, list(self.geometries), crs=self.crs, title=title)


@renamed_parameters(permutations="n_resamples")
def find_clusters(
    values: pd.Series,
    geometries: Mapping[Any, Any],
    *,
    neighbours: Neighbours = "fuzzy",
    k: int = 6,
    threshold: float | None = None,
    n_resamples: int = 999,
    alpha: float = 0.05,
    fdr: bool = False,
    seed: int | np.random.Generator | None = 0,
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
    neighbours, k, threshold
        How areas are linked; see :meth:`Weights.build` (default ``"fuzzy"``: shapes that touch
        or overlap, robust to generalised boundaries).
    n_resamples, alpha, fdr, seed, alternative
        As :func:`levelscope.spatial.local_moran`.
    crs
        The shapes' coordinate reference system, used only for the map.

    Returns
    -------
    ClusterAnalysis
        Global Moran's I, the local statistics and clusters, the weights and the shapes.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> cells = {f"A{i:02d}": box(i % 5, i // 5, i % 5 + 1, i // 5 + 1) for i in range(25)}
    >>> values = pd.Series([float(i % 5) for i in range(25)], index=list(cells))
    >>> res = find_clusters(values, cells, neighbours="rook", n_resamples=199, crs=None)
    >>> round(res.global_moran.statistic, 4), res.cluster_counts().to_dict()
    (0.84, {'Not significant': 20, 'Low-Low': 3, 'High-High': 2})
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
    weights = Weights.build(shapes, codes, neighbours, k=k, threshold=threshold)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    global_result = moran(
        values, weights, n_resamples=n_resamples, seed=rng, alternative=alternative
    )
    local_result = local_moran(
        values, weights, n_resamples=n_resamples, seed=rng, alpha=alpha, fdr=fdr,
        alternative=alternative,
    )
    return ClusterAnalysis(
        global_moran=global_result,
        local=local_result,
        weights=weights,
        geometries=tuple(shapes),
        crs=crs,
        provenance=seeded(seed),
    )


@renamed_parameters(permutations="n_resamples")
def workspace_clusters(
    ws: Workspace,
    indicator: str,
    level: str,
    period: str | None = None,
    *,
    neighbours: Neighbours = "fuzzy",
    k: int = 6,
    threshold: float | None = None,
    n_resamples: int = 999,
    alpha: float = 0.05,
    fdr: bool = False,
    seed: int | None = 0,
    alternative: Alternative = "two-sided",
) -> ClusterAnalysis:
    """:func:`find_clusters` for an indicator at one level of a workspace, in one period.

    ``period`` defaults to the latest period with observations. Areas with a value but no
    stored boundary are left out and listed in ``left_out``; areas with a boundary but no value
    are not on the map. The command line (``levelscope clusters``), the REST API and the
    dashboard's cluster map all call this function; ``ws.clusters(...)`` forwards to it.

    Parameters
    ----------
    ws
        The workspace.
    indicator, level
        E.g. ``"gva_per_hour_worked"``, ``"itl3"``.
    period
        The period mapped; the latest by default.
    neighbours, k, threshold, n_resamples, alpha, fdr, seed, alternative
        As :func:`find_clusters`.

    Returns
    -------
    ClusterAnalysis
        With the indicator, period, areas left out and the provenance of the figures (and the
        seed of the permutations).

    Examples
    --------
    >>> res = workspace_clusters(ws, "gva_per_hour_worked", "itl3", n_resamples=99)
    >>> res.period, res.provenance.seed
    ('2022', 0)
    """
    observations = ws.observations(indicator, level)
    if observations.empty:
        raise UndefinedMeasureError(f"no observations of {indicator!r} at level {level!r}")
    if period is None:
        newest = observations["period_end"] == observations["period_end"].max()
        period = str(observations.loc[newest, "period"].iloc[0])
    chosen = observations[observations["period"] == period]
    if chosen.empty:
        known = sorted(observations["period"].astype(str).unique())
        raise UndefinedMeasureError(f"no observations of {indicator!r} in {period!r}; periods: {known}")
    values = chosen.dropna(subset=["value"]).set_index("geography_code")["value"].astype(float)
    codes, shapes, crs = ws.geometries(level)
    if not codes:
        raise UndefinedMeasureError(f"no area at level {level!r} has a boundary in the workspace")
    geometries = dict(zip(codes, shapes, strict=True))
    left_out = tuple(str(c) for c in values.index if c not in geometries)
    values = values[[c in geometries for c in values.index]]
    result = find_clusters(
        values, geometries, neighbours=neighbours, k=k, threshold=threshold,
        n_resamples=n_resamples, alpha=alpha, fdr=fdr, seed=seed, alternative=alternative, crs=crs,
    )
    return ClusterAnalysis(
        global_moran=result.global_moran,
        local=result.local,
        weights=result.weights,
        geometries=result.geometries,
        crs=crs,
        indicator_id=indicator,
        period=period,
        left_out=left_out,
        provenance=ws.provenance(indicator).with_seed(seed),
    )
