"""How unequal the country is on one indicator, period by period, and where the inequality lies.

Views over :mod:`levelscope.measures` (which computes every number): the chosen measures for each
period (:func:`~levelscope.measures.summarize`) and the Theil index split between and within the
broad regions (:func:`~levelscope.measures.decompose_by`). Each area counts once (unweighted):
the question is how far places differ, not people. (``Workspace.inequality`` gives the measures
alone, weighted by population if asked; this view adds the split between and within regions
and a sentence for the page.)

The broad region of an area is its ancestor at ITL1 level, or for local authorities their English
region or, outside England, their nation — the same twelve areas either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from levelscope.data.store import Workspace
from levelscope.errors import NotFoundError, UndefinedMeasureError
from levelscope.formatting import level_name
from levelscope.measures import decompose_by, summarize
from levelscope.results import Result

if TYPE_CHECKING:
    import plotly.graph_objects as go

GROUP_LEVELS = ("itl1", "region", "nation")
DEFAULT_MEASURES = ("gini", "theil")
MEASURE_NAMES = {"gini": "Gini", "theil": "Theil T", "mld": "Mean log deviation",
                 "cv": "Coefficient of variation", "hoover": "Hoover index"}
MEASURE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")


@dataclass(frozen=True, repr=False)
class RegionalInequality(Result):
    """Inequality on one indicator at one level for every period, with its decomposition.

    ``table``: ``period``, ``period_end``, ``measure``, ``value``, ``n`` (areas).
    ``decomposition``: ``period``, ``period_end``, ``total``, ``between``, ``within``,
    ``between_share`` (Theil T between and within broad regions). ``notes`` explain anything
    left out (periods with too few areas, measures undefined for the data).
    """

    indicator_id: str
    indicator_name: str
    level: str
    measures: tuple[str, ...]
    table: pd.DataFrame
    decomposition: pd.DataFrame
    statement: str
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return "\n".join([f"{self.indicator_name} across {level_name(self.level, True)}",
                          self.statement, *self.notes])

    def plot(self) -> go.Figure:
        """Each measure over time (one line per measure)."""
        import plotly.graph_objects as go

        figure = go.Figure()
        for i, (measure, rows) in enumerate(self.table.groupby("measure", sort=False)):
            figure.add_scatter(x=rows["period"], y=rows["value"], mode="lines+markers",
                               name=MEASURE_NAMES.get(str(measure), str(measure)),
                               line={"color": MEASURE_COLOURS[i % len(MEASURE_COLOURS)]})
        figure.update_layout(title=f"Inequality in {self.indicator_name.lower()} across "
                                   f"{level_name(self.level, True)}",
                             xaxis_title="period", yaxis_title="index",
                             legend={"orientation": "h", "y": -0.2},
                             margin={"l": 60, "r": 20, "t": 50, "b": 40})
        return figure

    def plot_decomposition(self) -> go.Figure:
        """Theil T stacked into its between-region and within-region parts for each period."""
        import plotly.graph_objects as go

        d = self.decomposition
        figure = go.Figure()
        figure.add_bar(x=d["period"], y=d["between"], name="Between broad regions", marker_color="#0072B2")
        figure.add_bar(x=d["period"], y=d["within"], name="Within broad regions", marker_color="#E69F00")
        figure.update_layout(barmode="stack", title="Theil T: between and within broad regions",
                             xaxis_title="period", yaxis_title="Theil T",
                             legend={"orientation": "h", "y": -0.2},
                             margin={"l": 60, "r": 20, "t": 50, "b": 40})
        return figure


def broad_regions(ws: Workspace, level: str) -> pd.Series:
    """The broad region (name) of every area at ``level``: its nearest ancestor at ITL1,
    English region or nation level. Areas with no such ancestor are left out.

    Parameters
    ----------
    ws
        The workspace.
    level
        The geographic level of the areas.

    Returns
    -------
    pandas.Series
        The broad region's name, indexed by area code.

    Examples
    --------
    >>> broad_regions(ws, "lad")["E08000025"]
    'West Midlands'
    """
    places = ws.geographies()
    level_of = places.set_index("code")["level"].to_dict()
    name_of = places.set_index("code")["name"].to_dict()
    parents: dict[str, list[str]] = {
        str(code): [str(p) for p in links] if _is_list(links) else []
        for code, links in zip(places["code"], places["parents"], strict=True)
    }
    found: dict[str, str] = {}
    for code in places.loc[places["level"] == level, "code"]:
        queue, seen = list(parents.get(str(code), [])), set()
        while queue:
            parent = queue.pop(0)
            if parent in seen:
                continue
            seen.add(parent)
            if level_of.get(parent) in GROUP_LEVELS:
                found[str(code)] = str(name_of[parent])
                break
            queue.extend(parents.get(parent, []))
    return pd.Series(found, name="broad_region", dtype=object)


def _is_list(value: object) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str)


def regional_inequality(
    ws: Workspace,
    indicator: str,
    level: str,
    measures: Sequence[str] = DEFAULT_MEASURES,
    *,
    panel: pd.DataFrame | None = None,
    regions: pd.Series | None = None,
    min_areas: int = 3,
) -> RegionalInequality:
    """Inequality on ``indicator`` across the areas of ``level`` in every period.

    Parameters
    ----------
    ws:
        The workspace.
    indicator, level:
        The indicator id and the geographic level of the areas.
    measures:
        Measure names understood by :func:`levelscope.measures.summarize`.
    panel, regions:
        ``ws.observations(indicator, level=level)`` and :func:`broad_regions` if at hand.
    min_areas:
        Periods with fewer areas are left out (and say so in ``notes``).

    Raises
    ------
    NotFoundError
        Unknown indicator, or no values at that level.
    UndefinedMeasureError
        When the measures are undefined for the data (e.g. negative values).

    Returns
    -------
    RegionalInequality
        One row per period and measure, the split of the Theil index between and within broad
        regions, and sentences on the trend.

    Examples
    --------
    >>> result = regional_inequality(ws, "gva_per_hour_worked", "itl3")
    >>> result.to_frame()["measure"].unique().tolist()
    ['gini', 'theil']
    """
    meta = ws.indicator(indicator)
    data = panel if panel is not None else ws.observations(indicator, level=level)
    if data.empty:
        raise NotFoundError(f"{indicator!r} has no values at level {level!r}")
    counts = data.groupby("period")["value"].count()
    small = counts[counts < min_areas].index.tolist()
    notes = [f"Left out {p}: fewer than {min_areas} areas have figures." for p in small]
    frame = data[~data["period"].isin(small)][["period", "period_end", "geography_code", "value"]]
    if frame.empty:
        raise UndefinedMeasureError(f"no period has {min_areas} or more areas with figures")
    ends = frame.groupby("period")["period_end"].max()
    table = summarize(frame[["period", "value"]], "value", by=["period"], measures=list(measures))
    table["period_end"] = table["period"].map(ends)
    table = table.sort_values(["period_end", "measure"], kind="stable")[
        ["period", "period_end", "measure", "value", "n"]
    ].reset_index(drop=True)

    groups = regions if regions is not None else broad_regions(ws, level)
    grouped = frame.assign(broad_region=frame["geography_code"].map(groups)).dropna(subset=["broad_region"])
    try:
        split = decompose_by(grouped, "value", "broad_region", by="period", measure="theil").table
        split["period_end"] = split["period"].map(ends)
        decomposition = split.sort_values("period_end")[
            ["period", "period_end", "total", "between", "within", "between_share"]
        ].reset_index(drop=True)
    except UndefinedMeasureError as reason:
        notes.append(f"No decomposition: {reason}")
        decomposition = pd.DataFrame(
            columns=["period", "period_end", "total", "between", "within", "between_share"]
        )
    statement = _statement(meta.name, level, table, decomposition)
    return RegionalInequality(
        indicator_id=indicator, indicator_name=meta.name, level=level, measures=tuple(measures),
        table=table, decomposition=decomposition, statement=statement, notes=tuple(notes),
        provenance=ws.provenance(indicator),
    )


def _statement(name: str, level: str, table: pd.DataFrame, decomposition: pd.DataFrame) -> str:
    first_measure = table["measure"].iloc[0]
    series = table[table["measure"] == first_measure]
    label = MEASURE_NAMES.get(first_measure, first_measure)
    first, last = series.iloc[0], series.iloc[-1]
    areas = level_name(level, True)
    if len(series) == 1:
        text = f"The {label} of {name.lower()} across {areas} is {last['value']:.3f} ({last['period']})."
    else:
        change = last["value"] - first["value"]
        verb = "rose" if change > 0 else "fell" if change < 0 else "was unchanged"
        text = (f"The {label} of {name.lower()} across {areas} {verb} from {first['value']:.3f} in "
                f"{first['period']} to {last['value']:.3f} in {last['period']}.")
    if not decomposition.empty and pd.notna(decomposition["between_share"].iloc[-1]):
        share = decomposition["between_share"].iloc[-1]
        text += (f" In {decomposition['period'].iloc[-1]}, {share:.0%} of the Theil index lay between "
                 f"broad regions and {1 - share:.0%} within them.")
    return text
