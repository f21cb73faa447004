"""International pages: the four cities in numbers, and the UK against its peers.

* ``/international`` — "Lessons from four cities": each case-study place's GDP per head against
  its nation's (nation = 100) with its dated practices marked on the chart, what the trend says,
  the practices and the success factors they illustrate, with links to the strategy design;
* ``/international/inequality`` — countries ranked by regional inequality with bootstrap
  intervals, the United Kingdom highlighted, its place each year, the number of regions behind
  each figure and the modifiable areal unit problem stated; the same ranking on other cuts;
* ``/international/synth/{place}`` — an *exploratory* synthetic control: the place against its
  synthetic twin from metropolitan regions elsewhere, the donors' weights, the pre-period fit,
  the in-space placebos and the caveats, from a start year the user chooses.

Both read the same cached results as the REST API (:mod:`levelscope.web.api.international`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from levelscope.international import CASE_PLACES, MAUP_NOTE, UNIT_SETS, case_timeline
from levelscope.international.inequality import MEASURE_NAMES, UK
from levelscope.international.plot import place_over_time_figure
from levelscope.web.api.international import PlaceCode, cities_of, inequality_of, synth_of
from levelscope.web.common import sources
from levelscope.web.deps import Served
from levelscope.web.errors import invalid_argument
from levelscope.web.templating import render

router = APIRouter(include_in_schema=False)
#: Resamples behind the ranking page (the REST API takes any number up to 9,999).
PAGE_RESAMPLES = 999
#: The start year the synthetic control page offers first (the user chooses another).
DEFAULT_START = 2010
DONOR_POOLS = {"other_countries": "in other countries", "own_country": "in its own country",
               "all": "in any country"}


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


@router.get("/international/synth/{place}", response_class=HTMLResponse)
def synthetic(
    request: Request, ex: Served, place: PlaceCode,
    start: Annotated[int, Query(ge=1900, le=2100)] = DEFAULT_START,
    donor_pool: Annotated[Literal["other_countries", "own_country", "all"], Query()] = "other_countries",
    max_donors: Annotated[int, Query(ge=3, le=60)] = 30,
    placebos: bool = True,
) -> HTMLResponse:
    """EXPLORATORY: a place against its synthetic twin, with weights, pre-period fit and placebos."""
    result = synth_of(ex, place, start, donor_pool, max_donors, placebos)
    case = CASE_PLACES.get(result.place)
    timeline = case_timeline(result.place) if case else None
    years = [int(y) for y in result.control.actual.index]
    return render(
        request, "international/synth.html", result=result, place=place, max_donors=max_donors,
        pools=DONOR_POOLS, years=years[1:], weights=result.weights(), paths=result.to_frame(),
        unit_note=case.unit_note if case else None,
        events=[e for e in timeline.events if years[0] < e.year <= years[-1]] if timeline else [],
        chart=result.plot(timeline).to_json(),
        placebo_chart=result.placebos.plot().to_json() if result.placebos is not None else None,
        sources=sources(result.provenance),
    )
