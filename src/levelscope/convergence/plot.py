"""Charts for convergence: dispersion over time, and transition-matrix heat maps.

Heat maps use the Cividis scale, designed to read the same for people with colour-vision
deficiency, and print each probability in its cell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.subplots import make_subplots

from levelscope.convergence._wide import period_positions

if TYPE_CHECKING:
    from levelscope.convergence.sigma import SigmaConvergence

LINE = "#0072B2"
TREND = "#D55E00"


def sigma_plot(result: SigmaConvergence, *, title: str | None = None) -> go.Figure:
    """Dispersion per period (line) with the fitted OLS trend (dashed)."""
    import pandas as pd

    periods = list(result.periods)
    times = period_positions(pd.Index(periods))
    trend = result.intercept + result.slope * times
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=periods, y=list(result.dispersion), mode="lines+markers", name=result.measure,
                   line={"color": LINE})
    )
    figure.add_trace(
        go.Scatter(x=periods, y=trend, mode="lines", name=f"trend (p = {result.p_value:.3g})",
                   line={"color": TREND, "dash": "dash"})
    )
    figure.update_layout(
        title=title or f"Sigma convergence: {result.measure} over time",
        xaxis_title="period",
        yaxis_title=result.measure,
    )
    return figure


def _labels(k: int) -> list[str]:
    return [f"class {c + 1}" for c in range(k)]


def _heatmap(probabilities: NDArray[np.float64], show_scale: bool) -> go.Heatmap:
    k = probabilities.shape[0]
    return go.Heatmap(
        z=probabilities,
        x=_labels(k),
        y=_labels(k),
        zmin=0.0,
        zmax=1.0,
        colorscale="Cividis",
        text=np.round(probabilities, 3),
        texttemplate="%{text}",
        showscale=show_scale,
        colorbar={"title": "probability"},
        hovertemplate="from %{y} to %{x}: %{z:.3f}<extra></extra>",
    )


def transition_heatmap(probabilities: NDArray[np.float64], *, title: str | None = None) -> go.Figure:
    """Heat map of a transition matrix: rows are the class at the start, columns the next."""
    figure = go.Figure(_heatmap(np.asarray(probabilities), True))
    figure.update_layout(
        title=title or "Transition probabilities",
        xaxis_title="class in the next period",
        yaxis_title="class at the start",
        yaxis_autorange="reversed",
    )
    return figure


def spatial_transition_heatmaps(
    probabilities: NDArray[np.float64], *, title: str | None = None
) -> go.Figure:
    """One heat map per neighbours' class, side by side."""
    m = probabilities.shape[0]
    figure = make_subplots(
        rows=1, cols=m, subplot_titles=[f"neighbours in class {i + 1}" for i in range(m)]
    )
    for i in range(m):
        figure.add_trace(_heatmap(probabilities[i], i == m - 1), row=1, col=i + 1)
        figure.update_yaxes(autorange="reversed", row=1, col=i + 1)
    figure.update_layout(title=title or "Transition probabilities by neighbours' class")
    return figure
