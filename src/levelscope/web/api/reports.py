"""REST endpoints that return reports as files: the same reports as ``levelscope report``.

* ``GET /api/reports/area/{code}`` — the area briefing, ``?format=pdf`` (default) or ``html``;
* ``GET /api/reports/programme/{id}`` — a programme's monitoring report (for users who may see
  the programme: bearer token or login cookie);
* ``GET /api/reports/evaluation`` — an impact evaluation (the parameters of
  ``/api/evaluate/area``);
* ``GET /api/reports/strategy/{id}`` — a saved strategy assessment, with the change since its
  previous revision (for members of the organisation that saved it);
* ``GET /api/reports/funding`` — a fund's record against need (the parameters of
  ``/api/funding/record``), as the ``/funding`` page shows it.

A report is built by :mod:`levelscope.report` from the served workspace's cached results and
returned as a download. Printing a PDF needs Chromium on the server; without it the answer is 503
(the HTML needs nothing).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from levelscope.design import saved as saved_assessments
from levelscope.evaluate import evaluate_area
from levelscope.monitor.access import programme_for
from levelscope.need.fund_workspace import LEVELLING_UP_FUND
from levelscope.records.accounts import User
from levelscope.report import (
    PdfError,
    Report,
    area_briefing,
    evaluation_report,
    fund_record_report,
    programme_report,
    strategy_report,
)
from levelscope.web.api.design import framework, scored
from levelscope.web.api.explorer import Code, place_code
from levelscope.web.api.funding import (
    RESAMPLES,
    FundQuery,
    SeedQuery,
    SplitQuery,
    YearQuery,
    fund_analysis,
)
from levelscope.web.deps import RecordId, Records, Served, served_explorer
from levelscope.web.security import api_user

router = APIRouter(prefix="/api/reports", tags=["reports"])

ReportFormat = Annotated[Literal["pdf", "html"], Query(description="`pdf` (A4) or `html` (one file)")]
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}, "text/html": {}}, "description": "the report as a file"},
}


def report_file(report: Report, format: Literal["pdf", "html"]) -> Response:
    """``report`` as a download in ``format``."""
    try:
        body = report.pdf() if format == "pdf" else report.html().encode("utf-8")
    except PdfError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None
    return Response(body, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{report.filename}.{format}"'})


@router.get("/area/{code}", response_class=Response, responses=FILE_RESPONSES)
def area_report(ex: Served, code: Code, format: ReportFormat = "pdf") -> Response:
    """The area briefing: the area against the median and its 10 nearest neighbours on every
    indicator with intervals, its trends, map position and inequality context, methods and
    sources."""
    place = place_code(ex, code)
    level = str(ex.ws.geography(place).level)
    return report_file(area_briefing(ex.ws, place, standings=ex.standings(level)), format)


@router.get("/programme/{programme_id}", response_class=Response, responses=FILE_RESPONSES)
def programme_monitoring_report(
    request: Request, programme_id: RecordId, user: Annotated[User, Depends(api_user)],
    session: Records, format: ReportFormat = "pdf",
) -> Response:
    """A programme's monitoring report: logic model, status of each indicator with its rule,
    spend against plan, value for money and the Green Book appraisal with switching values."""
    programme = programme_for(session, user, programme_id)
    found = served_explorer(request.app)
    names = {} if found is None else dict(zip(*(found.ws.geographies()[c] for c in ("code", "name")),
                                              strict=True))
    return report_file(programme_report(session, programme, names=names), format)


@router.get("/evaluation", response_class=Response, responses=FILE_RESPONSES)
def evaluation_report_file(
    ex: Served,
    indicator: Annotated[str, Query(max_length=80, description="indicator id")],
    treated: Annotated[list[str], Query(min_length=1, max_length=50, description="treated area code")],
    start: Annotated[str, Query(max_length=40, description="first affected year or period label")],
    method: Literal["synth", "sdid", "did"] = "synth",
    placebos: Annotated[bool, Query(description="in-space placebos (synthetic control)")] = False,
    exclude_neighbours: bool = False,
    format: ReportFormat = "pdf",
) -> Response:
    """An evaluation report: the estimate for the treated areas from ``start``, its fit, placebo
    inference (when asked for) and the verdict in words."""
    result = evaluate_area(ex.ws, indicator, treated, start, method=method,
                           placebos=placebos and method == "synth", exclude_neighbours=exclude_neighbours)
    return report_file(evaluation_report(result), format)


@router.get("/strategy/{saved_id}", response_class=Response, responses=FILE_RESPONSES)
def strategy_assessment_report(
    request: Request, saved_id: RecordId, user: Annotated[User, Depends(api_user)], session: Records,
    format: ReportFormat = "pdf",
) -> Response:
    """A saved strategy assessment: maturity profile, weakest factors, practices for the gaps and
    the change since the previous revision of the same strategy for the same place."""
    saved = saved_assessments.get_organisation_saved(session, saved_id, user.organisation_id)
    _, result, practices = scored(saved.to_assessment())
    earlier = [s for s in saved_assessments.organisation_history(session, user.organisation_id)
               if (s.place_code, s.strategy) == (saved.place_code, saved.strategy)
               and s.revision < saved.revision]
    previous = saved_assessments.score_saved(earlier[-1], framework()) if earlier else None
    found = served_explorer(request.app)
    name = None
    if found is not None and saved.place_code in set(found.ws.geographies()["code"]):
        name = found.ws.geography(saved.place_code).name
    return report_file(strategy_report(result, practices, previous, place_name=name), format)


@router.get("/funding", response_class=Response, responses=FILE_RESPONSES)
def funding_report_file(ex: Served, fund: FundQuery = LEVELLING_UP_FUND, split: SplitQuery = "equal",
                        population_year: YearQuery = None, seed: SeedQuery = 0,
                        format: ReportFormat = "pdf") -> Response:
    """A fund's record against need: findings, funding per head by region, priority category and
    deprivation quintile, concentration with intervals, round on round and the counterfactual
    (2,000 bootstrap resamples, as ``/api/funding/record``)."""
    return report_file(fund_record_report(fund_analysis(ex, fund, split, population_year, RESAMPLES, seed)),
                       format)
