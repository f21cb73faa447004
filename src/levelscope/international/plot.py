"""Figures of the international results (Plotly), each drawn from a result object."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

if TYPE_CHECKING:
    from levelscope.international.against_nation import PlaceAgainstNation
    from levelscope.international.cases import CaseTimeline
    from levelscope.international.inequality import CountryInequality
    from levelscope.international.synthetic import ExploratorySyntheticControl

PLACE = "#1f5a96"
NATION = "#6b6b6b"
HIGHLIGHT = "#c8102e"
OTHERS = "#9db4cf"


def _mark_timeline(figure: go.Figure, timeline: CaseTimeline | None, first: int, last: int) -> None:
    """Each dated item of the timeline as a dotted vertical line, its title on hover; an item that
    began before the chart does (reunification transfers from 1990) is drawn at its left edge."""
    if timeline is None:
        return
    for event in timeline.events:
        if not first - 30 <= event.year <= last:
            continue
        shown = max(event.year, first)
        practices = "; ".join(timeline.practice_titles.get(p, p) for p in event.practices)
        hover = f"{event.year}{'–' + str(event.end_year) if event.end_year else ''}: {event.title}"
        if practices:
            hover += f"<br>practices: {practices}"
        figure.add_vline(x=shown, line_dash="dot", line_color="#8c6d1f", opacity=0.7)
        label = f"{event.year}–{event.end_year}" if event.end_year else str(event.year)
        figure.add_annotation(x=shown, yref="paper", y=1.0, text=label, showarrow=False,
                              yanchor="bottom", hovertext=hover, font={"size": 10})


def trajectory_figure(result: PlaceAgainstNation, timeline: CaseTimeline | None = None) -> go.Figure:
    """The place's index (nation = 100) over time, with its trend and the timeline's items."""
    table = result.table
    figure = go.Figure()
    figure.add_hline(y=100, line_color=NATION, annotation_text=f"{result.country_name} = 100",
                     annotation_position="bottom right")
    figure.add_trace(go.Scatter(
        x=table["year"], y=table["index"], mode="lines+markers", name=result.place_name,
        line={"color": PLACE}, hovertemplate="%{x}: %{y:.1f}<extra>" + result.place_name + "</extra>"))
    fitted = 100 + result.trend.gap_now + result.trend.slope * (table["year"] - result.end)
    figure.add_trace(go.Scatter(x=table["year"], y=fitted, mode="lines", name="trend",
                                line={"color": PLACE, "dash": "dash", "width": 1}))
    _mark_timeline(figure, timeline, result.start, result.end)
    figure.update_layout(
        title=f"{result.place_name} against {result.country_name}: GDP per head "
              f"({result.country_name} = 100)",
        xaxis_title="year", yaxis_title=f"index ({result.country_name} = 100)",
        template="simple_white", margin={"t": 70},
    )
    return figure


def ranking_figure(
    result: CountryInequality, measure: str, year: int | None, highlight: str
) -> go.Figure:
    """One year's ranking as horizontal bars with bootstrap intervals, one country highlighted."""
    from levelscope.international.inequality import MEASURE_NAMES

    ranked = result.ranking(measure, year).iloc[::-1]
    colours = [HIGHLIGHT if c == highlight else OTHERS for c in ranked["geography_code"]]
    labels = [f"{n} ({int(k)})" for n, k in zip(ranked["country_name"], ranked["n_regions"], strict=True)]
    error = None
    if ranked["lower"].notna().all():
        error = {"type": "data", "symmetric": False, "array": ranked["upper"] - ranked["estimate"],
                 "arrayminus": ranked["estimate"] - ranked["lower"], "color": "#333"}
    figure = go.Figure(go.Bar(
        x=ranked["estimate"], y=labels, orientation="h", marker_color=colours, error_x=error,
        hovertemplate="%{y}: %{x:.4f}<extra></extra>"))
    figure.update_layout(
        title=f"{MEASURE_NAMES[measure]}, {int(ranked['year'].iloc[0])} (number of regions in brackets)",
        xaxis_title=MEASURE_NAMES[measure], template="simple_white",
        height=max(400, 22 * len(ranked) + 120), margin={"l": 200},
    )
    return figure


def place_over_time_figure(result: CountryInequality, measure: str, country: str) -> go.Figure:
    """A country's rank each year, with its interval (1 = most unequal)."""
    from levelscope.international.inequality import MEASURE_NAMES

    rows = result.place_of(country, measure)
    name = result.table.loc[result.table["geography_code"] == country, "country_name"].iloc[0]
    figure = go.Figure(go.Scatter(
        x=rows["year"], y=rows["rank"], mode="lines+markers", name=name, line={"color": HIGHLIGHT},
        error_y={"type": "data", "symmetric": False, "array": rows["rank_upper"] - rows["rank"],
                 "arrayminus": rows["rank"] - rows["rank_lower"]} if rows["rank_lower"].notna().all()
        else None,
        hovertemplate="%{x}: rank %{y}<extra></extra>"))
    figure.update_layout(title=f"{name}'s rank by {MEASURE_NAMES[measure]} (1 = most unequal)",
                         xaxis_title="year", yaxis_title="rank", yaxis_autorange="reversed",
                         template="simple_white")
    return figure


def synthetic_figure(
    result: ExploratorySyntheticControl, timeline: CaseTimeline | None = None
) -> go.Figure:
    """Actual and synthetic paths, the start year marked, titled as exploratory."""
    frame = result.to_frame()
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=frame["year"], y=frame["actual"], mode="lines+markers",
                                name=result.place_name, line={"color": PLACE}))
    figure.add_trace(go.Scatter(x=frame["year"], y=frame["synthetic"], mode="lines",
                                name="synthetic control", line={"color": NATION, "dash": "dash"}))
    figure.add_vline(x=result.start - 0.5, line_color=HIGHLIGHT, annotation_text=f"from {result.start}")
    _mark_timeline(figure, timeline, int(frame["year"].min()), int(frame["year"].max()))
    figure.update_layout(
        title=f"EXPLORATORY: {result.place_name} against a synthetic control from "
              f"{len(result.donors)} metropolitan regions",
        xaxis_title="year", yaxis_title="GDP per head (USD PPP, constant 2015 prices)",
        template="simple_white", margin={"t": 70},
    )
    return figure
