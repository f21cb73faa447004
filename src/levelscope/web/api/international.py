"""REST endpoints of the international comparisons, ``/api/international``.

They only translate between HTTP and :mod:`levelscope.international`, as the command line does
(``levelscope international …``):

* ``GET /api/international/benchmark/{country}`` — a country's figure, published or from its regions;
* ``GET /api/international/places/{place}`` — a place against its nation (country = 100);
* ``GET /api/international/cities`` — the eight case-study places with their dated practices;
* ``GET /api/international/inequality`` — regional inequality within each country, ranked, with
  bootstrap intervals and one country's place each year (``?format=csv`` for the table);
* ``GET /api/international/compare-units`` — the ranking on TL3, TL2 and metropolitan units;
* ``GET /api/international/convergence`` — beta and sigma convergence within each country;
* ``GET /api/international/synth/{place}`` — an *exploratory* synthetic control with placebos.

A place, country or indicator the workspace lacks gives 404; figures in different units or
currencies, a start year without a pre-period, or a bad argument give 422 with the reason.
Results are remembered per served workspace, which cannot change while it is served.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from levelscope.international import (
    MAUP_NOTE,
    UNIT_SETS,
    CountryInequality,
    ExploratorySyntheticControl,
    FourCities,
    case_timeline,
    convergence_by_country,
    exploratory_synthetic_control,
    inequality_by_country,
    lessons_from_four_cities,
    national_benchmark,
    place_against_nation,
    ranking_comparison,
)
from levelscope.international.against_nation import as_records
from levelscope.web.common import CSV_RESPONSE, Format, SourceOut, sources
from levelscope.web.deps import Served
from levelscope.web.encoding import csv_response, records
from levelscope.web.errors import invalid_argument
from levelscope.web.state import Explorer

router = APIRouter(prefix="/api/international", tags=["international"])

Units = Annotated[Literal["tl3", "tl2", "metro"], Query(description="; ".join(
    f"{k}: {v}" for k, v in UNIT_SETS.items()))]
Indicator = Annotated[str, Query(max_length=80, description="indicator id")]
Alpha = Annotated[float, Query(gt=0, lt=1, description="intervals have coverage 1 - alpha")]
Measure = Annotated[Literal["williamson", "cv", "gini", "theil", "theil_between", "theil_within",
                            "between_share"], Query(description="the measure ranked")]
PlaceCode = Annotated[str, Path(max_length=120, description=(
    "a case-study place (leipzig, dudley, …), an OECD region code (UKE32), a functional urban "
    "area code (UK010M), a region's name, or codes separated by commas"))]
MAX_RESAMPLES = 1_999


class TimelineEventOut(BaseModel):
    year: int
    end_year: int | None
    kind: str
    title: str
    practices: list[str]
    factors: list[str]


class PlaceOut(BaseModel):
    result: dict[str, Any] = Field(description="index now, the gap's slope, closing rate, years to "
                                   "parity and its interval, in words in `statement`")
    table: list[dict[str, Any]] = Field(description="year, value, benchmark, benchmark_source, index, gap")
    timeline: list[TimelineEventOut]
    sources: list[SourceOut]


class InequalityOut(BaseModel):
    indicator: str
    units: str
    weighted: bool
    measure: str
    year: int
    n_resamples: int
    seed: int | None
    alpha: float
    ranking: list[dict[str, Any]]
    place_of: list[dict[str, Any]] = Field(description="the chosen country's rank each year")
    excluded: dict[str, str]
    note: str = Field(description="the modifiable areal unit problem, stated")
    sources: list[SourceOut]


def inequality_of(ex: Explorer, units: str, weighted: bool, n_resamples: int, seed: int | None,
                  alpha: float) -> CountryInequality:
    """The country ranking of a served workspace, computed once per question."""
    return ex.remember(
        ("international-inequality", units, weighted, n_resamples, seed, alpha),
        lambda: inequality_by_country(ex.ws, units=units, weighted=weighted,  # type: ignore[arg-type]
                                      n_resamples=n_resamples, seed=seed, alpha=alpha),
    )


def cities_of(ex: Explorer, alpha: float) -> FourCities:
    """The eight case-study places of a served workspace, computed once."""
    return ex.remember(("international-cities", alpha),
                       lambda: lessons_from_four_cities(ex.ws, alpha=alpha))


def synth_of(ex: Explorer, place: str, start: int, donor_pool: str, max_donors: int,
             placebos: bool) -> ExploratorySyntheticControl:
    """An exploratory synthetic control of a served workspace, computed once per question."""
    return ex.remember(
        ("international-synth", place, start, donor_pool, max_donors, placebos),
        lambda: exploratory_synthetic_control(ex.ws, place, start, donor_pool=donor_pool,  # type: ignore[arg-type]
                                              max_donors=max_donors, placebos=placebos),
    )


def timeline_events(case_id: str | None) -> list[dict[str, Any]]:
    if case_id is None:
        return []
    return [{"year": e.year, "end_year": e.end_year, "kind": e.kind, "title": e.title,
             "practices": list(e.practices), "factors": list(e.factors)}
            for e in case_timeline(case_id).events]


@router.get("/benchmark/{country}", responses=CSV_RESPONSE)
def benchmark(ex: Served, country: Annotated[str, Path(max_length=3)],
              indicator: Indicator = "oecd_gdp_per_head", format: Format = "json") -> Any:
    """A country's figure year by year: the published figure, the one built from its regions
    (population-weighted mean), which the benchmark is, and how far they differ."""
    result = national_benchmark(ex.ws, country.upper(), indicator)
    if format == "csv":
        return csv_response(result.to_frame(), f"{country}-{indicator}-benchmark")
    return {"country": result.country, "country_name": result.country_name,
            "indicator": indicator, "tolerance": result.tolerance,
            "table": records(result.table), "summary": result.summary(),
            "sources": sources(result.provenance)}


@router.get("/places/{place}", response_model=PlaceOut, responses=CSV_RESPONSE)
def place(ex: Served, place: PlaceCode, indicator: Indicator = "oecd_gdp_per_head",
          benchmark: Annotated[str | None, Query(max_length=80, description=(
              "indicator the nation's figure is read from; same unit, currency and prices"))] = None,
          start: Annotated[int | None, Query(ge=1900, le=2100)] = None,
          end: Annotated[int | None, Query(ge=1900, le=2100)] = None,
          alpha: Alpha = 0.05, format: Format = "json") -> Any:
    """A place against its nation (country = 100): the gap's trend, its rate of closing and the
    years to parity at that pace with Fieller's interval."""
    with invalid_argument("path", "place"):
        result = place_against_nation(ex.ws, place, indicator, benchmark=benchmark, start=start,
                                      end=end, alpha=alpha)
    if format == "csv":
        return csv_response(result.to_frame(), f"{result.place}-against-{result.country}")
    return {"result": as_records(result), "table": records(result.table),
            "timeline": timeline_events(result.case_id), "sources": sources(result.provenance)}


