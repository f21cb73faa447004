"""Panels for analysis: an indicator's values with their weights lined up by area and year.

Population weights rarely come for exactly the periods of the indicator (population estimates
lag a year or two behind pay or employment figures), so each value takes the weight of the same
area in the same year, or else in the latest earlier year; the rule is reported, never hidden,
and values with no weight at all are an error that names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from levelscope.data.store import DateLike, Workspace
from levelscope.errors import UndefinedMeasureError


@dataclass(frozen=True)
class WeightedPanel:
    """Observations with a ``weight`` column, and a note of any year the weights were carried."""

    frame: pd.DataFrame
    notes: tuple[str, ...] = ()


def weighted_panel(
    ws: Workspace,
    indicator: str,
    level: str,
    periods: str | Sequence[str] | None = None,
    weight: str | None = None,
    as_of: DateLike | None = None,
    missing_weights: Literal["error", "drop"] = "error",
) -> WeightedPanel:
    """The observations of ``indicator`` at ``level`` with the weight indicator lined up.

    Parameters
    ----------
    weight:
        Indicator id of the weights (e.g. ``"population"``), or None for equal weights.
    missing_weights:
        What to do with values that have no weight: ``"error"`` (default) or ``"drop"``
        them, naming the areas dropped in the panel's notes.

    Raises
    ------
    UndefinedMeasureError
        If some values have no weight for their year or any earlier year; the message names
        the areas.
    """
    values = ws.observations(indicator=indicator, level=level, periods=periods, as_of=as_of)
    if values.empty:
        raise UndefinedMeasureError(
            f"no observations of {indicator!r} at level {level!r}"
            + (f" for periods {periods}" if periods else "")
        )
    if weight is None:
        return WeightedPanel(values.assign(weight=1.0))
    weights = ws.observations(indicator=weight, level=level, as_of=as_of,
                              geographies=values["geography_code"].unique().tolist())
    if weights.empty:
        raise UndefinedMeasureError(f"no {weight!r} figures at level {level!r} to weight by")
    left = values.sort_values("year").reset_index(drop=True)
    right = weights[["geography_code", "year", "value"]].rename(
        columns={"value": "weight", "year": "weight_year"}
    ).sort_values("weight_year")
    merged = pd.merge_asof(left, right, left_on="year", right_on="weight_year",
                           by="geography_code", direction="backward")
    unweighted = merged[merged["weight"].isna()]
    notes: list[str] = []
    if not unweighted.empty and missing_weights == "drop":
        dropped = sorted(set(unweighted["geography_code"]))
        notes.append(f"{len(unweighted)} values dropped for want of {weight!r}: "
                     f"{', '.join(dropped)}")
        merged = merged[merged["weight"].notna()]
    elif not unweighted.empty:
        names = ", ".join(sorted(set(unweighted["geography_code"]))[:8])
        raise UndefinedMeasureError(
            f"{len(unweighted)} values of {indicator!r} have no {weight!r} for their year or an "
            f"earlier one (areas {names}); choose other periods or weights, or drop them "
            "explicitly with missing_weights='drop'"
        )
    carried = merged[merged["weight_year"] != merged["year"]]
    counts = carried.groupby(["year", "weight_year"]).size()
    notes += [
        f"{weight} for {int(y)} used for {indicator} in {int(p)} ({n} areas)"
        for p, y, n in zip(
            counts.index.get_level_values(0), counts.index.get_level_values(1), counts, strict=True
        )
    ]
    return WeightedPanel(merged.drop(columns=["weight_year"]).reset_index(drop=True), tuple(notes))
