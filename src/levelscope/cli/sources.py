"""Where a command's figures per area come from: the workspace by default, a file if given.

``--population``, ``--need`` and the like take either an indicator id of the workspace (the
latest value of each area at the level) or a file: an area table as ``levelscope export`` writes
it (``geography_code``, ``value``, with ``indicator_id`` and ``period`` where there are
several), read by :func:`levelscope.data.area_tables.read_area_values`. A need index definition
(``.yaml``) is built from the workspace's indicators.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from levelscope.errors import NotFoundError

if TYPE_CHECKING:
    import pandas as pd

    from levelscope.data.store import Workspace
    from levelscope.need.index import CompositeIndex

TABLE_SUFFIXES = (".csv", ".xlsx", ".xls", ".parquet")
DEFINITION_SUFFIXES = (".yaml", ".yml")


def is_file(source: str) -> bool:
    """Whether ``source`` names a file (it exists, or ends like a table or a definition)."""
    return Path(source).exists() or Path(source).suffix.lower() in (*TABLE_SUFFIXES,
                                                                    *DEFINITION_SUFFIXES)


def latest_values(ws: Workspace, indicator: str, level: str) -> pd.Series:
    """Each area's latest value of ``indicator`` at ``level`` (by code)."""
    rows = ws.observations(indicator=indicator, level=level)
    if rows.empty:
        raise NotFoundError(f"the workspace has no {indicator!r} figures at level {level!r}")
    latest = rows.sort_values("period_end").drop_duplicates("geography_code", keep="last")
    return latest.set_index("geography_code")["value"].astype(float).rename(indicator)


def area_figures(
    source: str, ws: Workspace | None, level: str, *, names: tuple[str, ...],
    indicator: str | None = None,
) -> pd.Series:
    """Figures per area from a file (columns ``geography_code`` and one of ``names``; the rows of
    ``indicator`` where the file has an ``indicator_id`` column) or from the workspace indicator
    ``source``."""
    from levelscope.data.area_tables import read_area_values

    if is_file(source):
        path = Path(source)
        if not path.exists():
            raise NotFoundError(f"no file {source}")
        return read_area_values(path, indicator=indicator, value_columns=names)
    if ws is None:
        raise NotFoundError(f"{source!r} is neither a file nor, without a workspace, an indicator")
    return latest_values(ws, source, level)


def build_from_workspace(definition: Path, ws: Workspace, level: str, data: Path | None = None) -> CompositeIndex:
    """Build a need index from its definition, with indicators from ``data`` or the workspace."""
    from levelscope.need.definition import IndexDefinition
    from levelscope.need.examples import workspace_indicators
    from levelscope.need.index import build_index

    spec = IndexDefinition.from_yaml(definition)
    table = read_indicator_table(data) if data is not None else workspace_indicators(ws, spec, level)
    return build_index(table, spec)


def read_indicator_table(path: Path) -> pd.DataFrame:
    """Indicator data from a CSV file, wide (area code first) or long (observations)."""
    import pandas as pd

    from levelscope.need.index import pivot_observations

    table = pd.read_csv(path, dtype={0: str})
    if {"geography_code", "indicator_id", "value"} <= set(table.columns):
        return pivot_observations(table)
    first = table.columns[0]
    table[first] = table[first].astype(str)
    return table.set_index(first)


def is_definition(source: str) -> bool:
    """Whether ``source`` names an index definition (a YAML file)."""
    return Path(source).suffix.lower() in DEFINITION_SUFFIXES


def needs_workspace(*sources: str | None, data: Path | None = None) -> bool:
    """Whether figures named by ``sources`` come from the workspace (an indicator id, or a
    definition built without ``data``)."""
    return any(
        s is not None and (not is_file(s) or (is_definition(s) and data is None)) for s in sources
    )


def need_scores(source: str, ws: Workspace | None, level: str, data: Path | None = None) -> pd.Series:
    """Need by area: a definition built (from ``data`` or the workspace), a table of scores, or
    an indicator of the workspace."""
    if is_definition(source):
        path = Path(source)
        if ws is None:
            if data is None:
                raise NotFoundError(f"building {source} needs a workspace or --data")
            from levelscope.need.definition import IndexDefinition
            from levelscope.need.index import build_index

            return build_index(read_indicator_table(data), IndexDefinition.from_yaml(path)).scores
        return build_from_workspace(path, ws, level, data).scores
    return area_figures(source, ws, level, names=("value", "score", "need"))


def maybe_workspace(workspace: Path | None, wanted: bool) -> AbstractContextManager[Workspace | None]:
    """The workspace, read-only, when figures come from it; otherwise nothing."""
    from levelscope.cli.common import open_workspace

    return open_workspace(workspace, read_only=True) if wanted else nullcontext(None)
