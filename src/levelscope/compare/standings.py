"""Every area's standing at one level, and whether it is better or worse than the median.

:func:`level_standings` extends :func:`latest_by_level` (each area's newest value, rank and
median) with the spread of the areas (standard deviation) and the indicators' definitions, so
one table answers every "where does this area stand" question at that level.
:func:`flag_against_median` then says whether a value is better, worse or no different from the
median:

* where the value has a confidence interval, it is **better / worse** only when the interval
  excludes the median (the difference is statistically significant at the interval's level,
  usually 95 %);
* where it has none, it is **better / worse** when it lies more than one standard deviation of
  the areas' values away from the median (the rule of thumb of the ONS Subnational indicators
  explorer);
* otherwise it is **similar**. For indicators without a direction (polarity ``neutral``) the
  flags read **higher** / **lower** instead of better / worse.

Counts and amounts (an indicator's ``kind``, e.g. enterprise deaths or exports in £ million) grow
with an area's size, so they are context, not performance: they are flagged higher / lower, never
better / worse, and ranked by size (1 = largest), whatever their polarity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from levelscope.data.cache import cached_frame
from levelscope.data.store import Workspace

FLAG_RULE = (
    "An area is flagged better or worse than the median only when the difference is clear: where "
    "a figure has a confidence interval, when the interval excludes the median (statistically "
    "significant); where it has none, when it lies more than one standard deviation of all the "
    "areas' values from the median. Otherwise it is shown as similar."
)

BETTER, WORSE, SIMILAR, HIGHER, LOWER = "better", "worse", "similar", "higher", "lower"
BASIS_CI, BASIS_SD = "confidence interval", "1 standard deviation"

SIZE_KINDS = ("count", "amount")

STANDING_COLUMNS = [
    "theme", "indicator_id", "name", "unit", "polarity", "kind", "aggregation", "geography_code",
    "geography_name",
    "period", "period_end", "value", "lower", "upper", "median", "gap", "sd", "rank", "areas",
    "flag", "flag_basis", "vintage", "source",
]


def latest_by_level(ws: Workspace, level: str, as_of: str | None = None) -> pd.DataFrame:
    """Every area's newest value of each indicator at one level, set against its peers.

    An area's newest period is compared with the other areas of the level that have a value for
    that same period (nations publish on different timetables, so they may differ). Columns add
    ``median`` (over those areas), ``rank`` (1 = best, by polarity; for counts and amounts,
    1 = largest; ties share the best rank) and ``areas`` (how many areas were ranked).

    Parameters
    ----------
    ws
        The workspace.
    level
        The geographic level.
    as_of
        Use the figures as released on or before this date.

    Returns
    -------
    pandas.DataFrame
        The workspace's observation columns with ``median``, ``rank`` and ``areas`` added.

    Examples
    --------
    >>> latest = latest_by_level(ws, "itl1")
    >>> london = latest[(latest["geography_code"] == "TLI")
    ...                 & (latest["indicator_id"] == "gva_per_hour_worked")]
    >>> london["rank"].tolist()  # London produces the most per hour worked
    [1]
    """
    panel = ws.observations(level=level, as_of=as_of)
    if panel.empty:
        return panel.assign(median=[], rank=[], areas=[])
    # each area's newest period; it is compared with the areas that have that same period
    newest = panel.groupby(["indicator_id", "geography_code"])["period_end"].transform("max")
    current = panel[panel["period_end"] == newest].copy()
    meta = ws.indicators().set_index("id")
    polarity = current["indicator_id"].map(meta["polarity"])
    size = current["indicator_id"].map(meta["kind"]).isin(SIZE_KINDS)
    higher = polarity.ne("lower_is_better") | size
    peers = current.groupby(["indicator_id", "period"])["value"]
    current["median"] = peers.transform("median")
    current["areas"] = peers.transform("count")
    descending = peers.rank(method="min", ascending=False)
    ascending = peers.rank(method="min", ascending=True)
    current["rank"] = descending.where(higher, ascending).astype(int)
    return current


def level_standings(ws: Workspace, level: str, as_of: str | None = None) -> pd.DataFrame:
    """Every area's newest value on every indicator at ``level``, with median, rank, SD and flag.

    One row per area and indicator; columns :data:`STANDING_COLUMNS`. ``median``, ``sd`` (sample
    standard deviation), ``rank`` (1 = best by polarity) and ``areas`` are taken over the areas of
    the level that have a value for the same period; ``gap`` is ``value - median``.

    The table is kept between runs for the workspace's figures as they are
    (:func:`~levelscope.data.cache.cached_frame`): any import or derivation computes it afresh.

    Parameters
    ----------
    ws
        The workspace.
    level
        The geographic level.
    as_of
        Use the figures as released on or before this date.

    Returns
    -------
    pandas.DataFrame
        One row per area and indicator, with the columns above.

    Examples
    --------
    >>> standings = level_standings(ws, "itl1")
    >>> london = standings.query("geography_code == 'TLI' and indicator_id == 'gva_per_hour_worked'")
    >>> int(london["rank"].iloc[0]), bool(london["gap"].iloc[0] > 0)
    (1, True)
    """
    return cached_frame(ws, "level_standings", (level, as_of), lambda: _level_standings(ws, level, as_of))


def _level_standings(ws: Workspace, level: str, as_of: str | None) -> pd.DataFrame:
    ranked = latest_by_level(ws, level, as_of)
    meta = ws.indicators().set_index("id")
    if ranked.empty:
        return pd.DataFrame(columns=STANDING_COLUMNS)
    spread = ranked.groupby(["indicator_id", "period"])["value"].transform("std")
    table = ranked.assign(
        theme=ranked["indicator_id"].map(meta["theme"]),
        name=ranked["indicator_id"].map(meta["name"]),
        unit=ranked["indicator_id"].map(meta["unit"]),
        polarity=ranked["indicator_id"].map(meta["polarity"]),
        kind=ranked["indicator_id"].map(meta["kind"]),
        aggregation=ranked["indicator_id"].map(meta["aggregation"]),
        gap=ranked["value"] - ranked["median"],
        sd=spread,
    )
    # a count or an amount says how big an area is, not how well it does: higher / lower only
    direction = table["polarity"].where(~table["kind"].isin(SIZE_KINDS), "neutral")
    flags = flag_against_median(
        table["value"], table["lower"], table["upper"], table["median"], table["sd"], direction
    )
    table = table.assign(flag=flags["flag"].to_numpy(), flag_basis=flags["basis"].to_numpy())
    return table[STANDING_COLUMNS].sort_values(["theme", "indicator_id", "geography_code"]).reset_index(
        drop=True
    )


def flag_against_median(
    value: pd.Series,
    lower: pd.Series,
    upper: pd.Series,
    median: pd.Series,
    sd: pd.Series,
    polarity: pd.Series,
) -> pd.DataFrame:
    """Flag each value as better, worse or similar to the median (see the module docstring).

    Parameters
    ----------
    value, lower, upper
        The figures and their confidence bounds (missing where there is no interval).
    median, sd
        The median and standard deviation of the comparison areas' values.
    polarity
        ``higher_is_better``, ``lower_is_better`` or ``neutral`` per row.

    Returns
    -------
    pandas.DataFrame
        ``flag`` (better / worse / similar, or higher / lower / similar for neutral indicators)
        and ``basis`` (which rule decided it), aligned with ``value``.

    Examples
    --------
    >>> s = lambda *v: pd.Series(v, dtype=float)
    >>> flag_against_median(s(10, 10), s(9, 5), s(11, 15), s(8, 8), s(1, 1),
    ...                     pd.Series(["higher_is_better"] * 2))["flag"].tolist()
    ['better', 'similar']
    """
    index = value.index
    values = value.astype(float).to_numpy()
    lo, hi = lower.astype(float).to_numpy(), upper.astype(float).to_numpy()
    mid, spread = median.astype(float).to_numpy(), sd.astype(float).to_numpy()
    has_ci = ~np.isnan(lo) & ~np.isnan(hi)
    with np.errstate(invalid="ignore"):
        above_ci = lo > mid
        below_ci = hi < mid
        # one area alone, or all equal: the SD is 0 or undefined, so nothing stands out
        usable_sd = ~np.isnan(spread) & (spread > 0)
        above_sd = usable_sd & (values - mid > spread)
        below_sd = usable_sd & (mid - values > spread)
    above = np.where(has_ci, above_ci, above_sd)
    below = np.where(has_ci, below_ci, below_sd)
    direction = polarity.astype(str).to_numpy()
    up_word = np.select(
        [direction == "higher_is_better", direction == "lower_is_better"], [BETTER, WORSE], HIGHER
    )
    down_word = np.select(
        [direction == "higher_is_better", direction == "lower_is_better"], [WORSE, BETTER], LOWER
    )
    flag = np.where(above, up_word, np.where(below, down_word, SIMILAR))
    flag = np.where(np.isnan(values) | np.isnan(mid), "", flag)
    basis = np.where(has_ci, BASIS_CI, BASIS_SD)
    return pd.DataFrame({"flag": flag, "basis": basis}, index=index)
