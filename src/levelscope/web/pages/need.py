"""Need and funding pages.

* ``/need`` — the index explorer: build a need index from a definition (the shipped example, or
  YAML pasted into the form) over the workspace's indicators at local-authority level; a table
  of areas with score, rank, Monte Carlo rank interval and priority category; a chart of the
  rank intervals; and a map of the categories;
* ``/need/funding`` — funding versus need: allocations pasted or uploaded as CSV (or the
  illustrative example) set against the example index: the concentration curve and index, the
  shares by need quintile, success rates by category, rounds compared, the plain-language
  finding with its bootstrap interval, and a map of funding per head.

The pages only present the results of :mod:`levelscope.need`; nothing is recomputed here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile

from levelscope.compare.maps import assign_classes, quantile_breaks
from levelscope.errors import LevelscopeError, ValidationError
from levelscope.need.allocations import read_allocations
from levelscope.need.definition import IndexDefinition
from levelscope.need.examples import (
    EXAMPLE_DEFINITION,
    EXAMPLE_LEVEL,
    example_allocations,
    example_definition,
    workspace_indicators,
    workspace_population,
)
from levelscope.need.funding import FundingAnalysis, analyse_funding, success_rates
from levelscope.need.index import CompositeIndex, build_index
from levelscope.need.uncertainty import UncertaintyResult
from levelscope.web.deps import Served, SubmittedForm
from levelscope.web.state import Explorer
from levelscope.web.templating import render

router = APIRouter(include_in_schema=False)

#: Okabe–Ito colours for up to eight categories, most need first.
CATEGORY_COLOURS = ("#D55E00", "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#F0E442", "#999999")
#: A colour-blind-safe sequential scale (light to dark) for funding per head.
SEQUENTIAL = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
DEFAULT_RUNS, MAX_RUNS, MAX_UPLOAD = 200, 2000, 5_000_000
CHART_AREAS = 40


@dataclass(frozen=True)
class NeedView:
    """An index and its uncertainty analysis, with the area names of the level."""

    index: CompositeIndex
    uncertainty: UncertaintyResult
    names: pd.Series


def need_view(ex: Explorer, definition_text: str, n: int, seed: int) -> NeedView:
    """Build (or recall) the index that ``definition_text`` defines, with its rank intervals."""
    return ex.remember(("need", definition_text, n, seed), lambda: _need_view(ex, definition_text, n, seed))


def _need_view(ex: Explorer, definition_text: str, n: int, seed: int) -> NeedView:
    definition = (
        example_definition() if definition_text == EXAMPLE_DEFINITION
        else IndexDefinition.from_yaml(definition_text)
    )
    index = build_index(workspace_indicators(ex.ws, definition, EXAMPLE_LEVEL), definition,
                        provenance=ex.ws.provenance(definition.indicator_ids()))
    names = ex.ws.geographies(EXAMPLE_LEVEL).set_index("code")["name"]
    return NeedView(index, index.uncertainty(n_resamples=n, seed=seed), names)


def area_table(view: NeedView) -> pd.DataFrame:
    """One row per area, highest score first: the numbers the page shows."""
    intervals = view.uncertainty.to_frame().set_index("geography_code")
    table = view.index.to_frame()[["geography_code", "score", "rank", "category"]].set_index("geography_code")
    table = table.join(intervals[["median_rank", "rank_lower", "rank_upper"]])
    table.insert(0, "name", view.names.reindex(table.index).fillna(""))
    return table.reset_index()


# --- the index explorer ----------------------------------------------------------------------


@router.get("/need", response_class=HTMLResponse)
def need_page(request: Request, ex: Served, n: int = DEFAULT_RUNS, seed: int = 0) -> HTMLResponse:
    """The example need index with rank intervals, its chart and map."""
    return _need_response(request, ex, EXAMPLE_DEFINITION, n, seed)


@router.post("/need", response_class=HTMLResponse)
def need_from_form(request: Request, ex: Served, form: SubmittedForm) -> HTMLResponse:
    """The index that the definition in the form describes (422 with the problems if it is bad)."""
    text = str(form.get("definition") or "").strip() or EXAMPLE_DEFINITION
    if text.strip() == EXAMPLE_DEFINITION.strip():
        text = EXAMPLE_DEFINITION
    return _need_response(request, ex, text, _integer(form.get("n"), DEFAULT_RUNS),
                          _integer(form.get("seed"), 0))


def _need_response(request: Request, ex: Served, text: str, n: int, seed: int) -> HTMLResponse:
    n = min(max(n, 8), MAX_RUNS)
    context: dict[str, Any] = {"definition_text": text, "n": n, "seed": seed, "problems": []}
    try:
        view = need_view(ex, text, n, seed)
    except LevelscopeError as error:
        context["problems"] = _problems(error)
        return render(request, "need/index.html", status_code=422, view=None, **context)
    categories = list(view.index.categories.cat.categories)
    colours = dict(zip(categories, CATEGORY_COLOURS, strict=False))
    table = area_table(view)
    map_block = None
    if EXAMPLE_LEVEL in ex.levels_with_shapes():
        map_block = {
            "boundaries": f"/api/boundaries/{EXAMPLE_LEVEL}",
            "legendTitle": "Category",
            "missingLabel": "not in the index",
            "legend": [{"label": str(c), "colour": colours[c]} for c in categories],
            "values": [{"code": code, "name": name or code, "label": str(category),
                        "text": f"score {score:.2f}, rank {rank:.0f}"}
                       for code, name, category, score, rank in
                       zip(table["geography_code"], table["name"], table["category"], table["score"],
                           table["rank"], strict=True)],
        }
    chart = view.uncertainty.plot(top=CHART_AREAS, names=view.names.to_dict())
    chart.update_layout(colorway=["#0072B2", "#D55E00"])
    counts = view.index.categories.value_counts().reindex(categories)
    return render(
        request, "need/index.html", view=view, table=table, chart=chart.to_json(),
        map_block=map_block, colours=colours, counts=counts, sobol=view.uncertainty.sobol,
        excluded=view.index.excluded, chart_areas=CHART_AREAS, sources=view.index.provenance,
        **context,
    )


# --- funding versus need ---------------------------------------------------------------------


@router.get("/need/funding", response_class=HTMLResponse, response_model=None)
def funding_page(request: Request, ex: Served) -> HTMLResponse | RedirectResponse:
    """The Levelling Up Fund's real record (``/funding``) when the workspace holds it; otherwise
    funding versus need for illustrative allocations, to try the analysis on."""
    from levelscope.web.api.funding import holds_allocations

    if holds_allocations(ex):
        return RedirectResponse("/funding", status_code=303)
    return _funding_response(request, ex, None, "")


@router.post("/need/funding", response_class=HTMLResponse)
def funding_from_form(request: Request, ex: Served, form: SubmittedForm) -> HTMLResponse:
    """Funding versus need for pasted or uploaded allocations (422 with the problems if bad)."""
    pasted = str(form.get("allocations") or "")
    upload = form.get("file")
    text = pasted
    if isinstance(upload, UploadFile) and upload.filename:
        text = upload.file.read(MAX_UPLOAD + 1).decode("utf-8-sig", errors="replace")
        if len(text) > MAX_UPLOAD:
            return _funding_response(request, ex, None, "", problems=["the file is larger than 5 MB"])
    if form.get("example") or not text.strip():
        return _funding_response(request, ex, None, "")
    return _funding_response(request, ex, text, pasted)


def _funding_response(
    request: Request, ex: Served, csv_text: str | None, pasted: str, problems: list[str] | None = None
) -> HTMLResponse:
    context: dict[str, Any] = {"pasted": pasted, "example": csv_text is None, "problems": problems or []}
    try:
        view = need_view(ex, EXAMPLE_DEFINITION, DEFAULT_RUNS, 0)
        analysis, rates, left_out = funding_analysis(ex, view.index, csv_text)
    except LevelscopeError as error:
        context["problems"] = _problems(error)
        return render(request, "need/funding.html", status_code=422, analysis=None, **context)
    if problems:
        return render(request, "need/funding.html", status_code=422, analysis=None, **context)
    curve = analysis.concentration.plot()
    curve.update_layout(colorway=["#0072B2", "#999999"])
    names = view.names
    funding = analysis.funding.assign(name=names.reindex(analysis.funding.index).fillna(""))
    map_block = None
    if EXAMPLE_LEVEL in ex.levels_with_shapes():
        map_block = per_head_map(funding)
    return render(
        request, "need/funding.html", analysis=analysis, rates=rates, left_out=left_out,
        curve=curve.to_json(), groups=analysis.groups.reset_index(), rounds=analysis.rounds,
        map_block=map_block, **context,
    )


def funding_analysis(
    ex: Explorer, index: CompositeIndex, csv_text: str | None
) -> tuple[FundingAnalysis, pd.DataFrame | None, list[str]]:
    """The analysis of ``csv_text`` (or the example allocations) against ``index``.

    Areas without a population figure are left out of the need ranking (and named).
    """
    population = workspace_population(ex.ws, EXAMPLE_LEVEL)
    need = index.scores[index.scores.index.isin(population.index)]
    left_out = sorted(set(index.scores.index) - set(need.index))
    if csv_text is None:
        allocations = read_allocations(example_allocations(need), name="example")
    else:
        allocations = read_allocations(pd.read_csv(io.StringIO(csv_text), dtype=str), name="pasted CSV")
    analysis = analyse_funding(allocations, need, population.reindex(need.index))
    rates = None
    if "outcome" in allocations.columns and allocations["outcome"].notna().any():
        rates = success_rates(allocations, index.categories.reindex(need.index)).reset_index()
    return analysis, rates, left_out


def per_head_map(funding: pd.DataFrame) -> dict[str, Any]:
    """A map block with funding per head in five quantile classes (no funding in its own)."""
    per_head = funding["per_head"].to_numpy(dtype=float)
    funded = per_head[per_head > 0]
    legend: list[dict[str, str]] = [{"label": "none", "colour": "#dddddd"}]
    labels = ["none"] * len(per_head)
    if funded.size:
        breaks = quantile_breaks(funded, len(SEQUENTIAL))
        lows = [funded.min(), *breaks[:-1]]
        names = [f"£{low:,.0f}–£{high:,.0f}" for low, high in zip(lows, breaks, strict=True)]
        legend += [{"label": name, "colour": SEQUENTIAL[i]} for i, name in enumerate(names)]
        classes = assign_classes(per_head, breaks)
        labels = [names[c] if v > 0 else "none" for c, v in zip(classes, per_head, strict=True)]
    return {
        "boundaries": f"/api/boundaries/{EXAMPLE_LEVEL}",
        "legendTitle": "Funding per head",
        "missingLabel": "not in the index",
        "legend": legend,
        "values": [{"code": str(code), "name": name or str(code), "label": label,
                    "text": f"£{value:,.2f} per head"}
                   for code, name, label, value in zip(funding.index, funding["name"], labels, per_head,
                                                       strict=True)],
    }


def _problems(error: LevelscopeError) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(p) for p in error.problems]
    return [str(error)]


def _integer(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default