@router.get("/cities", responses=CSV_RESPONSE)
def cities(ex: Served, alpha: Alpha = 0.05, format: Format = "json") -> Any:
    """The eight case-study places against their nations, each with its dated practices."""
    result = cities_of(ex, alpha)
    if format == "csv":
        return csv_response(result.to_frame(), "four-cities")
    return {
        "indicator": result.indicator_id,
        "cases": [{
            "case_id": case.case_id, "name": case.name, "country": case.country,
            "study": case.study, "unit_note": case.unit_note, "problem": case.problem,
            "result": as_records(case.trajectory) if case.trajectory else None,
            "timeline": timeline_events(case.case_id),
            "practices": [{"id": p.id, "title": p.title, "factors": [f for f, _ in p.factors]}
                          for p in case.practices],
        } for case in result.cases],
        "sources": sources(result.provenance),
    }


@router.get("/inequality", response_model=InequalityOut, responses=CSV_RESPONSE)
def inequality(
    ex: Served, units: Units = "tl3", measure: Measure = "theil",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    country: Annotated[str, Query(max_length=3, description="whose place is followed")] = "GBR",
    weighted: bool = True,
    n_resamples: Annotated[int, Query(ge=0, le=MAX_RESAMPLES)] = 999,
    seed: Annotated[int | None, Query(description="fixed by default")] = 0,
    alpha: Alpha = 0.05, format: Format = "json",
) -> Any:
    """Regional inequality of GDP per head within each OECD country, ranked (1 = most unequal),
    with bootstrap intervals, and one country's place each year."""
    with invalid_argument("query", "n_resamples"):
        result = inequality_of(ex, units, weighted, n_resamples, seed, alpha)
    if format == "csv":
        return csv_response(result.to_frame(), f"inequality-{units}")
    if not weighted and measure == "williamson":
        measure = "cv"
    with invalid_argument("query", "year"):
        ranked = result.ranking(measure, year)
    with invalid_argument("query", "country"):
        place_of = result.place_of(country.upper(), measure)
    return {"indicator": result.indicator_id, "units": units, "weighted": weighted, "measure": measure,
            "year": int(ranked["year"].iloc[0]), "n_resamples": n_resamples, "seed": seed,
            "alpha": alpha, "ranking": records(ranked), "place_of": records(place_of),
            "excluded": result.excluded, "note": MAUP_NOTE, "sources": sources(result.provenance)}


