"""What tracking one indicator returns: its trajectory, actuals, status and projection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from levelscope import formatting
from levelscope.monitor.projection import Projection
from levelscope.monitor.status import STATUS_COLOURS, STATUS_SYMBOLS, Status
from levelscope.results import Result


@dataclass(frozen=True)
class IndicatorTrack(Result):
    """Where one indicator stands: trajectory, actuals, status under its rule, and projection."""

    indicator_id: int
    name: str
    stage: str
    unit: str
    baseline_date: dt.date
    baseline_value: float
    target_date: dt.date
    target_value: float
    trajectory: str
    status: Status
    rule: str
    latest_date: dt.date | None
    latest_value: float | None
    expected_at_latest: float | None
    shortfall: float | None
    projection: Projection | None
    projection_note: str
    actuals: pd.DataFrame = field(repr=False)
    path: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Actuals beside the trajectory's value on each actual's date."""
        return self.actuals.copy()

    def summary(self) -> str:
        def figure(x: float | None) -> str:
            return formatting.value(x, self.unit)

        latest = "no actuals yet"
        if self.latest_value is not None:
            latest = (
                f"latest {figure(self.latest_value)} on {self.latest_date} against "
                f"{figure(self.expected_at_latest)} expected"
            )
        lines = [
            f"{self.name} ({self.stage}): {self.status.value}",
            f"  baseline {figure(self.baseline_value)} ({self.baseline_date}); target "
            f"{figure(self.target_value)} by {self.target_date}; {self.trajectory} trajectory",
            f"  {latest}",
            f"  rule: {self.rule}",
        ]
        if self.projection is not None:
            p = self.projection
            lines.append(
                f"  projected {figure(p.value)} at {p.date} ({1 - p.alpha:.0%} interval "
                f"{figure(p.lower)} to {figure(p.upper)})"
            )
        else:
            lines.append(f"  projection: {self.projection_note}")
        return "\n".join(lines)

    def plot(self) -> go.Figure:
        """Trajectory, actuals, the latest actual marked and labelled with its status, projection."""
        figure = go.Figure()
        figure.add_scatter(
            x=self.path["date"],
            y=self.path["expected"],
            mode="lines",
            name="trajectory",
            line={"color": "#000000", "dash": "dash"},
        )
        figure.add_scatter(
            x=self.actuals["date"],
            y=self.actuals["value"],
            mode="markers+lines",
            name="actual",
            line={"color": "#0072B2"},
        )
        if self.projection is not None:
            p = self.projection
            figure.add_scatter(
                x=[p.date, p.date],
                y=[p.lower, p.upper],
                mode="lines",
                line={"width": 6, "color": "#56B4E9"},
                name=f"{1 - p.alpha:.0%} projection interval",
            )
            figure.add_scatter(
                x=[p.date], y=[p.value], mode="markers", name="projection", marker={"color": "#56B4E9"}
            )
        if self.latest_date is not None:
            figure.add_scatter(
                x=[self.latest_date],
                y=[self.latest_value],
                mode="markers+text",
                text=[self.status.value],
                textposition="top center",
                name=f"latest: {self.status.value}",
                marker={
                    "size": 16,
                    "color": STATUS_COLOURS[self.status],
                    "symbol": STATUS_SYMBOLS[self.status],
                    "line": {"width": 2, "color": STATUS_COLOURS[self.status]},
                },
            )
        figure.update_layout(
            title=f"{self.name}: {self.status.value}",
            yaxis_title=self.unit,
            legend={"orientation": "h"},
        )
        return figure
