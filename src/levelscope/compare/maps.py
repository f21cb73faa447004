"""Map data: an indicator's values at one level, sorted into classes, and LISA clusters.

Two ways of drawing class breaks:

* **quantiles** — each class holds (about) the same number of areas;
* **natural breaks** — Fisher's (1958) exact optimal partition ("Jenks"): the ``k`` classes of
  the sorted values that minimise the total within-class sum of squared deviations, found by
  dynamic programming in ``O(k n^2)``.

Breaks are the upper bounds of the classes (the last is the maximum), as in ``mapclassify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from levelscope.data.store import Workspace
from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result

Scheme = Literal["quantiles", "natural_breaks"]

#: Sequential, colour-blind safe (viridis, dark = low), indexed by number of classes.
VIRIDIS = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"]


def quantile_breaks(values: ArrayLike, k: int) -> NDArray[np.float64]:
    """Upper bounds of ``k`` quantile classes (repeated bounds removed).

    Parameters
    ----------
    values
        The values to class; missing and infinite ones are ignored.
    k
        The number of classes.

    Returns
    -------
    numpy.ndarray
        The classes' upper bounds, increasing; the last is the largest value.

    Examples
    --------
    >>> quantile_breaks([1, 2, 3, 4], 2).tolist()
    [2.5, 4.0]
    """
    y = _finite(values, k)
    breaks = np.quantile(y, np.linspace(0, 1, k + 1)[1:])
    return np.unique(breaks)


def natural_breaks(values: ArrayLike, k: int) -> NDArray[np.float64]:
    """Upper bounds of the ``k`` Fisher–Jenks classes (exact, by dynamic programming).

    ``cost[j][i]`` is the least within-class sum of squares of the first ``i + 1`` sorted values
    split into ``j + 1`` classes; each step tries every start of the last class.

    Parameters
    ----------
    values
        The values to class; missing and infinite ones are ignored.
    k
        The number of classes (fewer if there are fewer distinct values).

    Returns
    -------
    numpy.ndarray
        The classes' upper bounds, increasing; the last is the largest value.

    Examples
    --------
    >>> natural_breaks([1, 2, 3, 10, 11, 12], 2).tolist()
    [3.0, 12.0]
    """
    y = np.sort(_finite(values, k))
    n = len(y)
    k = min(k, len(np.unique(y)))
    prefix = np.concatenate([[0.0], np.cumsum(y)])
    prefix2 = np.concatenate([[0.0], np.cumsum(y * y)])

    def ssd(start: NDArray[np.int64], stop: int) -> NDArray[np.float64]:
        """Sum of squared deviations of y[start:stop] for each start."""
        count = stop - start
        total = prefix[stop] - prefix[start]
        return (prefix2[stop] - prefix2[start]) - total * total / count

    cost = np.full((k, n), np.inf)
    first = np.zeros((k, n), dtype=np.int64)  # start of the last class
    stops = np.arange(1, n + 1)
    cost[0] = prefix2[stops] - prefix[stops] ** 2 / stops
    for j in range(1, k):
        for i in range(j, n):
            starts = np.arange(j, i + 1)
            candidates = cost[j - 1, starts - 1] + ssd(starts, i + 1)
            best = int(np.argmin(candidates))
            cost[j, i], first[j, i] = candidates[best], starts[best]
    breaks = []
    stop = n - 1
    for j in range(k - 1, -1, -1):
        breaks.append(y[stop])
        stop = first[j, stop] - 1
    return np.array(breaks[::-1], dtype=float)


def assign_classes(values: ArrayLike, breaks: ArrayLike) -> NDArray[np.int64]:
    """Class of each value: the first break it does not exceed (0-based)."""
    bounds = np.asarray(breaks, dtype=float)
    return np.minimum(np.searchsorted(bounds, np.asarray(values, dtype=float), side="left"),
                      len(bounds) - 1).astype(np.int64)


def _finite(values: ArrayLike, k: int) -> NDArray[np.float64]:
    if k < 2:
        raise ValueError(f"need at least 2 classes, got {k}")
    y = np.asarray(values, dtype=float)
    y = y[np.isfinite(y)]
    if len(y) < 2:
        raise UndefinedMeasureError("need at least two values to draw classes")
    return y


@dataclass(frozen=True, repr=False)
class MapData(Result):
    """An indicator at one level and period, with each area's class.

    ``table``: ``geography_code``, ``geography_name``, ``value``, ``lower``, ``upper``,
    ``class`` (0 = lowest) and ``colour``. ``breaks`` are the classes' upper bounds and
    ``labels`` their ranges in words.
    """

    indicator_id: str
    indicator_name: str
    unit: str
    level: str
    period: str
    scheme: str
    breaks: tuple[float, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return (
            f"{self.indicator_name}, {self.level}, {self.period}: {len(self.table)} areas in "
            f"{len(self.breaks)} {self.scheme.replace('_', ' ')} classes: {', '.join(self.labels)}"
        )


def map_period(panel: pd.DataFrame) -> str:
    """The period a map shows by default: the newest one covering at least half as many areas
    as the best-covered period (so one early release for a few areas does not win)."""
    coverage = panel.groupby("period").agg(n=("value", "count"), end=("period_end", "max"))
    eligible = coverage[coverage["n"] >= coverage["n"].max() / 2]
    return str(eligible.sort_values("end").index[-1])


def map_data(
    ws: Workspace,
    indicator: str,
    level: str,
    period: str | None = None,
    scheme: Scheme = "quantiles",
    k: int = 5,
    *,
    panel: pd.DataFrame | None = None,
) -> MapData:
    """Values of ``indicator`` at ``level`` for one period, classed for a choropleth.

    Parameters
    ----------
    ws:
        The workspace.
    indicator, level:
        The indicator id and the geographic level.
    period:
        Period label; default :func:`map_period`.
    scheme, k:
        ``"quantiles"`` or ``"natural_breaks"`` (Fisher–Jenks), with ``k`` classes (2–6).
    panel:
        ``ws.observations(indicator, level=level)`` if already at hand.

    Raises
    ------
    NotFoundError
        Unknown indicator, or a period the indicator does not have at that level.
    UndefinedMeasureError
        Fewer than two areas with values.

    Returns
    -------
    MapData
        Each area's value and class, the class bounds, colours and legend labels.

    Examples
    --------
    >>> classed = map_data(ws, "gva_per_hour_worked", "itl1")
    >>> len(classed.breaks), classed.scheme
    (5, 'quantiles')
    """
    from levelscope.errors import NotFoundError

    meta = ws.indicator(indicator)
    if not 2 <= k <= len(VIRIDIS):
        raise ValueError(f"k must be between 2 and {len(VIRIDIS)}, got {k}")
    data = panel if panel is not None else ws.observations(indicator, level=level)
    if data.empty:
        raise NotFoundError(f"{indicator!r} has no values at level {level!r}")
    chosen = period or map_period(data)
    rows = data[data["period"] == chosen]
    if rows.empty:
        known = sorted(data["period"].unique())
        raise NotFoundError(f"{indicator!r} has no values for period {chosen!r} at level {level!r}; "
                            f"periods held: {', '.join(known)}")
    values = rows["value"].to_numpy(dtype=float)
    if scheme == "quantiles":
        breaks = quantile_breaks(values, k)
    elif scheme == "natural_breaks":
        breaks = natural_breaks(values, k)
    else:
        raise ValueError(f"scheme must be 'quantiles' or 'natural_breaks', got {scheme!r}")
    classes = assign_classes(values, breaks)
    colours = _palette(len(breaks))
    lows = [float(values.min()), *breaks[:-1]]
    labels = tuple(f"{_short(lo)} – {_short(hi)}" for lo, hi in zip(lows, breaks, strict=True))
    table = pd.DataFrame(
        {
            "geography_code": rows["geography_code"].to_numpy(),
            "geography_name": rows["geography_name"].to_numpy(),
            "value": values,
            "lower": rows["lower"].to_numpy(dtype=float),
            "upper": rows["upper"].to_numpy(dtype=float),
            "class": classes,
            "colour": [colours[c] for c in classes],
        }
    )
    return MapData(
        indicator_id=indicator, indicator_name=meta.name, unit=meta.unit, level=level,
        period=chosen, scheme=scheme, breaks=tuple(float(b) for b in breaks), labels=labels,
        colours=tuple(colours), table=table, provenance=ws.provenance(indicator),
    )


def _palette(n: int) -> list[str]:
    positions = np.linspace(0, len(VIRIDIS) - 1, n).round().astype(int)
    return [VIRIDIS[i] for i in positions]


def _short(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}"
