"""The explorer's pages: pick an area, see where it stands, follow an indicator over time,
see how unequal the country is, and map any indicator.

Server-rendered; every view is set by its query string, so a URL reproduces it. The numbers come
from the same cached functions as the REST API (:mod:`levelscope.web.api.explorer`); charts are
the result objects' own Plotly figures, drawn in the browser by ``/static/charts.js``.

* ``/`` — home: search or browse areas;
* ``/areas`` — search results / areas of a level;
* ``/areas/{code}`` — area page (``compare=median|peers|areas``, ``areas=``, ``k=``, ``map=``);
* ``/areas/{code}/trends/{indicator}`` — the area's trend on one indicator;
* ``/inequality`` — inequality over time with its decomposition;
* ``/maps`` — choropleth or LISA cluster map of any indicator at a level with boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from levelscope.compare.comparison import AreaComparison
from levelscope.compare.maps import VIRIDIS, MapData, Scheme
from levelscope.compare.regions import DEFAULT_MEASURES, MEASURE_NAMES
from levelscope.data.geography.history import boundary_note
from levelscope.errors import LevelscopeError, NotFoundError, UndefinedMeasureError, ValidationError
from levelscope.formatting import level_name
from levelscope.web.api.explorer import (
    cluster_table,
    comparison_of,
    context_ids,
    place_code,
    trend_peers,
)
from levelscope.web.common import check_level
from levelscope.web.deps import Served
from levelscope.web.encoding import json_value, records
from levelscope.web.state import LEVEL_ORDER, Explorer
from levelscope.web.templating import render

router = APIRouter(include_in_schema=False)

#: Indicators shown first when a page needs a default (income, productivity, pay).
PREFERRED = ("gdhi_per_head", "gva_per_hour_worked", "weekly_pay", "employment_rate")
CODE_IN_BRACKETS = re.compile(r"\(([A-Za-z0-9]+)\)\s*$")


def _error_page(request: Request, error: LevelscopeError, title: str) -> HTMLResponse:
    status = 404 if isinstance(error, NotFoundError) else 422
    if isinstance(error, ValidationError):
        message = "; ".join(p.reason if p.value is None else f"{p.value}: {p.reason}" for p in error.problems)
    else:
        message = str(error)
    return render(request, "explorer/problem.html", status_code=status, title=title, message=message)


def _area_options(ex: Explorer) -> list[dict[str, Any]]:
    """Every area with figures as ``Name (CODE)`` for the area picker."""
    table = ex.areas_with_figures()
    return [{"label": f"{n} ({c})", "level": level_name(lv)}
            for c, n, lv in zip(table["code"], table["name"], table["level"], strict=True)]


def _levels(ex: Explorer) -> list[dict[str, Any]]:
    order = {level: i for i, level in enumerate(LEVEL_ORDER)}
    counts = ex.areas_with_figures().groupby("level").size()
    levels = sorted(ex.ws.levels(), key=lambda lv: (order.get(lv, len(order)), lv))
    return [{"level": lv, "name": level_name(lv, True), "areas": int(counts.get(lv, 0))} for lv in levels]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ex: Served) -> HTMLResponse:
    return render(request, "explorer/home.html", options=_area_options(ex), levels=_levels(ex),
                  counts=ex.ws._remember(("counts",), ex.ws.counts))


@router.get("/areas", response_class=HTMLResponse)
def find_area(
    request: Request,
    ex: Served,
    q: Annotated[str, Query(max_length=200)] = "",
    level: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Go straight to the area the text names; otherwise list the matches."""
    text = q.strip()
    picked = CODE_IN_BRACKETS.search(text)
    known = ex.areas_with_figures()
    if picked and picked.group(1) in set(known["code"]):
        return RedirectResponse(f"/areas/{picked.group(1)}", status_code=303)
    if level is not None and level not in ex.ws.levels():
        level = None
    found = ex.area_search(text, level) if text or level else known.iloc[0:0]
    exact = found[(found["code"].str.casefold() == text.casefold())
                  | (found["name"].str.casefold() == text.casefold())] if text else found.iloc[0:0]
    if len(exact) == 1:
        return RedirectResponse(f"/areas/{exact['code'].iloc[0]}", status_code=303)
    return render(request, "explorer/areas.html", q=text, level=level, areas=records(found.head(500)),
                  total=len(found), options=_area_options(ex), levels=_levels(ex))


