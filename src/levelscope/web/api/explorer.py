"""REST endpoints of the explorer: areas, profiles, peers, trends, inequality and maps.

Every endpoint only translates between HTTP and :mod:`levelscope.compare` (through the cached
:class:`~levelscope.web.state.Explorer`); none computes anything itself. Every table can be
downloaded as CSV with ``?format=csv``. An unknown area, indicator, level or period gives 404
with the close matches; a parameter out of range gives 422.

* ``GET /api/levels`` — the levels with figures;
* ``GET /api/areas`` — list or search areas;
* ``GET /api/areas/{code}`` — the area against the median, its peers or chosen areas;
* ``GET /api/areas/{code}/peers`` — its statistical nearest neighbours;
* ``GET /api/areas/{code}/trends/{indicator}`` — its gap to the median over time;
* ``GET /api/indicators`` and ``GET /api/indicators/{indicator}`` — indicators by theme;
* ``GET /api/inequality/{indicator}`` — inequality over time with its decomposition;
* ``GET /api/maps/{indicator}`` and ``.../clusters`` — classed map values and LISA clusters;
* ``GET /api/boundaries/{level}`` — the level's shapes as GeoJSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from levelscope.compare.comparison import MAX_CHOSEN_AREAS, AreaComparison
from levelscope.compare.maps import VIRIDIS, MapData, Scheme
from levelscope.compare.peers import PeerGroup
from levelscope.compare.regions import DEFAULT_MEASURES, RegionalInequality
from levelscope.compare.trends import Trend
from levelscope.errors import NotFoundError
from levelscope.formatting import level_name
from levelscope.measures import parse_measure
from levelscope.spatial.clusters import ClusterAnalysis
from levelscope.spatial.plot import CLUSTER_COLOURS
from levelscope.web.common import (
    CSV_RESPONSE,
    Format,
    IndicatorId,
    Level,
    SourceOut,
    check_level,
    sources,
)
from levelscope.web.deps import Served, resamples
from levelscope.web.encoding import csv_response, json_value, records
from levelscope.web.errors import invalid_argument
from levelscope.web.state import Explorer

router = APIRouter(prefix="/api", tags=["explorer"])

Code = Annotated[str, Path(description="area code, e.g. E08000025 (Birmingham)", max_length=20)]
PeerCount = Annotated[int, Query(ge=1, le=50, description="how many nearest neighbours")]
Context = Annotated[
    list[str] | None,
    Query(description="indicator ids to match peers on (default: population, income, "
                      "productivity, employment, skills)", max_length=12),
]


# -- response models (what /docs shows) -----------------------------------------------------------
class AreaOut(BaseModel):
    code: str
    name: str
    level: str
    level_name: str


class AreaList(BaseModel):
    count: int = Field(description="areas matching (before the limit)")
    areas: list[AreaOut]


class LevelOut(BaseModel):
    level: str
    name: str
    areas: int
    indicators: int
    boundaries: bool


class StandingOut(BaseModel):
    """One indicator of an area profile."""

    theme: str
    indicator_id: str
    name: str
    unit: str
    polarity: str
    period: str
    value: float | None
    lower: float | None = Field(description="lower confidence bound, where published")
    upper: float | None
    median: float | None = Field(description="median of the areas of the level, same period")
    gap: float | None = Field(description="value - median")
    sd: float | None = Field(description="standard deviation of the areas' values")
    rank: int | None = Field(description="1 = best placed")
    areas: int | None = Field(description="areas ranked")
    flag: str = Field(description="better / worse / similar (higher / lower if no direction)")
    flag_basis: str = Field(description="rule that decided the flag")
    comparison_value: float | None = Field(description="median of the comparison group")
    comparison_gap: float | None
    vintage: str | None
    source: str | None


class PeersOut(BaseModel):
    code: str
    name: str
    level: str
    context: list[str]
    left_out: list[str] = Field(description="context indicators the area has no value on")
    candidates: int
    summary: str
    peers: list[dict[str, Any]] = Field(description="rank, code, name, distance, context values")
    sources: list[SourceOut]


class ComparisonOut(BaseModel):
    kind: Literal["median", "peers", "areas"]
    label: str
    areas: list[AreaOut]


class ProfileOut(BaseModel):
    area: AreaOut
    comparison: ComparisonOut
    summary: str = Field(description="plain-language summary generated from the numbers")
    rule: str = Field(description="how indicators are flagged better or worse")
    counts: dict[str, int]
    indicators: list[StandingOut]
    peers: PeersOut | None
    sources: list[SourceOut]


class IndicatorOut(BaseModel):
    id: str
    name: str
    unit: str
    polarity: str
    aggregation: str
    theme: str
    publisher: str | None
    source: str | None
    licence: str | None
    levels: list[dict[str, Any]] = Field(description="level, areas, periods, newest period end")


class ThemeOut(BaseModel):
    theme: str
    indicators: list[IndicatorOut]


class IndicatorList(BaseModel):
    count: int
    themes: list[ThemeOut]


class TrendOut(BaseModel):
    area: AreaOut
    indicator: str
    indicator_name: str
    unit: str
    polarity: str
    direction: str = Field(description="closing, widening, stable or 'no trend'")
    start_period: str | None
    end_period: str | None
    start_gap: float | None
    end_gap: float | None
    statement: str
    peer_statement: str | None
    peers: list[str]
    series: list[dict[str, Any]]
    sources: list[SourceOut]


class InequalityOut(BaseModel):
    indicator: str
    indicator_name: str
    level: str
    measures: list[str]
    statement: str
    notes: list[str]
    table: list[dict[str, Any]] = Field(description="period, measure, value, n")
    decomposition: list[dict[str, Any]] = Field(description="Theil T between / within broad regions")
    sources: list[SourceOut]


class MapOut(BaseModel):
    indicator: str
    indicator_name: str
    unit: str
    level: str
    period: str
    scheme: str
    breaks: list[float]
    labels: list[str]
    colours: list[str]
    boundaries: str | None = Field(description="URL of the level's GeoJSON, if it has shapes")
    values: list[dict[str, Any]]
    sources: list[SourceOut]


class ClustersOut(BaseModel):
    indicator: str
    level: str
    period: str
    n_resamples: int = Field(description="random permutations drawn")
    permutations: int = Field(deprecated=True, description="old name of n_resamples")
    alpha: float
    summary: str
    boundaries: str
    clusters: list[dict[str, Any]]
    sources: list[SourceOut]


# -- translation helpers -------------------------------------------------------------------------
def cluster_table(result: ClusterAnalysis) -> pd.DataFrame:
    """Each area's LISA cluster with the colour the cluster map gives it."""
    frame = result.to_frame()
    frame["colour"] = frame["cluster"].map(CLUSTER_COLOURS)
    return frame[["geography_code", "value", "local_i", "p_sim", "cluster", "colour"]]


