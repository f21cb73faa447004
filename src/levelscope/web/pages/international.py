"""International pages: the four cities in numbers, and the UK against its peers.

* ``/international`` — "Lessons from four cities": each case-study place's GDP per head against
  its nation's (nation = 100) with its dated practices marked on the chart, what the trend says,
  the practices and the success factors they illustrate, with links to the strategy design;
* ``/international/inequality`` — countries ranked by regional inequality with bootstrap
  intervals, the United Kingdom highlighted, its place each year, the number of regions behind
  each figure and the modifiable areal unit problem stated; the same ranking on other cuts.

Both read the same cached results as the REST API (:mod:`levelscope.web.api.international`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from levelscope.international import MAUP_NOTE, UNIT_SETS
from levelscope.international.inequality import MEASURE_NAMES, UK
from levelscope.international.plot import place_over_time_figure
from levelscope.web.api.international import cities_of, inequality_of
from levelscope.web.common import sources
from levelscope.web.deps import Served
from levelscope.web.errors import invalid_argument
from levelscope.web.templating import render

router = APIRouter(include_in_schema=False)
#: Resamples behind the ranking page (the REST API takes any number up to 9,999).
PAGE_RESAMPLES = 999


@router.get("/international", response_class=HTMLResponse)
def four_cities(request: Request, ex: Served) -> HTMLResponse:
    """Each case-study place against its nation, with its practices on the timeline."""
    result = cities_of(ex, 0.05)
    cases: list[dict[str, Any]] = []
    for case in result.cases:
        cases.append({
            "case": case,
            "chart": case.trajectory.plot(case.timeline).to_json() if case.trajectory else None,
            "statement": case.trajectory.statement() if case.trajectory else None,
            "sources": sorted(set(case.trajectory.table["benchmark_source"])) if case.trajectory else [],
        })
    return render(request, "international/cities.html", cases=cases, sources=sources(result.provenance))


@router.get("/international/inequality", response_class=HTMLResponse)
def ranking(
    request: Request, ex: Served,
    units: Annotated[Literal["tl3", "tl2", "metro"], Query()] = "tl3",
    measure: Annotated[Literal["williamson", "gini", "theil", "theil_between", "theil_within",
                               "between_share"], Query()] = "theil",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> HTMLResponse:
    """Countries ranked by regional inequality, the United Kingdom highlighted."""
    result = inequality_of(ex, units, True, PAGE_RESAMPLES, 0, 0.05)
    if measure not in result.measures:
        measure = "theil"
    with invalid_argument("query", "year"):
        ranked = result.ranking(measure, year)
    uk = result.place_of(UK, measure) if UK in set(result.table["geography_code"]) else None
    return render(
        request, "international/inequality.html", result=result, ranked=ranked, uk=uk,
        measure=measure, measures={m: MEASURE_NAMES[m] for m in result.measures}, units=units,
        unit_sets=UNIT_SETS, year=int(ranked["year"].iloc[0]),
        years=sorted(result.table["year"].unique().tolist()),
        chart=result.plot(measure, int(ranked["year"].iloc[0])).to_json(),
        uk_chart=None if uk is None else place_over_time_figure(result, measure, UK).to_json(),
        note=MAUP_NOTE, sources=sources(result.provenance), seed=result.provenance.seed,
    )
