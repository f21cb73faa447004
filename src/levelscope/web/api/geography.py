"""REST endpoints for geography through time: code histories, lookups by boundary year, names to
codes, and observations on one boundary set.

Each endpoint only translates between HTTP and :mod:`levelscope.data.geography` or the served
workspace; none computes anything itself.

* ``GET /api/geographies/{code}/history`` — a code's dates and the changes before and after it;
* ``GET /api/geographies`` — the districts of a boundary year with the areas they lie in;
* ``GET /api/geographies/names`` — place names matched to the codes of a boundary year;
* ``GET /api/observations/{indicator}`` — figures on one boundary set, with what could not be put
  on it and why.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from levelscope.web.common import CSV_RESPONSE, Format, IndicatorId, sources
from levelscope.web.deps import Served
from levelscope.web.encoding import csv_response, records
from levelscope.web.errors import invalid_argument

router = APIRouter(prefix="/api", tags=["geography"])

VintageQuery = Annotated[str, Query(description="boundary year (e.g. 2023: the codes in use on 31 "
                                                "December) or a date (2021-03-01)", max_length=10)]


def _boundary_year(text: str) -> int | str:
    return int(text) if text.isdigit() else text


@router.get("/geographies/{code}/history")
def code_history_of(code: Annotated[str, Path(description="area code, e.g. E06000063",
                                               max_length=20)]) -> dict[str, Any]:
    """A code's name, level and dates of use, what replaced it (if it was retired) and every change
    before and after it, with the order that made each."""
    from levelscope.data.geography import code_history

    history = code_history()
    record = history.record(code)
    today = history.resolve(code, dt.date.today())
    table = history.lineage(code)
    return {
        "code": record.code, "name": record.name, "name_cy": record.name_cy or None,
        "level": str(record.level), "valid_from": record.valid_from, "valid_to": record.valid_to,
        "note": record.note or None, "status_today": str(today.status),
        "successors_today": [{"code": s.code, "name": s.name} for s in today.successors],
        "changes": records(table),
    }


@router.get("/geographies", responses=CSV_RESPONSE)
def lookup(geography_vintage: VintageQuery = "2023", format: Format = "json") -> Any:
    """Every local authority district in use in a boundary year, with its region, nation, ITL1-3
    regions, county, metropolitan county and combined authority (and the ITL3 regions of a district
    that straddles them)."""
    from levelscope.data.geography import lad_lookup

    with invalid_argument("query", "geography_vintage"):
        table = lad_lookup(_boundary_year(geography_vintage))
    if format == "csv":
        return csv_response(table, f"districts-{geography_vintage}")
    return {"geography_vintage": geography_vintage, "count": len(table), "districts": records(table)}


@router.get("/geographies/names", responses=CSV_RESPONSE)
def names_to_codes(
    name: Annotated[list[str], Query(description="place names; repeat the parameter", max_length=1000)],
    geography_vintage: VintageQuery,
    level: Annotated[str, Query(description="level of the named areas", max_length=40)] = "lad",
    format: Format = "json",
) -> Any:
    """Place names matched to codes in use in a boundary year; unmatched and ambiguous names are
    listed, never guessed."""
    from levelscope.data.geography import match_names

    with invalid_argument("query", "geography_vintage"):
        found = match_names(name, _boundary_year(geography_vintage), level)
    table = found.to_frame()
    if format == "csv":
        return csv_response(table, "names")
    return {"geography_vintage": found.geography_vintage, "level": found.level, "matched": len(found.codes),
            "unmatched": found.unmatched, "ambiguous": {k: list(v) for k, v in found.ambiguous.items()},
            "names": records(table)}


@router.get("/observations/{indicator}", responses=CSV_RESPONSE)
def observations(
    ex: Served,
    indicator: IndicatorId,
    level: Annotated[str | None, Query(description="geographic level, e.g. lad", max_length=40)] = None,
    geographies: Annotated[list[str] | None, Query(description="only these codes", max_length=500)] = None,
    periods: Annotated[list[str] | None, Query(description="only these periods", max_length=100)] = None,
    geography_vintage: Annotated[str | None, Query(
        description="put every period on this boundary year's codes; 'published' for the codes as "
                    "published; default the workspace's", max_length=10)] = None,
    format: Format = "json",
) -> Any:
    """An indicator's figures, on one boundary set: each value says the published codes it came
    from and how; areas with a part missing, combinations the indicator forbids and codes that
    cannot be put on the boundaries are listed with the reason."""
    chosen: Any = geography_vintage
    if geography_vintage not in (None, "published"):
        chosen = _boundary_year(str(geography_vintage))
    ex.ws.indicator(indicator)
    with invalid_argument("query", "geography_vintage"):
        if chosen == "published" or (chosen is None and ex.ws.geography_vintage is None):
            frame = ex.ws.observations(indicator, level, periods, None, geographies, "published")
            result = None
        else:
            result = ex.ws.harmonised(indicator, level, periods, None, geographies, chosen)
            frame = result.frame
    if format == "csv":
        return csv_response(frame, f"{indicator}-observations")
    body: dict[str, Any] = {"indicator": indicator, "geography_vintage": None if result is None else
                            str(result.day), "count": len(frame), "observations": records(frame)}
    if result is not None:
        body |= {"notes": result.notes(), "incomplete": records(result.incomplete),
                 "refused": records(result.refused), "dropped": records(result.dropped),
                 "sources": sources(result.provenance)}
    else:
        body["sources"] = sources(ex.ws.provenance(indicator))
    return body