@router.get("/compare-units", responses=CSV_RESPONSE)
def compare_units(
    ex: Served, measure: Annotated[Literal["williamson", "gini", "theil"], Query()] = "theil",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None, format: Format = "json",
) -> Any:
    """The ranking on TL3 regions, TL2 regions and metropolitan units only, side by side, with the
    rank correlation of each pair: does a country's place survive the cut?"""
    with invalid_argument("query", "year"):
        result = ranking_comparison(ex.ws, measure, year)
    if format == "csv":
        return csv_response(result.to_frame(), f"ranking-by-units-{measure}")
    return {"measure": measure, "year": result.year, "table": records(result.table),
            "agreement": records(result.agreement), "note": MAUP_NOTE,
            "sources": sources(result.provenance)}


@router.get("/convergence", responses=CSV_RESPONSE)
def convergence(ex: Served, units: Units = "tl3", alpha: Alpha = 0.05, format: Format = "json") -> Any:
    """Beta and sigma convergence of GDP per head within each OECD country."""
    result = convergence_by_country(ex.ws, units=units, alpha=alpha)
    if format == "csv":
        return csv_response(result.to_frame(), f"convergence-{units}")
    return {"units": units, "table": records(result.table), "excluded": result.excluded,
            "sources": sources(result.provenance)}


@router.get("/synth/{place}", responses=CSV_RESPONSE)
def synth(
    ex: Served, place: PlaceCode,
    start: Annotated[int, Query(ge=1900, le=2100, description="first year counted as after")],
    donor_pool: Annotated[Literal["other_countries", "own_country", "all"], Query()] = "other_countries",
    max_donors: Annotated[int, Query(ge=3, le=60)] = 30,
    placebos: bool = True, format: Format = "json",
) -> Any:
    """EXPLORATORY: a synthetic control of a place's GDP per head from comparable metropolitan
    regions, with in-space placebos (their p-value as the evaluation module defines it) and the
    pre-period fit."""
    result = synth_of(ex, place, start, donor_pool, max_donors, placebos)
    if format == "csv":
        return csv_response(result.to_frame(), f"{result.place}-synthetic-control")
    return {"label": result.label, "caveats": list(result.caveats), "place": result.place,
            "place_name": result.place_name, "start": result.start,
            "pre_rmspe": result.pre_rmspe, "pre_rmspe_share": result.pre_rmspe_share,
            "average_gap_after": result.control.effect, "p_value": result.p_value,
            "weights": records(result.weights()), "paths": records(result.to_frame()),
            "summary": result.summary(), "sources": sources(result.provenance)}
