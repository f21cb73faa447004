"""How an area's gap to the median (and to its peers) has moved over time.

For each period the median is taken over every area of the level with a value that period. The
gap is ``value - median``. Between the first and last periods where both exist the gap is

* **closing** when its size ``|gap|`` fell by more than the tolerance,
* **widening** when it grew by more than the tolerance,
* **stable** otherwise,

with the tolerance a share (default 1 %) of the latest median, so that noise in the last digit
does not count as movement. When the area moved from one side of the median to the other, the
statement says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from levelscope.data.store import Workspace
from levelscope.formatting import difference as format_difference
from levelscope.formatting import level_name
from levelscope.formatting import value as format_value
from levelscope.results import Result

if TYPE_CHECKING:
    import plotly.graph_objects as go

CLOSING, WIDENING, STABLE, NO_TREND = "closing", "widening", "stable", "no trend"

# Okabe–Ito: readable by people with the common forms of colour blindness
AREA_COLOUR, MEDIAN_COLOUR, PEER_COLOUR = "#0072B2", "#000000", "#D55E00"


@dataclass(frozen=True, repr=False)
class Trend(Result):
    """An area's series on one indicator against the median (and its peers) over time.

    ``series`` has one row per period: ``period``, ``period_end``, ``value``, ``lower``,
    ``upper``, ``median``, ``gap`` (value - median) and, with peers, ``peer_median`` and
    ``peer_gap``. ``direction`` is closing, widening, stable or "no trend" (one period only).
    """

    code: str
    name: str
    level: str
    indicator_id: str
    indicator_name: str
    unit: str
    polarity: str
    series: pd.DataFrame
    direction: str
    start_period: str | None
    end_period: str | None
    start_gap: float | None
    end_gap: float | None
    statement: str
    peer_statement: str | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.series.copy()

    def summary(self) -> str:
        lines = [f"{self.indicator_name}: {self.name} ({self.code})", self.statement]
        if self.peer_statement:
            lines.append(self.peer_statement)
        return "\n".join(lines)

    def plot(self) -> go.Figure:
        """The area's line (with its confidence band where published), the median and peers."""
        import plotly.graph_objects as go

        s = self.series
        figure = go.Figure()
        if s["lower"].notna().any():
            figure.add_scatter(
                x=list(s["period"]) + list(s["period"])[::-1],
                y=list(s["upper"]) + list(s["lower"])[::-1],
                fill="toself", fillcolor="rgba(0,114,178,0.15)", line={"width": 0},
                name="95% confidence interval", hoverinfo="skip",
            )
        figure.add_scatter(x=s["period"], y=s["value"], name=self.name, mode="lines+markers",
                           line={"color": AREA_COLOUR, "width": 3})
        figure.add_scatter(x=s["period"], y=s["median"], name=f"Median ({level_name(self.level, True)})",
                           mode="lines", line={"color": MEDIAN_COLOUR, "dash": "dash"})
        if "peer_median" in s:
            figure.add_scatter(x=s["period"], y=s["peer_median"], name="Median of peers",
                               mode="lines", line={"color": PEER_COLOUR, "dash": "dot"})
        figure.update_layout(
            title=self.indicator_name, yaxis_title=self.unit, xaxis_title="period",
            legend={"orientation": "h", "y": -0.2}, margin={"l": 60, "r": 20, "t": 50, "b": 40},
        )
        return figure


def gap_direction(start_gap: float, end_gap: float, scale: float, tolerance: float = 0.01) -> str:
    """Closing, widening or stable: the change in ``|gap|`` against ``tolerance * |scale|``.

    Parameters
    ----------
    start_gap, end_gap
        The area's gap to the comparison (area minus median) at the start and at the end.
    scale
        The size the tolerance is a share of, usually the latest median.
    tolerance
        Changes in ``|gap|`` smaller than ``tolerance * |scale|`` count as stable.

    Returns
    -------
    str
        ``"closing"``, ``"widening"`` or ``"stable"``.

    Examples
    --------
    >>> gap_direction(-3.0, -1.0, scale=30.0)
    'closing'
    >>> gap_direction(-3.0, -3.2, scale=30.0)
    'stable'
    """
    change = abs(end_gap) - abs(start_gap)
    threshold = tolerance * abs(scale)
    if change < -threshold:
        return CLOSING
    if change > threshold:
        return WIDENING
    return STABLE


