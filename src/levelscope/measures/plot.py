"""Plotly figures for the measures' results: the Lorenz curve and decompositions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

if TYPE_CHECKING:
    from levelscope.measures._validation import FloatArray
    from levelscope.measures.decompose import Decomposition, DecompositionPanel
    from levelscope.measures.inequality import LorenzCurve

_COMPONENT_COLOURS = {"between": "#1f77b4", "within": "#ff7f0e", "overlap": "#7f7f7f"}


def lorenz_figure(curve: LorenzCurve) -> go.Figure:
    """The Lorenz curve with the line of equality; the Gini is in the title."""
    figure = go.Figure()
    figure.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", name="equality", line={"dash": "dash", "color": "grey"}
    )
    figure.add_scatter(x=curve.population_share, y=curve.income_share, mode="lines", name="Lorenz curve")
    figure.update_layout(
        title=f"Lorenz curve (Gini {curve.gini:.3f})",
        xaxis_title="cumulative share of population",
        yaxis_title="cumulative share of the total",
        xaxis={"range": [0, 1]},
        yaxis={"range": [0, 1], "scaleanchor": "x"},
    )
    return figure


def decomposition_figure(result: Decomposition) -> go.Figure:
    """Left: the components stacked into the total. Right: each group's within contribution."""
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=("components", "within, by group"))
    parts = result.to_frame().query("component != 'total'")
    for component, value in zip(parts["component"], parts["value"], strict=True):
        figure.add_bar(
            x=[result.measure],
            y=[value],
            name=component,
            row=1,
            col=1,
            marker_color=_COMPONENT_COLOURS.get(component),
        )
    figure.add_bar(
        x=result.groups["group"].astype(str),
        y=result.groups["contribution"],
        name="group contribution",
        row=1,
        col=2,
        showlegend=False,
    )
    figure.update_layout(barmode="stack", title=f"Decomposition of {result.measure}")
    return figure


def decomposition_over_time_figure(panel: DecompositionPanel) -> go.Figure:
    """Between, within (and overlap) stacked for each value of the first ``by`` key."""
    table = panel.table
    x = table[panel.by[0]]
    figure = go.Figure()
    for component in ("between", "within", "overlap"):
        values = table[component]
        if values.isna().all():
            continue
        figure.add_bar(x=x, y=values, name=component, marker_color=_COMPONENT_COLOURS[component])
    figure.update_layout(
        barmode="stack",
        title=f"Decomposition of {panel.measure} by {panel.by[0]}",
        xaxis_title=panel.by[0],
        yaxis_title=panel.measure,
    )
    return figure


def distribution_figure(
    values: FloatArray,
    observed: float,
    title: str,
    bounds: tuple[float, float] | None = None,
) -> go.Figure:
    """Histogram of simulated values with the observed value (and an interval) marked."""
    figure = go.Figure()
    figure.add_histogram(x=np.asarray(values), name="simulated", nbinsx=40)
    figure.add_vline(x=observed, line_color="black", annotation_text="observed")
    if bounds is not None:
        for bound in bounds:
            figure.add_vline(x=bound, line_dash="dash", line_color="grey")
    figure.update_layout(title=title, showlegend=False)
    return figure