def area_out(ex: Explorer, code: str) -> dict[str, Any]:
    place = ex.ws.geography(code)
    return {"code": code, "name": place.name, "level": str(place.level),
            "level_name": level_name(str(place.level))}


def chosen_codes(areas: Sequence[str] | None) -> tuple[str, ...]:
    """Codes from repeated ``areas=`` parameters, each possibly comma-separated."""
    codes = [c.strip() for item in areas or () for c in item.split(",")]
    return tuple(dict.fromkeys(c for c in codes if c))


def place_code(ex: Explorer, code: str) -> str:
    """``code`` if the workspace knows the area, else a 404 that says how to find one."""
    try:
        ex.ws.geography(code)
    except NotFoundError as error:
        raise NotFoundError(f"{error}; search areas with /api/areas?q=NAME") from None
    return code


def context_ids(ex: Explorer, context: Sequence[str] | None) -> tuple[str, ...]:
    """Checked context indicator ids (404 for an unknown one)."""
    ids = tuple(dict.fromkeys(c.strip() for item in context or () for c in item.split(",") if c.strip()))
    for ident in ids:
        ex.ws.indicator(ident)
    return ids


def comparison_of(
    ex: Explorer, code: str, compare: str, areas: Sequence[str] | None, k: int, context: Sequence[str] | None
) -> AreaComparison:
    """The cached comparison for validated query parameters."""
    place_code(ex, code)
    context = context_ids(ex, context)
    chosen = chosen_codes(areas)
    if compare != "areas" and chosen:
        compare = "areas"  # choosing areas implies comparing with them
    return ex.comparison(code, compare, chosen, k, context)  # type: ignore[arg-type]


