"""REST endpoints for a fund's real record set against need: ``/api/funding``.

* ``GET /api/funding/register`` — bids and money held per fund and round;
* ``GET /api/funding/record`` — did the fund go where need is? Findings, method, tables by
  country, region, priority category and deprivation group (by round and over all rounds),
  concentration indices with bootstrap intervals, round-on-round change, counterfactuals and
  bids that could not be placed;
* ``GET /api/funding/record/{table}.csv`` — one of those tables as a CSV download.

The endpoints only translate between HTTP and
:func:`levelscope.need.fund_workspace.workspace_fund_analysis`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query
from fastapi.responses import Response

from levelscope.data.funding.register import register_summary
from levelscope.errors import NotFoundError
from levelscope.need.fund_analysis import FundAnalysis
from levelscope.need.fund_workspace import LEVELLING_UP_FUND, workspace_fund_analysis
from levelscope.web.deps import Served
from levelscope.web.encoding import csv_response, json_value, records
from levelscope.web.state import Explorer

router = APIRouter(prefix="/api/funding", tags=["funding"])
Split = Literal["equal", "population"]


def fund_analysis(ex: Explorer, fund: str = LEVELLING_UP_FUND, split: Split = "equal",
                  population_year: int | None = None, n_resamples: int = 2000,
                  seed: int | None = 0) -> FundAnalysis:
    """The analysis of the served workspace's record, worked out once per question."""

    def compute() -> FundAnalysis:
        with ex.ws._lock:  # the register is read on the shared connection
            return workspace_fund_analysis(ex.ws, fund, split=split, population_year=population_year,
                                           n_resamples=n_resamples, seed=seed)

    return ex.remember(("fund-analysis", fund, split, population_year, n_resamples, seed), compute)


def holds_allocations(ex: Explorer, fund: str = LEVELLING_UP_FUND) -> bool:
    """Whether the served workspace's register holds any allocation of ``fund``."""
    with ex.ws._lock:
        return bool(ex.ws.scalar("SELECT count(*) FROM allocation WHERE fund = ?", [fund]))


def result_tables(result: FundAnalysis) -> dict[str, pd.DataFrame]:
    """Every table of a result by the name its download has."""
    tables = {"areas": result.to_frame(), **result.tables,
              "concentration": result.concentration, "sensitivity": result.sensitivity,
              "counterfactual": result.counterfactual, "unplaced": result.unplaced,
              "method": pd.DataFrame(result.method, columns=["choice", "made"])}
    tables.update({f"round_change_{k}": v for k, v in result.round_change.items()})
    tables.update({f"counterfactual_{k}": v for k, v in result.counterfactual_by.items()})
    return tables


FundQuery = Annotated[str, Query(description="the fund in the register")]
SplitQuery = Annotated[Split, Query(description="share a bid covering several districts equally or "
                                    "by population")]
YearQuery = Annotated[int | None, Query(ge=1900, le=2100, description="one population year for every "
                                        "round (default: the mid-year estimate before each announcement)")]
#: The bootstrap resamples of every answer (as the page): a fixed number keeps answers cacheable.
RESAMPLES = 2000
CSV_TABLE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "the table as CSV"},
}
SeedQuery = Annotated[int | None, Query(ge=0, le=2**32 - 1, description="random seed")]


@router.get("/register")
def register(ex: Served) -> dict[str, Any]:
    """Bids and money per fund and round in the served workspace's funding register."""
    with ex.ws._lock:
        summary = register_summary(ex.ws)
    return {"funds": records(summary)}


@router.get("/record")
def record(ex: Served, fund: FundQuery = LEVELLING_UP_FUND, split: SplitQuery = "equal",
           population_year: YearQuery = None, seed: SeedQuery = 0) -> dict[str, Any]:
    """Did the fund go where need is? Every table of the analysis (2,000 bootstrap resamples),
    with its method and findings."""
    result = fund_analysis(ex, fund, split, population_year, RESAMPLES, seed)
    return {
        "fund": result.fund, "rounds": list(result.rounds), "split": result.split,
        "population_years": {k: int(v) for k, v in result.population_years.items()},
        "findings": list(result.findings),
        "method": [{"choice": c, "made": m} for c, m in result.method],
        "alpha": result.alpha, "n_resamples": result.n_resamples, "seed": json_value(result.seed),
        "tables": {name: records(frame) for name, frame in result.tables.items()},
        "concentration": records(result.concentration),
        "round_change": {name: records(frame) for name, frame in result.round_change.items()},
        "counterfactual": {name: records(frame) for name, frame in result.counterfactual_by.items()},
        "unplaced": records(result.unplaced),
    }


@router.get("/record/{table}.csv", response_class=Response, responses=CSV_TABLE)
def record_table(ex: Served, table: str, fund: FundQuery = LEVELLING_UP_FUND, split: SplitQuery = "equal",
                 population_year: YearQuery = None, seed: SeedQuery = 0) -> Response:
    """One table of the analysis as CSV (``areas``, ``region``, ``priority_category``,
    ``concentration``, ``counterfactual_region``, ...)."""
    tables = result_tables(fund_analysis(ex, fund, split, population_year, RESAMPLES, seed))
    if table not in tables:
        raise NotFoundError(f"no table {table!r}; the tables are {', '.join(tables)}")
    return csv_response(tables[table], f"{fund.lower().replace(' ', '-')}-{table}")
