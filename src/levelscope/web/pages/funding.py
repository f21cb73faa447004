"""The page "Did the Levelling Up Fund go where need is?": ``/funding``.

It presents :func:`levelscope.need.fund_workspace.workspace_fund_analysis` on the served
workspace's funding register: the findings, a map of funding per head over both rounds, tables by
region, priority category and deprivation quintile, the concentration curves, the round
comparison and the counterfactual, each with a CSV download from ``/api/funding/record``. The
method choices are shown and can be changed (bid sharing, population year). Nothing is
recomputed here.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from levelscope.errors import LevelscopeError
from levelscope.need.fund_workspace import LEVELLING_UP_FUND
from levelscope.web.api.funding import Split, fund_analysis
from levelscope.web.deps import Served
from levelscope.web.pages.need import per_head_map
from levelscope.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_RESAMPLES = 2000


@router.get("/funding", response_class=HTMLResponse)
def funding_record_page(
    request: Request, ex: Served, split: Split = "equal",
    population_year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> HTMLResponse:
    """Did the Levelling Up Fund go where need is? The workspace's record against need."""
    context: dict[str, Any] = {"split": split, "population_year": population_year, "fund": LEVELLING_UP_FUND}
    try:
        result = fund_analysis(ex, LEVELLING_UP_FUND, split, population_year, PAGE_RESAMPLES, 0)
    except LevelscopeError as error:
        return render(request, "funding/record.html", status_code=404, result=None, problem=str(error),
                      **context)
    areas = result.to_frame().set_index("geography_code")
    funding = pd.DataFrame({"name": areas.get("geography_name", pd.Series("", index=areas.index)).fillna(""),
                            "per_head": areas["per_head_all"]})
    map_block = per_head_map(funding) if "lad" in ex.levels_with_shapes() else None
    query = f"split={split}" + (f"&population_year={population_year}" if population_year else "")
    return render(
        request, "funding/record.html", result=result, problem=None, map_block=map_block,
        curve=result.plot(against="deprivation").to_json(),
        category_curve=(result.plot(against="priority category").to_json()
                        if ("all", "priority category") in result.curves else None),
        tables={g: result.table(g) for g in ("region", "priority_category", "imd_quintile")
                if g in result.tables},
        change=result.round_change.get("region"), counterfactual=_counterfactual(result),
        download=f"/api/funding/record/{{}}.csv?{query}", query=query, **context,
    )


def _counterfactual(result: Any) -> pd.DataFrame | None:
    frame = result.counterfactual_by.get("region")
    if frame is None:
        return None
    return frame[frame["round"] == "all"].sort_values("gap_to_population")