def profile_payload(ex: Explorer, result: AreaComparison) -> dict[str, Any]:
    """An area comparison as the JSON of :class:`ProfileOut`."""
    return {
        "area": area_out(ex, result.code),
        "comparison": {
            "kind": result.comparison,
            "label": result.comparison_label,
            "areas": [area_out(ex, c) for c in result.comparator_codes],
        },
        "summary": result.summary(),
        "rule": result.rule,
        "counts": result.counts(),
        "indicators": records(result.table),
        "peers": peers_payload(result.peers) if result.peers is not None else None,
        "sources": sources(result.provenance),
    }


def peers_payload(peers: PeerGroup) -> dict[str, Any]:
    return {
        "code": peers.code, "name": peers.name, "level": peers.level, "context": list(peers.context),
        "left_out": list(peers.left_out), "candidates": peers.candidates, "summary": peers.summary(),
        "peers": records(peers.table), "sources": sources(peers.provenance),
    }


def trend_payload(ex: Explorer, trend: Trend, peers: Sequence[str]) -> dict[str, Any]:
    return {
        "area": area_out(ex, trend.code), "indicator": trend.indicator_id,
        "indicator_name": trend.indicator_name, "unit": trend.unit, "polarity": trend.polarity,
        "direction": trend.direction, "start_period": trend.start_period, "end_period": trend.end_period,
        "start_gap": trend.start_gap, "end_gap": trend.end_gap, "statement": trend.statement,
        "peer_statement": trend.peer_statement, "peers": list(peers),
        "series": records(trend.series), "sources": sources(trend.provenance),
    }


def inequality_payload(result: RegionalInequality) -> dict[str, Any]:
    return {
        "indicator": result.indicator_id, "indicator_name": result.indicator_name, "level": result.level,
        "measures": list(result.measures), "statement": result.statement, "notes": list(result.notes),
        "table": records(result.table), "decomposition": records(result.decomposition),
        "sources": sources(result.provenance),
    }


def map_payload(ex: Explorer, result: MapData) -> dict[str, Any]:
    shaped = result.level in ex.levels_with_shapes()
    return {
        "indicator": result.indicator_id, "indicator_name": result.indicator_name, "unit": result.unit,
        "level": result.level, "period": result.period, "scheme": result.scheme,
        "breaks": list(result.breaks), "labels": list(result.labels), "colours": list(result.colours),
        "boundaries": f"/api/boundaries/{result.level}" if shaped else None,
        "values": records(result.table), "sources": sources(result.provenance),
    }


def trend_peers(
    ex: Explorer, code: str, with_peers: bool, k: int, context: Sequence[str] | None
) -> tuple[str, ...]:
    if not with_peers:
        return ()
    return tuple(ex.peers(code, k, context_ids(ex, context)).codes)


def indicator_table(ex: Explorer, theme: str | None = None, level: str | None = None) -> pd.DataFrame:
    """Indicators with their definitions (optionally of one theme or with figures at one level)."""
    table = ex.ws.indicators(theme)
    if level is not None:
        have = ex.indicator_levels()
        table = table[table["id"].isin(have.loc[have["level"] == level, "indicator_id"])]
    return table


def indicator_out(row: pd.Series, coverage: pd.DataFrame) -> dict[str, Any]:
    mine = coverage[coverage["indicator_id"] == row["id"]].drop(columns="indicator_id")
    return {
        "id": row["id"], "name": row["name"], "unit": row["unit"], "polarity": row["polarity"],
        "aggregation": row["aggregation"], "theme": row["theme"],
        "publisher": json_value(row.get("publisher")), "source": json_value(row.get("source")),
        "licence": json_value(row.get("licence")), "levels": records(mine),
    }


# -- endpoints -----------------------------------------------------------------------------------
@router.get("/levels", response_model=list[LevelOut])
def levels(ex: Served) -> list[dict[str, Any]]:
    """The geographic levels that have figures, with how many areas and indicators each has."""
    coverage = ex.indicator_levels()
    shaped = ex.levels_with_shapes()
    out = []
    for level in ex.ws.levels():
        rows = coverage[coverage["level"] == level]
        out.append({"level": level, "name": level_name(level), "areas": int(rows["areas"].max()),
                    "indicators": len(rows), "boundaries": level in shaped})
    return out