def area_trend(
    ws: Workspace,
    code: str,
    indicator: str,
    *,
    peers: Sequence[str] = (),
    panel: pd.DataFrame | None = None,
    tolerance: float = 0.01,
) -> Trend:
    """The area's series on ``indicator`` against the median of its level and of ``peers``.

    Parameters
    ----------
    ws:
        The workspace.
    code, indicator:
        The area and the indicator id.
    peers:
        Codes of comparison areas (e.g. :attr:`PeerGroup.codes`); adds a peer median series.
    panel:
        ``ws.observations(indicator, level=<the area's level>)`` if already at hand.
    tolerance:
        Share of the latest median below which a change in the gap counts as stable.

    Raises
    ------
    NotFoundError
        Unknown area or indicator.

    Returns
    -------
    Trend
        The series, the gap at the start and the end, whether it is closing, and a sentence.

    Examples
    --------
    >>> trend = area_trend(ws, "E08000025", "gva_per_hour_worked")
    >>> trend.name, trend.direction in ("closing", "widening", "stable")
    ('Birmingham', True)
    """
    place = ws.geography(code)
    meta = ws.indicator(indicator)
    level = str(place.level)
    data = panel if panel is not None else ws.observations(indicator, level=level)
    by_period = data.groupby("period", sort=False)
    medians = by_period["value"].median()
    ends = by_period["period_end"].max()
    mine = data[data["geography_code"] == code].set_index("period")
    series = pd.DataFrame({"period_end": ends, "median": medians})
    series = series.join(mine[["value", "lower", "upper"]], how="left")
    if peers:
        peer_rows = data[data["geography_code"].isin(list(peers))]
        series["peer_median"] = peer_rows.groupby("period")["value"].median()
    series = series.sort_values("period_end").reset_index().rename(columns={"index": "period"})
    series = series[series["value"].notna()].reset_index(drop=True)
    series["gap"] = series["value"] - series["median"]
    if peers:
        series["peer_gap"] = series["value"] - series["peer_median"]
    columns = ["period", "period_end", "value", "lower", "upper", "median", "gap"]
    series = series[columns + (["peer_median", "peer_gap"] if peers else [])]

    words = _Words(place.name, str(meta.polarity), meta.unit)
    median_label = f"the median of {level_name(level, True)}"
    direction, start, end, statement = _describe(series, "gap", "median", median_label, words, tolerance)
    peer_statement = None
    if peers:
        _, _, _, peer_statement = _describe(
            series.dropna(subset=["peer_gap"]), "peer_gap", "peer_median", "the median of its peers",
            words, tolerance,
        )
    return Trend(
        code=code, name=place.name, level=level, indicator_id=indicator, indicator_name=meta.name,
        unit=meta.unit, polarity=str(meta.polarity), series=series, direction=direction,
        start_period=start, end_period=end,
        start_gap=float(series["gap"].iloc[0]) if start else None,
        end_gap=float(series["gap"].iloc[-1]) if end else None,
        statement=statement, peer_statement=peer_statement,
        provenance=ws.provenance(indicator),
    )


@dataclass(frozen=True)
class _Words:
    name: str
    polarity: str
    unit: str

    def side(self, gap: float) -> str:
        """'above' / 'below', or 'ahead of' / 'behind' when the indicator has a direction."""
        if gap == 0:
            return "level with"
        if self.polarity == "higher_is_better":
            return "ahead of" if gap > 0 else "behind"
        if self.polarity == "lower_is_better":
            return "ahead of" if gap < 0 else "behind"
        return "above" if gap > 0 else "below"


def _describe(
    series: pd.DataFrame, gap: str, base: str, label: str, words: _Words, tolerance: float
) -> tuple[str, str | None, str | None, str]:
    rows = series.dropna(subset=[gap])
    if rows.empty:
        return NO_TREND, None, None, f"{words.name} has no value to compare with {label}."
    last = rows.iloc[-1]
    size = format_difference(abs(last[gap]), words.unit)
    if len(rows) < 2:
        return (
            NO_TREND, None, str(last["period"]),
            f"Only one period ({last['period']}) is available: {words.name} is {size} "
            f"{words.side(last[gap])} {label}, so there is no trend yet.",
        )
    first = rows.iloc[0]
    direction = gap_direction(first[gap], last[gap], last[base], tolerance)
    change = format_difference(abs(abs(last[gap]) - abs(first[gap])), words.unit)
    start_text = f"{format_difference(abs(first[gap]), words.unit)} {words.side(first[gap])}"
    end_text = f"{size} {words.side(last[gap])}"
    span = f"Between {first['period']} and {last['period']}"
    if (first[gap] > 0) != (last[gap] > 0) and first[gap] != 0 and last[gap] != 0:
        text = f"{span} {words.name} moved from {start_text} {label} to {end_text} it."
    elif direction == STABLE:
        text = (
            f"{span} the gap between {words.name} and {label} hardly changed: "
            f"{start_text} {label} then, {end_text} it now."
        )
    else:
        verb = "narrowed" if direction == CLOSING else "widened"
        text = (
            f"{span} the gap between {words.name} and {label} {verb} by {change}, "
            f"from {start_text} {label} to {end_text} it."
        )
    latest = format_value(last[base], words.unit)
    text += f" (Latest {base.replace('_', ' ')}: {latest}.)"
    return direction, str(first["period"]), str(last["period"]), text
