"""Where an area stands: its latest value on every indicator, its rank, the median and its flag.

The area's rows of :func:`~levelscope.compare.standings.level_standings`, so the command line,
the API and the dashboard show the same ranks, medians and flags.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from levelscope.compare.standings import level_standings
from levelscope.data.store import Workspace
from levelscope.results import Result


@dataclass(frozen=True, repr=False)
class AreaProfile(Result):
    """An area's latest values with rank, median, gap and flag against the median per indicator."""

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
    """
    place = ws.geography(code)
    standings = level_standings(ws, str(place.level), as_of)
    table = standings[standings["geography_code"] == code][
        ["theme", "indicator_id", "name", "unit", "polarity", "period", "value", "lower", "upper",
         "median", "gap", "sd", "rank", "areas", "flag", "flag_basis", "vintage", "source"]
    ].reset_index(drop=True)
    ids = table["indicator_id"].tolist()
    provenance = ws.provenance(ids) if ids else ws.provenance([])
    return AreaProfile(code=code, name=place.name, level=str(place.level), table=table,
                       provenance=provenance)
