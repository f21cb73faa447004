"""Where an area stands: its latest value on every indicator, its rank, the median and its flag.

The area's rows of :func:`~levelscope.compare.standings.level_standings`, so the command line,
the API and the dashboard show the same ranks, medians and flags. Counts and amounts (an area's
size) also get a figure per head where the workspace holds the area's population for the same
year: per 1,000 people for counts, pounds per head for amounts in £ million.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from levelscope.compare.standings import SIZE_KINDS, level_standings
from levelscope.data.store import Workspace
from levelscope.errors import NotFoundError
from levelscope.results import Result

#: The indicator whose values divide counts and amounts into figures per head.
POPULATION = "population"


@dataclass(frozen=True, repr=False)
class AreaProfile(Result):
    """An area's latest values with rank, median, gap and flag against the median per indicator.

    ``table`` has one row per indicator; ``kind`` says whether it is a rate or index (ranked,
    flagged better / worse) or a count or amount (the area's size: ranked largest first, flagged
    higher / lower only), and ``per_head`` / ``per_head_unit`` give counts and amounts per head
    where the area's population of the same year is known.
    """

    code: str
    name: str
    level: str
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        shown = self.table[["indicator_id", "period", "value", "median", "rank", "areas"]]
        return f"{self.name} ({self.code}, {self.level})\n{shown.to_string(index=False)}"


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

    Returns
    -------
    AreaProfile
        One row per indicator: the area's newest value, the level's median, its rank and how
        many areas were ranked.

    Examples
    --------
    >>> profile = area_profile(ws, "E08000025")
    >>> profile.name, profile.level
    ('Birmingham', 'lad')
    """
    place = ws.geography(code)
    standings = level_standings(ws, str(place.level), as_of)
    table = standings[standings["geography_code"] == code][
        ["theme", "indicator_id", "name", "unit", "polarity", "kind", "period", "period_end",
         "value", "lower", "upper", "median", "gap", "sd", "rank", "areas", "flag", "flag_basis",
         "vintage", "source"]
    ].reset_index(drop=True)
    table = _per_head(ws, code, table, as_of).drop(columns=["period_end"])
    ids = table["indicator_id"].tolist()
    provenance = ws.provenance(ids) if ids else ws.provenance([])
    return AreaProfile(code=code, name=place.name, level=str(place.level), table=table,
                       provenance=provenance)


def _per_head(ws: Workspace, code: str, table: pd.DataFrame, as_of: str | None) -> pd.DataFrame:
    """Add ``per_head`` and ``per_head_unit``: counts per 1,000 people, £ million as £ per head.

    A figure is divided by the area's population of the period's last year, or of the latest
    year before it that the workspace holds.
    """
    out = table.assign(per_head=np.nan, per_head_unit="")
    size = out["kind"].isin(SIZE_KINDS) & (out["indicator_id"] != POPULATION)
    if not size.any():
        return out
    try:
        population = ws.observations(POPULATION, geographies=[code], as_of=as_of)
    except NotFoundError:
        return out
    people = population.groupby("year")["value"].last().sort_index()
    if people.empty:
        return out
    # the population of the period's last year, or of the latest year before it (a financial
    # year 2022/23 is divided by the mid-2022 estimate when mid-2023 is not out yet)
    years = pd.to_datetime(out["period_end"]).dt.year
    position = np.searchsorted(people.index.to_numpy(), years.to_numpy(), side="right") - 1
    heads = pd.Series(np.where(position >= 0, people.to_numpy()[np.maximum(position, 0)], np.nan),
                      index=out.index).where(size)
    money = out["unit"].astype(str).str.strip().str.startswith("£ million")
    out["per_head"] = np.where(money, out["value"] * 1e6 / heads, out["value"] * 1000 / heads)
    out["per_head_unit"] = np.where(heads.notna(), np.where(money, "£ per head", "per 1,000 people"), "")
    out.loc[heads.isna(), "per_head"] = np.nan
    return out
