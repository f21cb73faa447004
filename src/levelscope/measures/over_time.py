"""Inequality of an indicator across the areas of a level, period by period, from a workspace.

This is what ``Workspace.inequality`` returns: the measures of :mod:`levelscope.measures` run by
:func:`~levelscope.measures.engine.summarize` over the workspace panel (one engine query for all
periods), with the provenance of the figures and weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from levelscope.deprecation import RenamedAttribute
from levelscope.measures.engine import DEFAULT_MEASURES, summarize
from levelscope.results import Result

if TYPE_CHECKING:
    from levelscope.data.store import DateLike, Workspace


@dataclass(frozen=True, repr=False)
class InequalityOverTime(Result):
    """Measures of one indicator's inequality across areas, for each period.

    ``table`` is tidy: period, year, measure, value, n (areas), total_weight.
    """

    indicator_id: str
    level: str
    weight: str | None
    table: pd.DataFrame
    notes: tuple[str, ...] = ()
    indicator = RenamedAttribute("indicator_id")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def wide(self) -> pd.DataFrame:
        """One row per period, one column per measure."""
        return self.table.pivot_table(index=["period", "year"], columns="measure",
                                      values="value", sort=False).reset_index()

    def summary(self) -> str:
        weighting = f"weighted by {self.weight}" if self.weight else "unweighted"
        lines = [f"Inequality of {self.indicator_id} across {self.level} areas ({weighting})",
                 self.wide().to_string(index=False)]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])

    def plot(self) -> Any:
        """Each measure over time (one line per measure)."""
        import plotly.express as px

        figure = px.line(self.table.sort_values("year"), x="year", y="value", color="measure",
                         markers=True, title=f"Inequality of {self.indicator_id} across "
                         f"{self.level} areas")
        figure.update_layout(yaxis_title="measure value", xaxis_title="year")
        return figure


def inequality_over_time(
    ws: Workspace,
    indicator: str,
    level: str,
    periods: str | Sequence[str] | None = None,
    weight: str | None = None,
    measures: Sequence[str] = DEFAULT_MEASURES,
    as_of: DateLike | None = None,
    missing_weights: Literal["error", "drop"] = "error",
) -> InequalityOverTime:
    """Inequality of ``indicator`` between the areas of ``level`` in every period.

    Parameters
    ----------
    ws:
        The workspace.
    indicator, level:
        E.g. ``"gva_per_hour_worked"``, ``"itl3"``.
    periods:
        Restrict to these periods; all by default.
    weight:
        Indicator to weight areas by (e.g. ``"population"``: the population-weighted coefficient
        of variation is the Williamson index); equal weights if None.
    measures:
        Names understood by :func:`levelscope.measures.parse_measure`.
    as_of:
        Figures as released on or before this date.
    missing_weights:
        ``"drop"`` leaves out (and names, in ``notes``) areas without a weight; the default
        raises an error naming them.

    Returns
    -------
    InequalityOverTime
        The tidy table (period, year, measure, value, n, total_weight), notes on weights carried
        or areas dropped, and the provenance of the figures and weights.

    Examples
    --------
    ``ws`` is a workspace holding the demo data (``levelscope demo``):

    >>> result = inequality_over_time(ws, "gva_per_hour_worked", "itl3", measures=["gini", "theil"])
    >>> result.wide().columns.tolist()
    ['period', 'year', 'gini', 'theil']
    >>> ws.inequality("gva_per_hour_worked", "itl3").indicator_id   # the same, as a method
    'gva_per_hour_worked'
    """
    from levelscope.data.weighting import weighted_panel

    panel = weighted_panel(ws, indicator, level, periods, weight, as_of, missing_weights)
    table = summarize(panel.frame, value="value", weight="weight", by=["period", "year"],
                      measures=list(measures))
    table = table.sort_values(["year", "period"], kind="stable").reset_index(drop=True)
    provenance = ws.provenance([indicator, weight] if weight else [indicator])
    return InequalityOverTime(indicator_id=indicator, level=level, weight=weight, table=table,
                              notes=panel.notes, provenance=provenance)
