"""REST endpoints of the inequality measures, ``/api/measures``.

The endpoints only translate between HTTP and :mod:`levelscope.measures`, as the command line
does (``levelscope inequality``):

* ``GET /api/measures/inequality/{indicator}`` — the tidy table of
  :func:`~levelscope.measures.over_time.inequality_over_time` (period, year,
  measure, value, n, total_weight), optionally weighted by another indicator (e.g. population);
  ``?format=csv`` downloads it.
* ``POST /api/measures/compute`` — values (and optional frequency weights) in, each measure's
  value out.

A measure that is undefined on the data (zeros under a log measure, fewer than two values, a
missing value, weights of another length) gives 422 with the measure's own reason; an unknown
indicator, weight indicator or level gives 404 naming what exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from levelscope.measures import parse_measure
from levelscope.measures.engine import DEFAULT_MEASURES
from levelscope.measures.inequality import MeasureSpec
from levelscope.measures.over_time import inequality_over_time
from levelscope.web.common import (
    CSV_RESPONSE,
    Format,
    IndicatorId,
    Level,
    SourceOut,
    check_indicator_at,
    sources,
)
from levelscope.web.deps import Served
from levelscope.web.encoding import csv_response, records
from levelscope.web.errors import invalid_argument

router = APIRouter(prefix="/api/measures", tags=["measures"])

#: Most measures one request may ask for, and most values ``/compute`` takes.
MAX_MEASURES = 12
MAX_VALUES = 100_000
MEASURE_HELP = ("measures of levelscope.measures, e.g. gini, theil, mld, cv, hoover, "
                "'atkinson(epsilon=1)', 'quantile_ratio(0.9, 0.1)'")


class InequalityTableOut(BaseModel):
    indicator: str
    level: str
    weight: str | None = Field(description="indicator the areas are weighted by; null: equal")
    measures: list[str]
    notes: list[str] = Field(description="e.g. areas dropped for lack of a weight")
    table: list[dict[str, Any]] = Field(description="period, year, measure, value, n, total_weight")
    sources: list[SourceOut]


class ComputeIn(BaseModel):
    """Values, optional frequency weights and the measures to compute on them."""

    model_config = ConfigDict(extra="forbid")

    values: list[float | None] = Field(
        min_length=1, max_length=MAX_VALUES,
        description="one value per observation; null (missing) is refused, as NaN is")
    weights: list[float | None] | None = Field(
        default=None, max_length=MAX_VALUES,
        description="frequency weights, one per value; null for equal weights")
    measures: list[str] = Field(default=list(DEFAULT_MEASURES), min_length=1,
                                max_length=MAX_MEASURES, description=MEASURE_HELP)


class MeasureValueOut(BaseModel):
    measure: str = Field(description="label, e.g. gini or atkinson(epsilon=1)")
    name: str = Field(description="what the measure is")
    value: float


class ComputeOut(BaseModel):
    n: int = Field(description="values given")
    weighted: bool
    results: list[MeasureValueOut]


def measure_specs(names: Sequence[str], *loc: str) -> list[MeasureSpec]:
    """Parsed measures; an unknown name is a 422 on ``loc`` listing the known ones."""
    with invalid_argument(*loc):
        return [parse_measure(name) for name in names]


def as_array(numbers: Sequence[float | None]) -> np.ndarray:
    """Numbers as floats, missing ones as NaN (which every measure refuses with its reason)."""
    return np.array([np.nan if v is None else v for v in numbers], dtype=np.float64)


@router.get("/inequality/{indicator}", response_model=InequalityTableOut, responses=CSV_RESPONSE)
def inequality(
    ex: Served,
    indicator: IndicatorId,
    level: Level = "lad",
    measures: Annotated[list[str] | None, Query(description=MEASURE_HELP,
                                                max_length=MAX_MEASURES)] = None,
    weight: Annotated[str | None, Query(
        description="indicator to weight areas by, e.g. population (the population-weighted cv "
                    "is the Williamson index); default equal weights", max_length=80)] = None,
    periods: Annotated[list[str] | None, Query(
        description="only these periods; repeat or separate by commas", max_length=100)] = None,
    missing_weights: Annotated[Literal["error", "drop"], Query(
        description="areas without a weight: refuse (422 naming them) or drop (named in notes)"
    )] = "error",
    format: Format = "json",
) -> Any:
    """Inequality of an indicator across the areas of a level, period by period: the table of
    ``levelscope inequality`` (``Workspace.inequality``)."""
    chosen = [p.strip() for item in periods or () for p in item.split(",") if p.strip()]
    check_indicator_at(ex, indicator, level)
    if weight is not None:
        check_indicator_at(ex, weight, level)
    labels = [spec.label for spec in measure_specs(measures or DEFAULT_MEASURES, "query", "measures")]
    result = inequality_over_time(ex.ws, indicator, level, periods=chosen or None, weight=weight,
                                  measures=measures or DEFAULT_MEASURES,
                                  missing_weights=missing_weights)
    if format == "csv":
        return csv_response(result.to_frame(), f"{indicator}-{level}-inequality")
    return {
        "indicator": indicator, "level": level, "weight": weight, "measures": labels,
        "notes": list(result.notes), "table": records(result.table),
        "sources": sources(result.provenance),
    }


@router.post("/compute", response_model=ComputeOut)
def compute(body: ComputeIn) -> dict[str, Any]:
    """Each measure's value on the values given (weights are frequency weights). A measure that is
    undefined on them refuses the whole request with its reason (422)."""
    specs = measure_specs(body.measures, "body", "measures")
    values = as_array(body.values)
    weights = None if body.weights is None else as_array(body.weights)
    with invalid_argument("body"):
        results = [
            {"measure": spec.label, "name": spec.measure.title,
             "value": spec.measure(values, weights, **spec.params)}
            for spec in specs
        ]
    return {"n": len(values), "weighted": weights is not None, "results": results}