@router.get("/areas", response_model=AreaList, responses=CSV_RESPONSE)
def areas(
    ex: Served,
    q: Annotated[str | None, Query(description="part of a name or code", max_length=100)] = None,
    level: Annotated[str | None, Query(description="only this level", max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    format: Format = "json",
) -> Any:
    """Areas with figures, optionally matching ``q`` (name or code) and at one level.

    Exact matches come first, then names starting with ``q``, then other matches.
    """
    if level is not None:
        check_level(ex, level)
    found = ex.area_search(q or "", level)
    if format == "csv":
        return csv_response(found, "areas")
    shown = found.head(limit)
    return {"count": len(found), "areas": records(shown)}


@router.get("/areas/{code}", response_model=ProfileOut, responses=CSV_RESPONSE)
def area_profile(
    ex: Served,
    code: Code,
    compare: Annotated[Literal["median", "peers", "areas"], Query(
        description="compare with the median of the level, the nearest neighbours, or chosen "
                    "areas")] = "median",
    areas: Annotated[list[str] | None, Query(
        description=f"codes to compare with (up to {MAX_CHOSEN_AREAS}, same level); repeat or "
                    "separate by commas", max_length=MAX_CHOSEN_AREAS)] = None,
    k: PeerCount = 10,
    context: Context = None,
    format: Format = "json",
) -> Any:
    """Where the area stands on every indicator: value, confidence interval, median, gap, rank and
    flag (see ``rule``), against the chosen comparison, with a plain-language summary."""
    result = comparison_of(ex, code, compare, areas, k, context)
    if format == "csv":
        return csv_response(result.to_frame(), f"{code}-profile-{result.comparison}")
    key = ("profile", code, result.comparison, result.comparator_codes, k, tuple(context or ()))
    body = ex.answer(key, lambda: ProfileOut.model_validate(profile_payload(ex, result)).model_dump_json()
                     .encode())
    return Response(body, media_type="application/json")


@router.get("/areas/{code}/peers", response_model=PeersOut, responses=CSV_RESPONSE)
def area_peers(ex: Served, code: Code, k: PeerCount = 10, context: Context = None,
               format: Format = "json") -> Any:
    """The area's ``k`` statistical nearest neighbours: Euclidean distance between z-scores of the
    context indicators over the areas of its level."""
    result = ex.peers(place_code(ex, code), k, context_ids(ex, context))
    if format == "csv":
        return csv_response(result.to_frame(), f"{code}-peers")
    return peers_payload(result)


@router.get("/areas/{code}/trends/{indicator}", response_model=TrendOut, responses=CSV_RESPONSE)
def area_trend(
    ex: Served,
    code: Code,
    indicator: IndicatorId,
    peers: Annotated[bool, Query(description="add the median of the nearest neighbours")] = False,
    k: PeerCount = 10,
    context: Context = None,
    format: Format = "json",
) -> Any:
    """The area's series against the median (and its peers), and whether the gap is closing."""
    place_code(ex, code)
    ex.ws.indicator(indicator)
    codes = trend_peers(ex, code, peers, k, context)
    result = ex.trend(code, indicator, codes)
    if result.series.empty:
        raise NotFoundError(f"{result.name} ({code}) has no figures on {indicator!r}; see "
                            f"/api/areas/{code} for the indicators it has")
    if format == "csv":
        return csv_response(result.to_frame(), f"{code}-{indicator}-trend")
    return trend_payload(ex, result, codes)


@router.get("/indicators", response_model=IndicatorList, responses=CSV_RESPONSE)
def indicators(
    ex: Served,
    theme: Annotated[str | None, Query(max_length=200)] = None,
    level: Annotated[str | None, Query(description="only indicators with figures at this level",
                                       max_length=40)] = None,
    format: Format = "json",
) -> Any:
    """Every indicator with its unit, polarity, source and the levels it has figures at, by theme."""
    if level is not None:
        check_level(ex, level)
    table = indicator_table(ex, theme, level)
    if theme is not None and table.empty:
        known = ", ".join(ex.ws.indicators()["theme"].unique())
        raise NotFoundError(f"no indicators in theme {theme!r}; themes: {known}")
    if format == "csv":
        return csv_response(table, "indicators")
    coverage = ex.indicator_levels()
    themes = [
        {"theme": name, "indicators": [indicator_out(row, coverage) for _, row in rows.iterrows()]}
        for name, rows in table.groupby("theme", sort=True)
    ]
    return {"count": len(table), "themes": themes}


@router.get("/indicators/{indicator}", response_model=IndicatorOut)
def indicator(ex: Served, indicator: IndicatorId) -> Any:
    """One indicator's definition and the levels it has figures at."""
    ex.ws.indicator(indicator)
    table = ex.ws.indicators()
    row = table[table["id"] == indicator].iloc[0]
    return indicator_out(row, ex.indicator_levels())


@router.get("/inequality/{indicator}", response_model=InequalityOut, responses=CSV_RESPONSE)
def inequality(
    ex: Served,
    indicator: IndicatorId,
    level: Level = "lad",
    measures: Annotated[list[str] | None, Query(
        description="measures of levelscope.measures, e.g. gini, theil, mld, cv, hoover",
        max_length=8)] = None,
    table: Annotated[Literal["measures", "decomposition"], Query(
        description="which table a CSV download holds")] = "measures",
    format: Format = "json",
) -> Any:
    """Inequality across the areas of ``level`` in every period, with the Theil index split between
    and within broad regions (ITL1 / English regions and nations)."""
    check_level(ex, level)
    with invalid_argument("query", "measures"):
        for name in measures or DEFAULT_MEASURES:
            parse_measure(name)
    result = ex.inequality(indicator, level, tuple(measures or DEFAULT_MEASURES))
    if format == "csv":
        frame = result.decomposition if table == "decomposition" else result.to_frame()
        return csv_response(frame, f"{indicator}-{level}-inequality-{table}")
    return inequality_payload(result)


@router.get("/maps/{indicator}", response_model=MapOut, responses=CSV_RESPONSE)
def map_values(
    ex: Served,
    indicator: IndicatorId,
    level: Level = "lad",
    period: Annotated[str | None, Query(description="period label; default the newest well-covered",
                                        max_length=40)] = None,
    scheme: Annotated[Scheme, Query(description="how to draw class breaks")] = "quantiles",
    k: Annotated[int, Query(ge=2, le=len(VIRIDIS), description="number of classes")] = 5,
    format: Format = "json",
) -> Any:
    """Each area's value for one period with its class (quantiles or Fisher–Jenks natural breaks)."""
    check_level(ex, level)
    result = ex.map(indicator, level, period, scheme, k)
    if format == "csv":
        return csv_response(result.to_frame(), f"{indicator}-{level}-{result.period}-map")
    return map_payload(ex, result)


@router.get("/maps/{indicator}/clusters", response_model=ClustersOut, responses=CSV_RESPONSE)
def map_clusters(
    ex: Served,
    indicator: IndicatorId,
    n_resamples: Annotated[int, resamples(least=99)],
    level: Level = "lad",
    period: Annotated[str | None, Query(max_length=40)] = None,
    alpha: Annotated[float, Query(gt=0, lt=0.5)] = 0.05,
    format: Format = "json",
) -> Any:
    """LISA clusters of one period: local Moran's I with conditional permutations, as
    ``levelscope clusters`` and ``/api/space/clusters`` (the same function and defaults)."""
    check_level(ex, level)
    if level not in ex.levels_with_shapes():
        raise NotFoundError(f"no boundaries for level {level!r}; levels with boundaries: "
                            f"{', '.join(sorted(ex.levels_with_shapes()))}")
    result = ex.clusters(indicator, level, period, n_resamples, alpha)
    table = cluster_table(result)
    if format == "csv":
        return csv_response(table, f"{indicator}-{level}-{result.period}-clusters")
    return {
        "indicator": indicator, "level": level, "period": result.period,
        "n_resamples": n_resamples, "permutations": n_resamples, "alpha": alpha,
        "summary": result.summary(),
        "boundaries": f"/api/boundaries/{level}", "clusters": records(table),
        "sources": sources(result.provenance),
    }


@router.get("/boundaries/{level}", responses={200: {"content": {"application/geo+json": {}}}})
def boundaries(ex: Served, level: Annotated[str, Path(max_length=40)]) -> Response:
    """The level's shapes as GeoJSON (longitude / latitude, simplified), each feature's id its code."""
    if level not in ex.levels_with_shapes():
        raise NotFoundError(f"no boundaries for level {level!r}; levels with boundaries: "
                            f"{', '.join(sorted(ex.levels_with_shapes()))}")
    text = ex.geojson(level)
    return Response(text, media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=3600"})
