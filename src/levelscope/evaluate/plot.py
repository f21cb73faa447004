"""Plotly figures for evaluation results: paths, gaps, placebo spaghetti, event studies."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray

if TYPE_CHECKING:
    from levelscope.evaluate.synth import LeaveOneOut, PlaceboTest, SyntheticControl

_TREATED = "#1f3a93"
_COMPARISON = "#c0392b"
_GREY = "rgba(120,120,120,0.35)"


def _start_line(figure: go.Figure, start: float) -> None:
    figure.add_vline(x=start, line_dash="dot", line_color="grey", annotation_text="start")


def paths(actual: pd.Series, synthetic: pd.Series, start: float, title: str) -> go.Figure:
    """Treated and comparison outcome over time, with the start marked."""
    figure = go.Figure()
    figure.add_scatter(x=actual.index, y=actual, name="actual", line_color=_TREATED)
    figure.add_scatter(
        x=synthetic.index, y=synthetic, name="comparison", line={"color": _COMPARISON, "dash": "dash"}
    )
    _start_line(figure, start)
    figure.update_layout(title=title, xaxis_title=actual.index.name, template="simple_white")
    return figure


def synth_paths(result: SyntheticControl) -> go.Figure:
    figure = paths(
        result.actual, result.synthetic, result.start,
        title=f"{result.treated}: actual and synthetic {result.outcome}",
    )
    figure.update_traces(selector={"name": "comparison"}, name="synthetic")
    figure.update_layout(yaxis_title=result.outcome)
    return figure


def synth_gap(result: SyntheticControl) -> go.Figure:
    gap = result.gap
    figure = go.Figure(go.Scatter(x=gap.index, y=gap, name="gap", line_color=_TREATED))
    figure.add_hline(y=0, line_color="grey")
    _start_line(figure, result.start)
    figure.update_layout(
        title=f"{result.treated}: gap between actual and synthetic {result.outcome}",
        yaxis_title="gap", template="simple_white",
    )
    return figure


def placebo_spaghetti(result: PlaceboTest, max_pre_mspe_ratio: float | None) -> go.Figure:
    figure = go.Figure()
    pre_mspe = (result.pre_rmspe**2).to_dict()
    treated_mspe = float(pre_mspe[result.treated])
    for unit in result.gaps.columns:
        if unit == result.treated:
            continue
        unit_mspe = float(pre_mspe[unit])
        if max_pre_mspe_ratio is not None and unit_mspe > max_pre_mspe_ratio * treated_mspe:
            continue
        figure.add_scatter(
            x=result.gaps.index, y=result.gaps[unit], name=str(unit), line_color=_GREY,
            showlegend=False, hovertemplate=f"{unit}<br>%{{x}}: %{{y:.3g}}<extra></extra>",
        )
    gap = result.gaps[result.treated]
    figure.add_scatter(x=gap.index, y=gap, name=str(result.treated), line={"color": _TREATED, "width": 3})
    figure.add_hline(y=0, line_color="grey")
    _start_line(figure, result.start)
    figure.update_layout(
        title=f"Gap for {result.treated} and placebo units (p = {result.p_value:.3f})",
        yaxis_title="gap", template="simple_white",
    )
    return figure


def leave_one_out(result: LeaveOneOut) -> go.Figure:
    base = result.baseline
    figure = paths(base.actual, base.synthetic, base.start, f"{base.treated}: leave-one-out")
    for donor in result.synthetic.columns:
        figure.add_scatter(
            x=result.synthetic.index, y=result.synthetic[donor], name=f"without {donor}",
            line={"color": _GREY},
        )
    return figure


def event_study(
    periods: NDArray[np.generic],
    estimate: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    reference: int | None,
    x_title: str | None = "periods since adoption",
) -> go.Figure:
    """Point estimates with interval bars; the reference period is drawn at zero."""
    x = np.asarray(periods, dtype=float)
    est, lo, hi = (np.asarray(v, dtype=float) for v in (estimate, lower, upper))
    if reference is not None:
        order = np.argsort(np.append(x, reference))
        x = np.append(x, reference)[order]
        est, lo, hi = (np.append(v, 0.0)[order] for v in (est, lo, hi))
    figure = go.Figure(
        go.Scatter(
            x=x, y=est, mode="markers+lines", name="estimate", line_color=_TREATED,
            error_y={"type": "data", "symmetric": False, "array": hi - est, "arrayminus": est - lo},
        )
    )
    figure.add_hline(y=0, line_color="grey")
    figure.add_vline(x=-0.5, line_dash="dot", line_color="grey")
    figure.update_layout(title="Event study", xaxis_title=x_title, yaxis_title="effect",
                         template="simple_white")
    return figure
