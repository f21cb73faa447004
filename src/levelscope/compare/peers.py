"""Statistical nearest neighbours: the areas most like a given area on a set of context indicators.

In the spirit of CIPFA's nearest-neighbour model, each context indicator is standardised to a
z-score over the areas of the level (``z = (x - mean) / sd``, population standard deviation), so
that indicators in pounds, percentages and persons count alike, and the distance between two areas
is the (optionally weighted) Euclidean distance between their z-scores::

    d(a, b) = sqrt( sum_j w_j (z_aj - z_bj)**2 )

The peers of an area are the ``k`` areas closest to it. Only areas with a value on every context
indicator take part; a context indicator the area itself lacks is left out and reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from levelscope.compare.standings import level_standings
from levelscope.data.store import Workspace
from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result

#: The default context: size, income, productivity, labour market and skills.
DEFAULT_CONTEXT = (
    "population",
    "gdhi_per_head",
    "gva_per_hour_worked",
    "employment_rate",
    "level3_qualifications",
)


@dataclass(frozen=True, repr=False)
class PeerGroup(Result):
    """An area's nearest neighbours with their distances.

    ``table`` has one row per peer, nearest first: ``rank``, ``geography_code``,
    ``geography_name``, ``distance`` and the peer's value of each context indicator.
    ``left_out`` names context indicators that could not be used (the area has no value).
    """

    code: str
    name: str
    level: str
    context: tuple[str, ...]
    left_out: tuple[str, ...]
    candidates: int
    table: pd.DataFrame

    @property
    def codes(self) -> list[str]:
        return self.table["geography_code"].tolist()

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        names = ", ".join(self.table["geography_name"].head(5))
        return (
            f"{len(self.table)} nearest neighbours of {self.name} ({self.code}) among "
            f"{self.candidates} areas ({self.level}) on {', '.join(self.context)}: {names}"
            + (" …" if len(self.table) > 5 else "")
        )


def standardised_distances(
    values: pd.DataFrame, target: str, weights: Mapping[str, float] | None = None
) -> pd.Series:
    """Distance of every row of ``values`` from row ``target`` in z-score units.

    Parameters
    ----------
    values
        One row per area (index: area code), one column per context indicator, no missing values.
    target
        The index label of the area to measure from.
    weights
        Optional weight per column (default 1 each); must be non-negative with a positive sum.

    Returns
    -------
    pandas.Series
        ``d(target, area)`` for every area, the target itself included (0).

    Raises
    ------
    UndefinedMeasureError
        If a column has no spread (all values equal), so it cannot be standardised.

    Examples
    --------
    >>> values = pd.DataFrame({"pay": [500.0, 520.0, 700.0], "employment_rate": [70.0, 72.0, 80.0]},
    ...                       index=["A", "B", "C"])
    >>> standardised_distances(values, "A").round(3).to_dict()
    {'A': 0.0, 'B': 0.514, 'C': 3.21}
    """
    if values.isna().any().any():
        raise ValueError("values must not have missing entries; drop incomplete areas first")
    data = values.to_numpy(dtype=float)
    spread = data.std(axis=0)
    flat = [c for c, s in zip(values.columns, spread, strict=True) if not s > 0]
    if flat:
        raise UndefinedMeasureError(f"cannot standardise {flat}: every area has the same value")
    z = (data - data.mean(axis=0)) / spread
    w = np.ones(len(values.columns)) if weights is None else np.array(
        [float(weights.get(c, 1.0)) for c in values.columns]
    )
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    row = z[values.index.get_loc(target)]
    return pd.Series(np.sqrt(((z - row) ** 2 * w).sum(axis=1)), index=values.index, name="distance")


def context_for_level(standings: pd.DataFrame, requested: Sequence[str] | None = None) -> list[str]:
    """The context indicators to use at a level.

    ``requested`` if given; else :data:`DEFAULT_CONTEXT` where the level has those indicators,
    topped up (when fewer than two remain) with the indicators most areas of the level have.
    """
    if requested:
        return list(dict.fromkeys(requested))
    available = set(standings["indicator_id"])
    chosen = [i for i in DEFAULT_CONTEXT if i in available]
    if len(chosen) < 2:
        coverage = standings.groupby("indicator_id")["geography_code"].nunique()
        for ident in coverage.sort_values(ascending=False, kind="stable").index:
            if ident not in chosen and len(chosen) < 5:
                chosen.append(ident)
    return chosen


def nearest_neighbours(
    ws: Workspace,
    code: str,
    k: int = 10,
    context: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    standings: pd.DataFrame | None = None,
) -> PeerGroup:
    """The ``k`` areas of the same level most like ``code`` on the context indicators.

    Parameters
    ----------
    ws:
        The workspace.
    code:
        The area.
    k:
        How many peers (at least 1).
    context:
        Indicator ids to match on; default :func:`context_for_level` (population, GDHI per
        head, GVA per hour worked, employment rate and level 3 qualifications where the level
        has them).
    weights:
        Optional weight per context indicator (default equal).
    standings:
        :func:`~levelscope.compare.standings.level_standings` for the area's level, if already
        computed (the web service caches it).

    Raises
    ------
    NotFoundError
        Unknown area or context indicator.
    UndefinedMeasureError
        When no context indicator can be used or no other area has them all.

    Returns
    -------
    PeerGroup
        The peers' codes, nearest first, with their distances and the indicators matched on.

    Examples
    --------
    >>> peers = nearest_neighbours(ws, "E08000025", k=5)  # Birmingham's five nearest
    >>> len(peers.codes), "E08000025" in peers.codes
    (5, False)
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    place = ws.geography(code)
    for ident in context or ():
        ws.indicator(ident)
    table = standings if standings is not None else level_standings(ws, str(place.level))
    indicators = context_for_level(table, context)
    wide = table[table["indicator_id"].isin(indicators)].pivot_table(
        index="geography_code", columns="indicator_id", values="value", aggfunc="first"
    )
    wide = wide.reindex(columns=indicators)
    if code not in wide.index:
        raise UndefinedMeasureError(f"{place.name} ({code}) has no value on any of {indicators}")
    target = wide.loc[code]
    usable = [i for i in indicators if pd.notna(target[i])]
    left_out = tuple(i for i in indicators if i not in usable)
    if not usable:
        raise UndefinedMeasureError(f"{place.name} ({code}) has no value on any of {indicators}")
    complete = wide[usable].dropna()
    if len(complete) < 2:
        raise UndefinedMeasureError(f"no other area at level {place.level} has values on {usable}")
    distance = standardised_distances(complete, code, weights).drop(code)
    nearest = distance.sort_values(kind="stable").head(k)
    names = table.drop_duplicates("geography_code").set_index("geography_code")["geography_name"]
    out = pd.DataFrame(
        {
            "rank": np.arange(1, len(nearest) + 1),
            "geography_code": nearest.index,
            "geography_name": names.reindex(nearest.index).to_numpy(),
            "distance": nearest.to_numpy(),
        }
    )
    out = out.join(complete.loc[nearest.index].reset_index(drop=True))
    return PeerGroup(
        code=code,
        name=place.name,
        level=str(place.level),
        context=tuple(usable),
        left_out=left_out,
        candidates=len(complete) - 1,
        table=out,
        provenance=ws.provenance(usable),
    )

