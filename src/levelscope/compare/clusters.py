"""LISA cluster maps of an indicator: where high and low values sit together.

A view over :mod:`levelscope.spatial`: queen contiguity between the areas' shapes (areas without
a value are left out) and local Moran's I with conditional-permutation pseudo p-values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from levelscope.data.store import Workspace
from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result
from levelscope.spatial import Weights, local_moran
from levelscope.spatial.plot import CLUSTER_COLOURS


@dataclass(frozen=True, repr=False)
class ClusterMap(Result):
    """Each area's LISA cluster: ``geography_code``, ``value``, ``local_i``, ``p_sim``,
    ``cluster`` (High-High, Low-Low, Low-High, High-Low, Not significant, Island), ``colour``."""

    indicator_id: str
    level: str
    period: str
    permutations: int
    alpha: float
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        counts = self.table["cluster"].value_counts()
        return f"LISA clusters of {self.indicator_id} ({self.level}, {self.period}): " + ", ".join(
            f"{label} {count}" for label, count in counts.items()
        )


def cluster_map(
    ws: Workspace,
    values: pd.DataFrame,
    indicator: str,
    level: str,
    period: str,
    *,
    shapes: tuple[Sequence[str], Sequence[Any]] | None = None,
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int = 0,
) -> ClusterMap:
    """LISA clusters of the ``values`` (columns ``geography_code``, ``value``) of one period.

    ``shapes`` are the level's ``(codes, geometries)`` from :meth:`Workspace.geometries` if at
    hand. Raises :class:`UndefinedMeasureError` when fewer than three areas have both a value
    and a shape.
    """
    codes, geometries = shapes if shapes is not None else ws.geometries(level)[:2]
    shape_of = dict(zip(codes, geometries, strict=True))
    rows = values[values["geography_code"].isin(shape_of)].dropna(subset=["value"])
    if len(rows) < 3:
        raise UndefinedMeasureError(f"need at least three areas with values and shapes at level {level!r}")
    ids = rows["geography_code"].tolist()
    weights = Weights.queen([shape_of[c] for c in ids], ids=ids)
    result = local_moran(rows["value"].to_numpy(dtype=float), weights, permutations=permutations,
                         alpha=alpha, seed=seed)
    frame = result.to_frame().rename(columns={"area": "geography_code"})
    frame["colour"] = frame["cluster"].map(CLUSTER_COLOURS)
    keep = ["geography_code", "value", "local_i", "p_sim", "cluster", "colour"]
    return ClusterMap(indicator_id=indicator, level=level, period=period, permutations=permutations,
                      alpha=alpha, table=frame[keep], provenance=ws.provenance(indicator))
