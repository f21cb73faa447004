"""Charts of need and funding (Plotly figures, ready for notebooks and the web pages).

* :func:`index_bar_chart` — index scores by area, coloured by category;
* :func:`rank_interval_chart` — each area's nominal and median rank with its 5th–95th
  percentile rank interval from the uncertainty analysis;
* :func:`concentration_curve_chart` — cumulative share of funding against cumulative share of
  areas or people ranked from the most needy, with the line of equality;
* :func:`funding_need_scatter` — funding per head against need score;
* :func:`funding_map` — a choropleth of any value by area, given boundaries as GeoJSON in
  longitude/latitude.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go

if TYPE_CHECKING:
    from levelscope.need.fund_analysis import FundAnalysis
    from levelscope.need.funding import Concentration
    from levelscope.need.index import CompositeIndex
    from levelscope.need.uncertainty import UncertaintyResult


def area_labels(codes: pd.Series, names: Mapping[str, str] | None) -> list[str]:
    """What a chart's axis calls each area: its name (its code where the name is unknown, and
    both where two areas share a name)."""
    named = [str((names or {}).get(code) or code) for code in codes]
    shared = {label for label in named if named.count(label) > 1}
    return [f"{label} ({code})" if label in shared and label != code else label
            for label, code in zip(named, codes, strict=True)]


def index_bar_chart(
    index: CompositeIndex, *, top: int | None = None, names: Mapping[str, str] | None = None
) -> go.Figure:
    """Scores by area, highest first; ``top`` limits the chart to that many areas, ``names``
    (area name by code) labels the areas by name, with the code on hover."""
    table = index.to_frame()
    if top is not None:
        table = table.head(top)
    table = table.assign(label=area_labels(table["geography_code"], names))
    figure = go.Figure()
    for category in index.categories.cat.categories:
        part = table[table["category"] == category]
        figure.add_bar(x=part["label"], y=part["score"], name=str(category),
                       customdata=part["geography_code"],
                       hovertemplate="%{x} (%{customdata}): %{y:.2f}<extra></extra>")
    figure.update_layout(
        title=f"{index.name}: scores by area",
        xaxis_title="area",
        yaxis_title="score",
        xaxis={"categoryorder": "total descending"},
    )
    return figure


def rank_interval_chart(
    result: UncertaintyResult, *, top: int | None = None, names: Mapping[str, str] | None = None
) -> go.Figure:
    """Median rank (dot), nominal rank (cross) and 90% rank interval (bar) of each area;
    ``names`` (area name by code) labels the areas by name, with the code on hover."""
    table = result.to_frame()
    if top is not None:
        table = table.head(top)
    labels = area_labels(table["geography_code"], names)
    figure = go.Figure()
    figure.add_scatter(
        x=table["median_rank"],
        y=labels,
        customdata=table["geography_code"],
        hovertemplate="%{y} (%{customdata}): median rank %{x:.1f}<extra></extra>",
        mode="markers",
        name="median rank",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": table["rank_upper"] - table["median_rank"],
            "arrayminus": table["median_rank"] - table["rank_lower"],
        },
    )
    figure.add_scatter(
        x=table["nominal_rank"],
        y=labels,
        mode="markers",
        marker={"symbol": "x"},
        name="nominal rank",
    )
    figure.update_layout(
        title=f"Rank intervals (5th–95th percentile, {result.n_runs} runs)",
        xaxis_title="rank (1 = highest score)",
        yaxis={"autorange": "reversed"},
        height=max(400, 18 * len(table)),
    )
    return figure


def concentration_curve_chart(concentration: Concentration) -> go.Figure:
    """The concentration curve with the diagonal of funding in proportion to areas/people."""
    curve = concentration.curve
    axis = "people" if concentration.weighted else "areas"
    figure = go.Figure()
    figure.add_scatter(
        x=curve["cumulative_share_areas"],
        y=curve["cumulative_share_funding"],
        mode="lines",
        name=f"concentration curve (C = {concentration.index:.3f})",
        text=curve["geography_code"],
    )
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="equal per head", line={"dash": "dash"})
    figure.update_layout(
        title="Funding against need",
        xaxis_title=f"cumulative share of {axis}, most needy first",
        yaxis_title="cumulative share of funding",
    )
    return figure


def fund_concentration_chart(result: FundAnalysis, *, round: str = "all",
                             against: str = "deprivation") -> go.Figure:
    """Concentration curves of a :class:`~levelscope.need.fund_analysis.FundAnalysis`: one line per
    round (and all rounds) against deprivation or the priority categories, with the diagonal."""
    figure = go.Figure()
    index_of = {(str(r), str(a)): float(c) for r, a, c in zip(
        result.concentration["round"], result.concentration["against"],
        result.concentration["concentration_index"], strict=True)}
    for (label, kind), curve in result.curves.items():
        if kind != against or (round != "all" and label not in (round, "all")):
            continue
        index = index_of[(label, kind)]
        name = "all rounds" if label == "all" else f"round {label}"
        figure.add_scatter(x=curve["cumulative_share_areas"], y=curve["cumulative_share_funding"],
                           mode="lines", name=f"{name} (C = {index:.3f})", text=curve["geography_code"])
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="equal per head", line={"dash": "dash"})
    figure.update_layout(
        title=f"{result.fund}: funding against {against}",
        xaxis_title="cumulative share of people, most "
        + ("deprived" if against == "deprivation" else "needy") + " first",
        yaxis_title="cumulative share of funding",
    )
    return figure


def funding_need_scatter(
    funding: pd.DataFrame, need: pd.Series, *, categories: pd.Series | None = None
) -> go.Figure:
    """Funding per head (``funding["per_head"]``) against need score, one point per area."""
    table = pd.DataFrame({"per_head": funding["per_head"], "need": need.reindex(funding.index)})
    figure = go.Figure()
    if categories is None:
        figure.add_scatter(
            x=table["need"], y=table["per_head"], mode="markers", text=table.index, name="areas"
        )
    else:
        labels = categories.reindex(table.index)
        for label in labels.cat.categories:
            part = table[labels == label]
            figure.add_scatter(
                x=part["need"], y=part["per_head"], mode="markers", text=part.index, name=str(label)
            )
    figure.update_layout(
        title="Funding per head against need",
        xaxis_title="need score",
        yaxis_title="funding per head (£)",
    )
    return figure


def funding_map(
    values: pd.Series, geojson: dict[str, Any], *, feature_id_key: str, title: str = ""
) -> go.Figure:
    """Choropleth of ``values`` (indexed by area code) on GeoJSON boundaries in lon/lat.

    ``feature_id_key`` is the path to the area code in each feature, e.g.
    ``"properties.LAD23CD"``.
    """
    figure = go.Figure(
        go.Choropleth(
            geojson=geojson,
            locations=list(values.index),
            z=values.to_numpy(),
            featureidkey=feature_id_key,
            colorbar={"title": values.name or ""},
        )
    )
    figure.update_geos(fitbounds="locations", visible=False)
    figure.update_layout(title=title)
    return figure