def _default_map_indicator(table: pd.DataFrame) -> str | None:
    have = table["indicator_id"].tolist()
    for ident in PREFERRED:
        if ident in have:
            return ident
    return have[0] if have else None


def _map_block(
    ex: Explorer, indicator: str | None, level: str, highlight: str | None
) -> dict[str, Any] | None:
    """The area page's choropleth, or None where the level has no boundaries or no values."""
    if indicator is None or level not in ex.levels_with_shapes():
        return None
    try:
        result = ex.map(indicator, level, None, "quantiles", 5)
    except (NotFoundError, UndefinedMeasureError):
        return None
    return _map_block_from(result, level) | {"highlight": highlight}


def _themes(result: AreaComparison) -> list[tuple[str, list[dict[str, Any]]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in records(result.table):
        grouped.setdefault(str(row["theme"]), []).append(row)
    return list(grouped.items())


@router.get("/areas/{code}", response_class=HTMLResponse)
def area_page(
    request: Request,
    ex: Served,
    code: str,
    compare: Annotated[Literal["median", "peers", "areas"], Query()] = "median",
    areas: Annotated[list[str] | None, Query(max_length=10)] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    map: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    try:
        result = comparison_of(ex, code, compare, areas, k, None)
        trends = ex.headline_trends(code)
        if map is not None:
            ex.ws.indicator(map)
    except LevelscopeError as error:
        return _error_page(request, error, "Area not shown")
    level = result.level
    mapped = map or _default_map_indicator(result.table)
    query = {"compare": result.comparison, "k": k, "areas": ",".join(result.comparator_codes)
             if result.comparison == "areas" else ""}
    csv_query = urlencode({key: value for key, value in query.items() if value} | {"format": "csv"})
    summary = result.summary() if not trends else _with_trends(result, [t.statement for t in trends])
    same_level = ex.areas_with_figures()
    same_level = same_level[(same_level["level"] == level) & (same_level["code"] != code)]
    peer_context = result.peers.context if result.peers is not None else ()
    return render(
        request, "explorer/area.html",
        result=result, summary=summary, themes=_themes(result), counts=result.counts(),
        chart=result.plot().to_json(), map=_map_block(ex, mapped, level, code), mapped=mapped,
        map_choices=list(zip(result.table["indicator_id"], result.table["name"], strict=True)),
        peers=records(result.peers.table) if result.peers is not None else None,
        peer_group=result.peers, context_names=_names(ex, peer_context), k=k,
        chosen=",".join(result.comparator_codes) if result.comparison == "areas" else "",
        same_level=records(same_level[["code", "name"]]), csv_query=csv_query,
        level_label=level_name(level), shaped=level in ex.levels_with_shapes(),
        sources=result.provenance.sources, boundary_note=boundary_note(code, ex.ws.geography_vintage),
    )


def _names(ex: Explorer, ids: Iterable[str]) -> list[str]:
    meta = ex.ws.indicators().set_index("id")["name"]
    return [str(meta.get(i, i)).lower() for i in ids]


def _with_trends(result: AreaComparison, statements: list[str]) -> str:
    from levelscope.compare.comparison import plain_summary

    return plain_summary(result, statements)


@router.get("/areas/{code}/trends")
def pick_trend(
    code: str,
    indicator: Annotated[str, Query(max_length=80)],
    peers: Annotated[bool, Query()] = True,
) -> RedirectResponse:
    """The trend picker's form lands here; the trend's own address carries the indicator."""
    query = urlencode({"peers": str(peers).lower()})
    return RedirectResponse(f"/areas/{quote(code)}/trends/{quote(indicator)}?{query}", status_code=303)


@router.get("/areas/{code}/trends/{indicator}", response_class=HTMLResponse)
def trend_page(
    request: Request,
    ex: Served,
    code: str,
    indicator: str,
    peers: Annotated[bool, Query()] = True,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> HTMLResponse:
    try:
        place_code(ex, code)
        ex.ws.indicator(indicator)
        try:
            codes = trend_peers(ex, code, peers, k, context_ids(ex, None))
        except UndefinedMeasureError:
            codes = ()
        result = ex.trend(code, indicator, codes)
        if result.series.empty:
            raise NotFoundError(f"{result.name} has no figures on {result.indicator_name.lower()}")
    except LevelscopeError as error:
        return _error_page(request, error, "Trend not shown")
    standing = ex.area_standings(code)
    choices = list(zip(standing["indicator_id"], standing["name"], strict=True))
    csv = f"/api/areas/{code}/trends/{indicator}?" + urlencode(
        {"peers": str(bool(codes)).lower(), "k": k, "format": "csv"})
    return render(request, "explorer/trend.html", trend=result, chart=result.plot().to_json(),
                  series=records(result.series), peers=codes, with_peers=peers, k=k, choices=choices,
                  csv=csv, level_label=level_name(result.level, True), sources=result.provenance.sources)


def _indicator_choices(ex: Explorer, level: str | None = None, min_areas: int = 1) -> list[dict[str, Any]]:
    """Indicators by theme for a picker, optionally only those with figures at ``level``."""
    coverage = ex.indicator_levels()
    if level is not None:
        coverage = coverage[(coverage["level"] == level) & (coverage["areas"] >= min_areas)]
    table = ex.ws.indicators()
    table = table[table["id"].isin(coverage["indicator_id"])]
    return [{"theme": theme, "indicators": list(zip(rows["id"], rows["name"], strict=True))}
            for theme, rows in table.groupby("theme", sort=True)]


def _default_pair(ex: Explorer, levels: set[str] | None = None) -> tuple[str, str]:
    """A sensible first view: productivity across local authorities if held, else the longest series."""
    coverage = ex.indicator_levels()
    if levels is not None:
        coverage = coverage[coverage["level"].isin(levels)]
    for ident in PREFERRED[1:] + PREFERRED[:1]:
        for level in ("lad", "itl3"):
            if ((coverage["indicator_id"] == ident) & (coverage["level"] == level)).any():
                return ident, level
    best = coverage[coverage["areas"] >= 3].sort_values(["periods", "areas"], ascending=False).iloc[0]
    return str(best["indicator_id"]), str(best["level"])


@router.get("/inequality", response_class=HTMLResponse)
def inequality_page(
    request: Request,
    ex: Served,
    indicator: Annotated[str | None, Query(max_length=80)] = None,
    level: Annotated[str | None, Query(max_length=40)] = None,
    measures: Annotated[list[str] | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    default_indicator, default_level = _default_pair(ex)
    indicator, level = indicator or default_indicator, level or default_level
    chosen = tuple(m for m in (measures or DEFAULT_MEASURES) if m)
    try:
        check_level(ex, level)
        result = ex.inequality(indicator, level, chosen)
    except LevelscopeError as error:
        return _error_page(request, error, "Inequality not shown")
    except ValueError as error:  # an unknown measure name
        return _error_page(request, UndefinedMeasureError(str(error)), "Inequality not shown")
    base = {"indicator": indicator, "level": level, "measures": list(chosen)}
    return render(
        request, "explorer/inequality.html", result=result, chart=result.plot().to_json(),
        decomposition_figure=None if result.decomposition.empty else result.plot_decomposition().to_json(),
        table=records(result.table), decomposition=records(result.decomposition),
        choices=_indicator_choices(ex, level, min_areas=3), levels=_levels(ex), indicator=indicator,
        level=level, measure_names=MEASURE_NAMES, chosen=chosen,
        csv=f"/api/inequality/{indicator}?" + urlencode(base | {"format": "csv"}, doseq=True),
        csv_decomposition=f"/api/inequality/{indicator}?"
        + urlencode(base | {"format": "csv", "table": "decomposition"}, doseq=True),
        level_label=level_name(level, True), sources=result.provenance.sources,
    )


@router.get("/maps", response_class=HTMLResponse)
def maps_page(
    request: Request,
    ex: Served,
    indicator: Annotated[str | None, Query(max_length=80)] = None,
    level: Annotated[str | None, Query(max_length=40)] = None,
    period: Annotated[str | None, Query(max_length=40)] = None,
    scheme: Annotated[Scheme, Query()] = "quantiles",
    k: Annotated[int, Query(ge=2, le=len(VIRIDIS))] = 5,
    view: Annotated[Literal["values", "clusters"], Query()] = "values",
) -> HTMLResponse:
    shaped = ex.levels_with_shapes()
    if not shaped:
        return render(request, "explorer/problem.html", status_code=404, title="No maps",
                      message="This workspace holds no boundaries, so there is nothing to map.")
    default_indicator, default_level = _default_pair(ex, shaped)
    indicator, level = indicator or default_indicator, level or default_level
    try:
        if level not in shaped:
            raise NotFoundError(f"no boundaries for {level_name(level, True)}; maps are available for "
                                f"{', '.join(level_name(s, True) for s in sorted(shaped))}")
        result = ex.map(indicator, level, period or None, scheme, k)
        clusters = ex.clusters(indicator, level, result.period, 999, 0.05) if view == "clusters" else None
    except LevelscopeError as error:
        return _error_page(request, error, "Map not shown")
    names = dict(zip(result.table["geography_code"], result.table["geography_name"], strict=True))
    clustered = None if clusters is None else cluster_table(clusters)
    if clustered is not None:
        table = clustered
        labels = list(dict.fromkeys(table["cluster"]))
        block = {
            "boundaries": f"/api/boundaries/{level}", "highlight": None,
            "title": f"LISA clusters of {result.indicator_name.lower()}, {result.period}",
            "values": _map_values(table, table["geography_code"].map(names), table["cluster"]),
            "legend": [{"label": lab, "colour": table.loc[table["cluster"] == lab, "colour"].iloc[0]}
                       for lab in labels],
        }
        csv = f"/api/maps/{indicator}/clusters?" + urlencode({"level": level, "period": result.period,
                                                              "format": "csv"})
    else:
        block = _map_block_from(result, level)
        csv = f"/api/maps/{indicator}?" + urlencode({"level": level, "period": result.period,
                                                     "scheme": scheme, "k": k, "format": "csv"})
    periods = sorted(ex.panel(indicator, level)["period"].unique())
    return render(
        request, "explorer/maps.html", result=result, clusters=clusters, map=block, csv=csv,
        choices=_indicator_choices(ex, level), levels=[lv for lv in _levels(ex) if lv["level"] in shaped],
        indicator=indicator, level=level, periods=periods, scheme=scheme, k=k, view=view,
        table=records(result.table), cluster_table=None if clustered is None else records(clustered),
        level_label=level_name(level, True), sources=result.provenance.sources,
    )


def _map_block_from(result: MapData, level: str) -> dict[str, Any]:
    """What the browser needs to draw a choropleth: boundaries URL, each area's colour, legend."""
    table = result.table
    return {
        "boundaries": f"/api/boundaries/{level}", "highlight": None,
        "title": f"{result.indicator_name}, {result.period} ({result.unit})",
        "values": _map_values(table, table["geography_name"], [result.labels[c] for c in table["class"]]),
        "legend": [{"label": label, "colour": colour}
                   for label, colour in zip(result.labels, result.colours, strict=True)],
    }


def _map_values(table: pd.DataFrame, names: Iterable[str], labels: Iterable[str]) -> list[dict[str, Any]]:
    return [
        {"code": code, "name": name, "value": json_value(value), "colour": colour, "label": label}
        for code, name, value, colour, label in zip(
            table["geography_code"], names, table["value"], table["colour"], labels, strict=True
        )
    ]
