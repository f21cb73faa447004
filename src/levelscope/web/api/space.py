"""REST endpoints of spatial analysis: clusters and convergence, ``/api/space``.

The endpoints only translate between HTTP and the analyses the command line runs
(``levelscope clusters`` and ``levelscope convergence``): every number comes from
:func:`~levelscope.spatial.clusters.workspace_clusters` and
:func:`~levelscope.convergence.analysis.workspace_convergence`.

* ``GET /api/space/clusters/{indicator}`` — global Moran's I and the local Moran's I (LISA) of
  every area in one period; ``?format=csv`` downloads the per-area table.
* ``GET /api/space/convergence/{indicator}`` — beta and sigma convergence, the Markov chain of
  relative classes with its mobility indices, rank mobility and (where the level has boundaries)
  the spatial Markov homogeneity test; ``?format=csv`` downloads the sigma series by default, or
  the transition probabilities or rank mobility with ``table=``.

An unknown indicator or level, or an indicator without figures at the level, gives 404 naming
what exists; clusters at a level without boundaries give 404 naming the levels that have them.
A parameter out of range or an analysis that is undefined on the data gives 422 with the reason.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from levelscope.convergence.analysis import ConvergenceReport, workspace_convergence
from levelscope.convergence.markov import MobilityIndex
from levelscope.errors import NotFoundError, UndefinedMeasureError
from levelscope.measures import parse_measure
from levelscope.spatial.clusters import ClusterAnalysis, workspace_clusters
from levelscope.spatial.local_autocorrelation import QUADRANT_LABELS
from levelscope.web.common import (
    CSV_RESPONSE,
    Format,
    IndicatorId,
    Level,
    SourceOut,
    check_indicator_at,
    sources,
)
from levelscope.web.deps import Served, resamples
from levelscope.web.encoding import csv_response, json_value, records
from levelscope.web.errors import invalid_argument
from levelscope.web.state import Explorer

router = APIRouter(prefix="/api/space", tags=["space"])

MOBILITY_INDICES: tuple[MobilityIndex, ...] = ("P", "D", "L2", "B1", "B2")

Neighbours = Literal["fuzzy", "queen", "rook", "knn"]
WeightsQuery = Annotated[Neighbours, Query(
    description="how areas are linked: fuzzy (shapes that touch or overlap, robust to "
                "generalised boundaries), queen or rook contiguity, or knn (k nearest centroids)")]
Period = Annotated[str | None, Query(description="period label; default the latest",
                                     max_length=40)]


# -- response models ---------------------------------------------------------------------------
class MoranOut(BaseModel):
    statistic: float = Field(description="Moran's I")
    expected: float = Field(description="E[I] = -1 / (n - 1) under no spatial autocorrelation")
    z_normal: float | None
    p_normal: float | None = Field(description="analytic p-value under normality")
    z_randomisation: float | None
    p_randomisation: float | None = Field(description="analytic p-value under randomisation")
    p_sim: float | None = Field(description="permutation pseudo p-value")
    z_sim: float | None
    alternative: str


class LisaOut(BaseModel):
    code: str
    name: str | None
    value: float
    local_i: float = Field(description="local Moran's I_i")
    quadrant: int = Field(description="1 High-High, 2 Low-High, 3 Low-Low, 4 High-Low")
    quadrant_label: str
    p_sim: float | None = Field(description="conditional-permutation pseudo p-value")
    significant: bool
    cluster: str = Field(description="quadrant where significant, 'Not significant' or 'Island'")


class SpaceClustersOut(BaseModel):
    indicator: str
    level: str
    period: str
    weights: str
    k: int | None = Field(description="neighbours per area (knn only)")
    n_resamples: int = Field(description="random permutations drawn")
    permutations: int = Field(deprecated=True, description="old name of n_resamples")
    alpha: float
    fdr: bool
    threshold: float = Field(description="p-value cut-off used (Benjamini–Hochberg with fdr)")
    n: int
    islands: list[str] = Field(description="areas with no neighbour")
    left_out: list[str] = Field(description="areas with a value but no boundary")
    moran: MoranOut
    areas: list[LisaOut]
    summary: str
    sources: list[SourceOut]


class BetaOut(BaseModel):
    beta: float = Field(description="slope of average annual log growth on the starting log level")
    std_error: float
    t_statistic: float | None
    p_value: float
    intercept: float
    r_squared: float
    speed: float | None = Field(description="-ln(1 + beta T) / T; null when undefined")
    half_life: float | None = Field(description="years to close half the gap, ln 2 / speed")
    n: int
    start: str
    end: str
    years: float


class SigmaOut(BaseModel):
    measure: str
    series: list[dict[str, Any]] = Field(description="period, value")
    slope: float = Field(description="OLS trend of dispersion per period unit")
    std_error: float
    p_value: float
    intercept: float
    converging: bool = Field(description="negative slope with p < 0.05")


class MarkovOut(BaseModel):
    classes: int
    transitions: list[list[float]] = Field(description="counts of moves from row class to column")
    probabilities: list[list[float]]
    steady_state: list[float] | None = Field(description="long-run shares; null when undefined")
    mobility: dict[str, float | None] = Field(description="Shorrocks P, D, L2, Bartholomew B1, B2")
    notes: list[str]


class SpatialMarkovOut(BaseModel):
    q: float
    q_p_value: float
    lr: float
    lr_p_value: float
    dof: int


class ConvergenceOut(BaseModel):
    indicator: str
    level: str
    start: str
    end: str
    dropped: list[str] = Field(description="areas left out for gaps in the window")
    beta: BetaOut
    sigma: SigmaOut
    markov: MarkovOut
    rank_mobility: list[dict[str, Any]] = Field(description="from, to, tau, p_value")
    spatial_markov: SpatialMarkovOut | None
    summary: str
    sources: list[SourceOut]


# -- translation helpers -----------------------------------------------------------------------
def check_boundaries(ex: Explorer, level: str) -> None:
    if level not in ex.levels_with_shapes():
        raise NotFoundError(f"no boundaries for level {level!r}; levels with boundaries: "
                            f"{', '.join(sorted(ex.levels_with_shapes()))}")


def area_table(ex: Explorer, result: ClusterAnalysis, level: str) -> pd.DataFrame:
    """One row per area: the table behind both the JSON ``areas`` and the CSV download."""
    frame = result.to_frame()
    names = ex.ws.geographies(level).set_index("code")["name"]
    table = pd.DataFrame({
        "code": frame["geography_code"].astype(str),
        "name": frame["geography_code"].map(names),
        "value": frame["value"],
        "local_i": frame["local_i"],
        "quadrant": frame["quadrant"],
        "quadrant_label": frame["quadrant"].map(QUADRANT_LABELS),
        "p_sim": frame.get("p_sim", np.nan),
        "significant": frame["significant"],
        "cluster": frame["cluster"],
    })
    return table


def moran_payload(result: ClusterAnalysis) -> dict[str, Any]:
    g = result.global_moran
    return {
        "statistic": g.statistic, "expected": g.expected,
        "z_normal": json_value(g.z_normal), "p_normal": json_value(g.p_normal),
        "z_randomisation": json_value(g.z_randomisation),
        "p_randomisation": json_value(g.p_randomisation),
        "p_sim": json_value(g.p_sim),
        "z_sim": None if g.simulation is None else json_value(g.simulation.z),
        "alternative": g.alternative,
    }


def markov_payload(report: ConvergenceReport) -> dict[str, Any]:
    chain = report.markov
    notes = []
    steady: list[float] | None
    try:
        steady = [float(v) for v in chain.steady_state]
    except UndefinedMeasureError as why:
        steady, notes = None, [f"steady state undefined: {why}"]
    return {
        "classes": chain.k,
        "transitions": chain.transitions.tolist(),
        "probabilities": chain.probabilities.tolist(),
        "steady_state": steady,
        "mobility": {m: json_value(chain.mobility(m)) for m in MOBILITY_INDICES},
        "notes": notes,
    }


def convergence_payload(report: ConvergenceReport) -> dict[str, Any]:
    beta, sigma = report.beta, report.sigma
    homogeneity = None if report.spatial_markov is None else report.spatial_markov.homogeneity
    return {
        "indicator": report.indicator_id, "level": report.level,
        "start": str(sigma.periods[0]), "end": str(sigma.periods[-1]),
        "dropped": list(report.dropped),
        "beta": {
            "beta": beta.beta, "std_error": beta.std_error, "t_statistic": json_value(beta.t_statistic),
            "p_value": beta.p_value, "intercept": beta.intercept, "r_squared": beta.r_squared,
            "speed": beta.speed, "half_life": beta.half_life, "n": beta.n,
            "start": str(beta.start), "end": str(beta.end), "years": beta.years,
        },
        "sigma": {
            "measure": sigma.measure, "series": records(sigma_table(report)),
            "slope": sigma.slope, "std_error": sigma.std_error, "p_value": sigma.p_value,
            "intercept": sigma.intercept, "converging": sigma.converging,
        },
        "markov": markov_payload(report),
        "rank_mobility": records(report.mobility.to_frame().astype({"from": str, "to": str})),
        "spatial_markov": None if homogeneity is None else {
            "q": homogeneity.q, "q_p_value": homogeneity.q_p_value, "lr": homogeneity.lr,
            "lr_p_value": homogeneity.lr_p_value, "dof": homogeneity.dof,
        },
        "summary": report.summary(),
        "sources": sources(report.provenance),
    }


def sigma_table(report: ConvergenceReport) -> pd.DataFrame:
    sigma = report.sigma
    return pd.DataFrame({"period": [str(p) for p in sigma.periods], "value": sigma.dispersion})


def transitions_table(report: ConvergenceReport) -> pd.DataFrame:
    frame = report.markov.to_frame()
    return frame.rename(columns=lambda c: f"to {c}").rename_axis("from").reset_index()


# -- endpoints -----------------------------------------------------------------------------------
@router.get("/clusters/{indicator}", response_model=SpaceClustersOut, responses=CSV_RESPONSE)
def clusters(
    ex: Served,
    indicator: IndicatorId,
    n_resamples: Annotated[int, resamples(least=0)],
    level: Level = "lad",
    period: Period = None,
    weights: WeightsQuery = "fuzzy",
    k: Annotated[int, Query(ge=1, le=50, description="neighbours per area for weights=knn")] = 6,
    seed: Annotated[int, Query(ge=0, description="random seed (fixed by default: the same answer "
                                                 "every time)")] = 0,
    alpha: Annotated[float, Query(gt=0, lt=0.5, description="significance level")] = 0.05,
    fdr: Annotated[bool, Query(description="control the false discovery rate")] = False,
    format: Format = "json",
) -> Any:
    """Global Moran's I and the LISA of every area (local Moran's I with conditional permutation),
    as ``levelscope clusters``. Weights are row-standardised."""
    check_indicator_at(ex, indicator, level)
    check_boundaries(ex, level)
    result = workspace_clusters(ex.ws, indicator, level, period, neighbours=weights, k=k,
                                n_resamples=n_resamples, alpha=alpha, fdr=fdr, seed=seed)
    table = area_table(ex, result, level)
    if format == "csv":
        return csv_response(table, f"{indicator}-{level}-{result.period}-lisa")
    local = result.local
    return {
        "indicator": indicator, "level": level, "period": str(result.period), "weights": weights,
        "k": k if weights == "knn" else None, "n_resamples": n_resamples,
        "permutations": n_resamples, "alpha": local.alpha,
        "fdr": local.fdr, "threshold": local.threshold, "n": len(table),
        "islands": [str(c) for c in local.islands], "left_out": list(result.left_out),
        "moran": moran_payload(result), "areas": records(table), "summary": result.summary(),
        "sources": sources(result.provenance),
    }


@router.get("/convergence/{indicator}", response_model=ConvergenceOut, responses=CSV_RESPONSE)
def convergence(
    ex: Served,
    indicator: IndicatorId,
    level: Level = "lad",
    start: Annotated[str | None, Query(description="first period; default the earliest",
                                       max_length=40)] = None,
    end: Annotated[str | None, Query(description="last period; default the latest",
                                     max_length=40)] = None,
    measure: Annotated[str, Query(
        description="dispersion for sigma convergence: std_log (standard deviation of logs) or "
                    "a measure of levelscope.measures, e.g. gini, cv", max_length=60)] = "std_log",
    classes: Annotated[int, Query(ge=2, le=10, description="classes of the Markov chains")] = 5,
    spatial: Annotated[bool, Query(description="add the spatial Markov chain where the level "
                                               "has boundaries")] = True,
    weights: WeightsQuery = "fuzzy",
    table: Annotated[Literal["sigma", "transitions", "mobility"], Query(
        description="which table a CSV download holds: the sigma series (period, value), the "
                    "transition probabilities, or Kendall's tau against the first period")] = "sigma",
    format: Format = "json",
) -> Any:
    """Beta and sigma convergence, the Markov chain of values relative to each period's mean with
    its steady state and mobility indices, and rank mobility, as ``levelscope convergence``.

    Areas are weighted equally: the analyses behind this endpoint take no area weights."""
    check_indicator_at(ex, indicator, level)
    if measure != "std_log":
        with invalid_argument("query", "measure"):
            parse_measure(measure)
    report = workspace_convergence(ex.ws, indicator, level, start, end, measure=measure, k=classes,
                               spatial=spatial, neighbours=weights)
    body = convergence_payload(report)
    if format == "csv":
        frame = {"sigma": sigma_table, "transitions": transitions_table,
                 "mobility": lambda r: r.mobility.to_frame()}[table](report)
        return csv_response(frame, f"{indicator}-{level}-convergence-{table}")
    return body
