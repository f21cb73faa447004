"""Where an area stands: its latest value on every indicator, its rank and the median.

The median and ranks are taken over the areas at the same level (local authorities are compared
with local authorities) for the same period, so a value is only ever set against like figures.
Ranks respect polarity: rank 1 is the best-placed area whether higher or lower is better.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from levelscope.data.store import Workspace
from levelscope.results import Result


@dataclass(frozen=True, repr=False)
class AreaProfile(Result):
    """An area's latest values with rank, median and gap to the median for each indicator."""

    code: str
    name: str
    level: str
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        shown = self.table[["indicator_id", "period", "value", "median", "rank", "areas"]]
        return f"{self.name} ({self.code}, {self.level})\n{shown.to_string(index=False)}"


def latest_by_level(ws: Workspace, level: str, as_of: str | None = None) -> pd.DataFrame:
    """Every area's newest value of each indicator at one level, set against its peers.

    An area's newest period is compared with the other areas of the level that have a value for
    that same period (nations publish on different timetables, so they may differ). Columns add
    ``median`` (over those areas), ``rank`` (1 = best, by polarity; ties share the best rank)
    and ``areas`` (how many areas were ranked).
    """
    panel = ws.observations(level=level, as_of=as_of)
    if panel.empty:
        return panel.assign(median=[], rank=[], areas=[])
    # each area's newest period; it is compared with the areas that have that same period
    newest = panel.groupby(["indicator_id", "geography_code"])["period_end"].transform("max")
    current = panel[panel["period_end"] == newest].copy()
    polarity = ws.indicators().set_index("id")["polarity"]
    higher = current["indicator_id"].map(polarity).ne("lower_is_better")
    peers = current.groupby(["indicator_id", "period"])["value"]
    current["median"] = peers.transform("median")
    current["areas"] = peers.transform("count")
    descending = peers.rank(method="min", ascending=False)
    ascending = peers.rank(method="min", ascending=True)
    current["rank"] = descending.where(higher, ascending).astype(int)
    return current


def area_profile(ws: Workspace, code: str, as_of: str | None = None) -> AreaProfile:
    """The profile of one area against the median of its level.

    Parameters
    ----------
    ws:
        The workspace.
    code:
        The area's code (e.g. ``E08000025`` for Birmingham).
    as_of:
        Use the figures as released on or before this date.

    Raises
    ------
    NotFoundError
        If the code is unknown (with close matches suggested).
    """
    place = ws.geography(code)
    ranked = latest_by_level(ws, str(place.level), as_of)
    mine = ranked[ranked["geography_code"] == code]
    meta = ws.indicators().set_index("id")
    table = mine.assign(
        name=mine["indicator_id"].map(meta["name"]),
        unit=mine["indicator_id"].map(meta["unit"]),
        theme=mine["indicator_id"].map(meta["theme"]),
        polarity=mine["indicator_id"].map(meta["polarity"]),
        gap=mine["value"] - mine["median"],
    )[
        ["theme", "indicator_id", "name", "unit", "polarity", "period", "value", "lower",
         "upper", "median", "gap", "rank", "areas", "vintage", "source"]
    ].sort_values(["theme", "indicator_id"]).reset_index(drop=True)
    ids = table["indicator_id"].tolist()
    provenance = ws.provenance(ids) if ids else ws.provenance([])
    return AreaProfile(code=code, name=place.name, level=str(place.level), table=table,
                       provenance=provenance)
