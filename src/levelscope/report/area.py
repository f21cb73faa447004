"""The area briefing: an area against the median and its peers on every indicator, its trends,
its place on the map and the inequality around it.

:func:`area_briefing` gathers the result objects (the same functions the area page calls) and
hands them to ``templates/area.html``; nothing is computed in the template.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from markupsafe import Markup

from levelscope.compare.comparison import AreaComparison, compare_area, plain_summary
from levelscope.compare.maps import MapData, map_data
from levelscope.compare.regions import RegionalInequality, regional_inequality
from levelscope.compare.trends import area_trend
from levelscope.data.store import Workspace
from levelscope.errors import NotFoundError, UndefinedMeasureError
from levelscope.formatting import level_name
from levelscope.report.document import Report
from levelscope.report.maps import choropleth_svg
from levelscope.results import Provenance, Source

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Indicators a briefing maps and follows first when the area has them (income, productivity,
#: pay, employment), as on the area page.
HEADLINE = ("gdhi_per_head", "gva_per_hour_worked", "weekly_pay", "employment_rate")
#: The most bars in one profile chart, and each bar's height in pixels: 22 bars with their
#: title, axis and legend stay under the 880 px a chart may take on an A4 page (see the drawing
#: script in report.html); a theme with more is drawn in several charts.
PROFILE_BARS = 22
BAR_HEIGHT = 30
#: Characters per line of an indicator's name beside its bar (two lines at most; the tables give
#: the names in full).
LABEL_WIDTH = 40


def area_briefing(
    ws: Workspace, code: str, *, k: int = 10, trends: int = 3, standings: pd.DataFrame | None = None
) -> Report:
    """The area briefing of ``code``.

    Parameters
    ----------
    ws:
        The workspace.
    code:
        The area's code.
    k:
        How many statistical nearest neighbours to compare with
        (:func:`~levelscope.compare.peers.nearest_neighbours`); the briefing compares with the
        median alone when the area has too few figures to find peers.
    trends:
        How many indicators with a direction to follow over time (the headline ones first,
        among those with two periods or more for the area).
    standings:
        :func:`~levelscope.compare.standings.level_standings` of the area's level if at hand
        (the server keeps them).

    Returns
    -------
    Report
        Render with :meth:`Report.html`, :meth:`Report.pdf` or :meth:`Report.write`.

    Raises
    ------
    NotFoundError
        Unknown area.

    Examples
    --------
    >>> report = area_briefing(ws, "E08000025")  # doctest: +SKIP
    >>> report.write("birmingham.pdf")  # doctest: +SKIP
    """
    place = ws.geography(code)
    level = str(place.level)
    try:
        comparison = compare_area(ws, code, "peers", k=k, standings=standings)
    except (UndefinedMeasureError, NotFoundError):
        comparison = compare_area(ws, code, "median", standings=standings)
    headline = _headline(comparison)
    followed = tuple(area_trend(ws, code, i, peers=comparison.comparator_codes)
                     for i in _with_series(ws, code, headline)[:trends])
    mapped = _map(ws, headline[0], level) if headline else None
    inequality = _inequality(ws, headline[0], level) if headline else None
    provenance = comparison.provenance
    for result in (*followed, mapped, inequality):
        if result is not None:
            provenance = provenance + result.provenance
    content = {
        "comparison": comparison,
        "summary": plain_summary(comparison, [t.statement for t in followed]),
        "profiles": profile_charts(comparison),
        "counts": comparison.counts(),
        "trends": followed,
        "map": mapped,
        "map_svg": _map_svg(ws, mapped, code, comparison.name) if mapped is not None else None,
        "map_rank": _rank(mapped, code) if mapped is not None else None,
        "inequality": inequality,
        "missing": _missing_indicators(ws, comparison),
        "level_label": level_name(level),
    }
    return Report(
        kind="area", title=f"Area briefing: {place.name}", subtitle=code, content=content,
        sources=_sources(provenance),
    )


def profile_charts(comparison: AreaComparison) -> dict[str, list[go.Figure]]:
    """The comparison's chart split by theme, and a long theme into charts of at most
    :data:`PROFILE_BARS` bars, so that each fits on an A4 page."""
    charts: dict[str, list[go.Figure]] = {}
    plotted = comparison.table.dropna(subset=["gap"])
    for theme, rows in plotted.groupby("theme", sort=False):
        parts = math.ceil(len(rows) / PROFILE_BARS)
        for number, chunk in enumerate(np.array_split(np.arange(len(rows)), parts), start=1):
            part = rows.iloc[chunk]
            figure = replace(comparison, table=part).plot()
            title = str(theme) if parts == 1 else f"{theme} ({number} of {parts})"
            names = part["name"].astype(str).tolist()
            figure.update_layout(title={"text": title, "font": {"size": 14}},
                                 height=BAR_HEIGHT * len(part) + 150)
            figure.update_yaxes(tickmode="array", tickvals=names, ticktext=[_label(n) for n in names],
                                tickfont={"size": 10})
            charts.setdefault(str(theme), []).append(figure)
    return charts


def _label(name: str) -> str:
    lines = textwrap.wrap(name, LABEL_WIDTH, max_lines=2, placeholder=" …")
    return "<br>".join(lines)


def _headline(comparison: AreaComparison) -> list[str]:
    """Indicators with a direction the area has, the headline ones first."""
    table = comparison.table
    directional = table[table["polarity"] != "neutral"]["indicator_id"].tolist()
    return [i for i in HEADLINE if i in directional] + [i for i in directional if i not in HEADLINE]


def _with_series(ws: Workspace, code: str, indicators: list[str]) -> list[str]:
    """Those of ``indicators`` with figures for two periods or more for the area, in order."""
    series = set(ws.scalar(
        "SELECT list(indicator_id) FROM (SELECT indicator_id FROM observation WHERE geography_code = ? "
        "GROUP BY indicator_id HAVING count(DISTINCT period) >= 2)", [code],
    ) or [])
    return [i for i in indicators if i in series]


def _map(ws: Workspace, indicator: str, level: str) -> MapData | None:
    codes, _, _ = ws.geometries(level)
    if not codes:
        return None
    try:
        return map_data(ws, indicator, level)
    except (NotFoundError, UndefinedMeasureError):
        return None


def _map_svg(ws: Workspace, result: MapData, code: str, name: str) -> Markup:
    codes, shapes, crs = ws.geometries(result.level)
    label = (f"Map of {result.indicator_name.lower()} for every {level_name(result.level)}, "
             f"{result.period}, in {len(result.labels)} classes from light to dark; {name} is "
             f"outlined in black. The table beside the map gives the classes.")
    return choropleth_svg(result, codes, shapes, crs, highlight=code, label=label)


def _rank(result: MapData, code: str) -> dict[str, object] | None:
    """The area's value, class and rank (1 = highest) on the map's indicator."""
    table = result.table.sort_values("value", ascending=False).reset_index(drop=True)
    rows = table.index[table["geography_code"] == code]
    if len(rows) == 0:
        return None
    row = table.loc[rows[0]]
    return {"value": row["value"], "rank": int(rows[0]) + 1, "areas": len(table),
            "label": result.labels[int(row["class"])], "colour": row["colour"]}


def _inequality(ws: Workspace, indicator: str, level: str) -> RegionalInequality | None:
    try:
        return regional_inequality(ws, indicator, level)
    except (NotFoundError, UndefinedMeasureError):
        return None


def _missing_indicators(ws: Workspace, comparison: AreaComparison) -> list[str]:
    """Indicators held for the area's level that the area has no figure on."""
    held = ws.scalar(
        "SELECT list(DISTINCT o.indicator_id ORDER BY o.indicator_id) FROM observation o "
        "JOIN geography g ON g.code = o.geography_code WHERE g.level = ?", [comparison.level],
    ) or []
    have = set(comparison.table["indicator_id"])
    meta = ws.indicators().set_index("id")["name"]
    return sorted(str(meta.get(i, i)) for i in held if i not in have)


def _sources(provenance: Provenance) -> tuple[Source, ...]:
    return provenance.sources
