"""An area against the median, its statistical peers or areas the user picks — and in words.

:func:`compare_area` gathers everything an area page shows: each indicator's latest value with
its confidence interval, the median of the level, the gap, the flag (see
:mod:`levelscope.compare.standings`) and the chosen comparison. :func:`plain_summary` turns the
numbers into a few sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from levelscope.compare.peers import PeerGroup, nearest_neighbours
from levelscope.compare.standings import (
    BETTER,
    FLAG_RULE,
    HIGHER,
    LOWER,
    SIZE_KINDS,
    WORSE,
    level_standings,
)
from levelscope.data.store import Workspace
from levelscope.errors import Problem, ValidationError
from levelscope.formatting import level_name, plural, with_article
from levelscope.formatting import value as format_value
from levelscope.results import Result

if TYPE_CHECKING:
    import plotly.graph_objects as go

Comparison = Literal["median", "peers", "areas"]
MAX_CHOSEN_AREAS = 10

#: Okabe–Ito colours of the flags (grey for no clear difference).
FLAG_COLOURS = {BETTER: "#0072B2", WORSE: "#D55E00", "similar": "#999999", HIGHER: "#009E73",
                LOWER: "#CC79A7"}

TABLE_COLUMNS = [
    "theme", "indicator_id", "name", "unit", "polarity", "kind", "aggregation", "period", "value",
    "lower", "upper", "median", "gap", "sd", "rank", "areas", "flag", "flag_basis", "comparison_value",
    "comparison_gap", "vintage", "source",
]


@dataclass(frozen=True, repr=False)
class AreaComparison(Result):
    """Where an area stands on every indicator, against the median and a comparison group.

    ``table`` has one row per indicator (columns :data:`TABLE_COLUMNS`): ``comparison_value`` is
    the median of the comparison areas' latest values (the level median when comparing with the
    median) and ``comparison_gap`` the area's value minus it. ``comparators`` holds the
    comparison areas' own values (long: ``indicator_id``, ``geography_code``,
    ``geography_name``, ``period``, ``value``). ``peers`` is set when comparing with peers.
    """

    code: str
    name: str
    level: str
    comparison: str
    comparison_label: str
    comparator_codes: tuple[str, ...]
    table: pd.DataFrame
    comparators: pd.DataFrame
    peers: PeerGroup | None
    rule: str = FLAG_RULE

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return plain_summary(self)

    def plot(self) -> go.Figure:
        """Each indicator's distance from the median in standard deviations of the level, turned
        so that right is better (for indicators without a direction, right is higher), coloured
        by its flag."""
        import plotly.graph_objects as go

        table = self.table.dropna(subset=["gap"]).iloc[::-1]
        spread = table["sd"].astype(float).where(table["sd"] > 0)
        lower_better = (table["polarity"] == "lower_is_better") & ~table["kind"].isin(SIZE_KINDS)
        sign = np.where(lower_better, -1.0, 1.0)
        distance: pd.Series = (table["gap"].astype(float) * sign / spread).round(2)
        hover = [
            f"{row['name']}<br>{format_value(row['value'], row['unit'])} against a median of "
            f"{format_value(row['median'], row['unit'])}<br>{row['flag']} ({row['flag_basis']})"
            for _, row in table.iterrows()
        ]
        figure = go.Figure()
        for flag in (BETTER, WORSE, "similar", HIGHER, LOWER):
            rows = (table["flag"] == flag).to_numpy()
            if rows.any():
                figure.add_bar(
                    x=distance[rows], y=table["name"][rows], orientation="h", name=flag,
                    marker_color=FLAG_COLOURS[flag], hoverinfo="text",
                    hovertext=[h for h, r in zip(hover, rows, strict=True) if r],
                )
        figure.update_layout(
            title=f"{self.name}: distance from the median in standard deviations (right = better)",
            xaxis_title="standard deviations from the median", barmode="overlay",
            height=max(320, 24 * len(table) + 140), legend={"orientation": "h", "y": -0.08},
            margin={"l": 20, "r": 20, "t": 50, "b": 40}, yaxis={"automargin": True},
        )
        return figure

    def counts(self) -> dict[str, int]:
        """How many indicators are flagged better, worse, similar (higher / lower if neutral)."""
        counts = self.table["flag"].value_counts()
        return {flag: int(counts.get(flag, 0)) for flag in (BETTER, WORSE, "similar", HIGHER, LOWER)}


def compare_area(
    ws: Workspace,
    code: str,
    compare: Comparison = "median",
    areas: Sequence[str] = (),
    *,
    k: int = 10,
    context: Sequence[str] | None = None,
    standings: pd.DataFrame | None = None,
) -> AreaComparison:
    """Compare an area with the median of its level, its nearest neighbours or chosen areas.

    Parameters
    ----------
    ws:
        The workspace.
    code:
        The area.
    compare:
        ``"median"`` (every area of the level), ``"peers"`` (the ``k`` statistical nearest
        neighbours on ``context``, see :func:`~levelscope.compare.peers.nearest_neighbours`) or
        ``"areas"`` (the codes in ``areas``, at most :data:`MAX_CHOSEN_AREAS`, same level).
    standings:
        :func:`~levelscope.compare.standings.level_standings` of the area's level if at hand.

    Raises
    ------
    NotFoundError
        Unknown area code (also among ``areas``).
    ValidationError
        Chosen areas missing, too many, or at another level.

    Returns
    -------
    AreaComparison
        One row per indicator: the area's value, the comparison's, and whether the area is
        better, worse or similar (and by which rule).

    Examples
    --------
    >>> comparison = compare_area(ws, "E08000025")
    >>> comparison.name, comparison.comparison
    ('Birmingham', 'median')
    """
    place = ws.geography(code)
    level = str(place.level)
    table = standings if standings is not None else level_standings(ws, level)
    peers: PeerGroup | None = None
    if compare == "median":
        chosen: list[str] = []
        label = f"the median of {plural(_count_areas(table), level_name(level), level_name(level, True))}"
    elif compare == "peers":
        peers = nearest_neighbours(ws, code, k=k, context=context, standings=table)
        chosen = peers.codes
        label = f"the median of its {plural(len(chosen), 'nearest neighbour')}"
    elif compare == "areas":
        chosen = _check_chosen(ws, code, level, areas)
        label = "the median of the chosen areas" if len(chosen) > 1 else ws.geography(chosen[0]).name
    else:
        raise ValueError(f"compare must be 'median', 'peers' or 'areas', got {compare!r}")

    mine = table[table["geography_code"] == code].copy()
    theirs = table[table["geography_code"].isin(chosen)]
    if compare == "median":
        mine["comparison_value"] = mine["median"]
    else:
        group = theirs.groupby("indicator_id")["value"].median()
        mine["comparison_value"] = mine["indicator_id"].map(group)
    mine["comparison_gap"] = mine["value"] - mine["comparison_value"]
    comparators = theirs[["indicator_id", "geography_code", "geography_name", "period", "value"]]
    provenance = ws.provenance(mine["indicator_id"].tolist()) if len(mine) else ws.provenance([])
    return AreaComparison(
        code=code,
        name=place.name,
        level=level,
        comparison=compare,
        comparison_label=label,
        comparator_codes=tuple(chosen),
        table=mine[TABLE_COLUMNS].reset_index(drop=True),
        comparators=comparators.reset_index(drop=True),
        peers=peers,
        provenance=provenance,
    )


def _count_areas(table: pd.DataFrame) -> int:
    return int(table["geography_code"].nunique())


def _check_chosen(ws: Workspace, code: str, level: str, areas: Sequence[str]) -> list[str]:
    chosen = [a for a in dict.fromkeys(areas) if a != code]
    problems = []
    if not chosen:
        problems.append(Problem(column="areas", reason="choose at least one other area to compare with"))
    if len(chosen) > MAX_CHOSEN_AREAS:
        problems.append(Problem(column="areas", value=len(chosen),
                                reason=f"choose at most {MAX_CHOSEN_AREAS} areas"))
    for other in chosen[:MAX_CHOSEN_AREAS]:
        place = ws.geography(other)  # NotFoundError with close matches
        if str(place.level) != level:
            problems.append(Problem(
                column="areas", value=other,
                reason=f"{place.name} is {with_article(level_name(str(place.level)))}; compare "
                       f"{level_name(level, True)} with {level_name(level, True)}",
            ))
    if problems:
        raise ValidationError(problems)
    return chosen


def plain_summary(result: AreaComparison, trend_statements: Sequence[str] = ()) -> str:
    """A few sentences on where the area stands, generated from the numbers.

    Says how many indicators are better, worse or similar to the median (and by which rule),
    names the indicators where the area is furthest ahead and furthest behind (gap in standard
    deviations of the level), how it compares with the chosen comparison, and adds any
    ``trend_statements`` (see :class:`~levelscope.compare.trends.Trend`).

    Parameters
    ----------
    result
        From :func:`compare_area`.
    trend_statements
        Sentences to add, e.g. :attr:`Trend.statement` of a few indicators.

    Returns
    -------
    str
        The sentences.

    Examples
    --------
    >>> print(plain_summary(compare_area(ws, "E08000025")))
    Birmingham is a local authority district with figures on ... indicators. Against the median ...
    """
    table = result.table
    kind = with_article(level_name(result.level))
    if table.empty:
        return f"{result.name} is {kind}; the workspace holds no figures for it yet."
    counts = result.counts()
    # counts and amounts (enterprise deaths, GVA in £ million) grow with an area's size, so they
    # say nothing about how well it does: they are never better or worse (see standings)
    directional = table[(table["polarity"] != "neutral") & ~table["kind"].isin(SIZE_KINDS)]
    parts = [
        f"{result.name} is {kind} with figures on {plural(len(table), 'indicator')}. "
        f"Against the median of {level_name(result.level, True)} it is better on "
        f"{counts[BETTER]}, worse on {counts[WORSE]} and similar on "
        f"{len(directional) - counts[BETTER] - counts[WORSE]} "
        f"(a difference counts only where it is statistically significant or, without a "
        f"confidence interval, larger than one standard deviation)."
    ]
    standardised = _standardised_advantage(directional)
    ahead = standardised[directional["flag"] == BETTER].sort_values(ascending=False).head(3)
    behind = standardised[directional["flag"] == WORSE].sort_values().head(3)
    if len(ahead):
        parts.append("Furthest ahead: " + _listing(directional, ahead.index) + ".")
    if len(behind):
        parts.append("Furthest behind: " + _listing(directional, behind.index) + ".")
    if result.comparison != "median":
        compared = directional.dropna(subset=["comparison_value"])
        better = int((_advantage(compared, "comparison_gap") > 0).sum())
        parts.append(
            f"Compared with {result.comparison_label}, it is ahead on {better} of "
            f"{plural(len(compared), 'indicator')} with a direction."
        )
    parts.extend(trend_statements)
    return " ".join(parts)


def _advantage(table: pd.DataFrame, column: str) -> pd.Series:
    """The gap turned so that positive is good for the area."""
    sign = np.where(table["polarity"] == "lower_is_better", -1.0, 1.0)
    return table[column].astype(float) * sign


def _standardised_advantage(table: pd.DataFrame) -> pd.Series:
    spread = table["sd"].astype(float).where(table["sd"] > 0)
    return _advantage(table, "gap") / spread


def _listing(table: pd.DataFrame, index: pd.Index) -> str:
    rows = table.loc[index]
    return "; ".join(
        f"{row['name']} ({format_value(row['value'], row['unit'])} against a median of "
        f"{format_value(row['median'], row['unit'])})"
        for _, row in rows.iterrows()
    )
