"""Speed of putting a panel on new boundaries (target: 50 indicators x 25 years x 400 areas < 1 s).

Run: ``.venv/bin/python benchmarks/bench_harmonise.py``. The panel: the 391 local authority
districts in use at the end of 2018 and the 9 English regions, 1998-2022, for 50 indicators (20
that add up, 20 rates weighted by one of them, 10 that cannot be combined), 500,000 values, put
on the boundaries of 2023 (the Dorset, Suffolk, Somerset West and Taunton, Buckinghamshire,
Northamptonshire, Cumbria, North Yorkshire and Somerset reorganisations). Prints:

1. levelscope's :func:`~levelscope.data.geography.harmonise.harmonise` (completeness checked per
   area and period, nested codes resolved, rates weighted by the same year's weight, refusals and
   provenance kept);
2. the peer: the same recoding written directly in pandas as analysts usually do it (a
   predecessor-to-successor dictionary, then a group-by sum, and a weighted mean by merging the
   weights), which checks nothing and drops the indicators that cannot be combined;
and that both give the same values where both give one.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from levelscope.data.geography import code_history
from levelscope.data.geography.harmonise import harmonise
from levelscope.data.model import Indicator, Level
from levelscope.data.store import Workspace

DAY = dt.date(2023, 12, 31)
YEARS = range(1998, 2023)


def panel() -> tuple[pd.DataFrame, dict[str, Indicator]]:
    history = code_history()
    areas = history.codes_in_force(dt.date(2018, 12, 31), Level.LAD) + history.codes_in_force(
        dt.date(2018, 12, 31), Level.REGION)
    assert len(areas) == 400
    indicators = {"population": Indicator(id="population", name="p", unit="persons", aggregation="sum")}
    indicators |= {f"count{i:02d}": Indicator(id=f"count{i:02d}", name="c", unit="n", aggregation="sum")
                   for i in range(19)}
    indicators |= {f"rate{i:02d}": Indicator(id=f"rate{i:02d}", name="r", unit="%",
                                             aggregation="population_weighted_mean") for i in range(20)}
    indicators |= {f"median{i:02d}": Indicator(id=f"median{i:02d}", name="m", unit="£") for i in range(10)}
    rng = np.random.default_rng(0)
    ids, codes, years = np.meshgrid(list(indicators), areas, list(YEARS), indexing="ij")
    frame = pd.DataFrame({
        "geography_code": codes.ravel(), "indicator_id": ids.ravel(), "year": years.ravel(),
        "value": rng.uniform(1, 1000, ids.size),
    })
    frame["period"] = frame["year"].astype(str)
    frame["period_start"] = pd.to_datetime(frame["period"] + "-01-01")
    frame["period_end"] = pd.to_datetime(frame["period"] + "-12-31")
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    frame["vintage"] = dt.date(2024, 6, 1)
    frame["source"] = "benchmark"
    frame["geography_name"] = frame["geography_code"]
    frame["level"] = "lad"
    return frame, indicators


def peer(frame: pd.DataFrame, indicators: dict[str, Indicator]) -> pd.DataFrame:
    """The usual hand-written recode: map old codes to new, then sum or weight."""
    history = code_history()
    recode = {c: history.carried_to(c, DAY) or c for c in frame["geography_code"].unique()}
    data = frame.assign(geography_code=frame["geography_code"].map(recode))
    kinds = {i: d.aggregation for i, d in indicators.items()}
    data = data[data["indicator_id"].map(kinds) != "none"]
    sums = data[data["indicator_id"].map(kinds) == "sum"]
    summed = sums.groupby(["indicator_id", "geography_code", "period"], as_index=False)["value"].sum()
    rates = data[data["indicator_id"].map(kinds) != "sum"]
    weights = frame[frame["indicator_id"] == "population"][["geography_code", "period", "value"]]
    weights = weights.rename(columns={"value": "w"})
    rates = rates.assign(original=frame.loc[rates.index, "geography_code"])
    rates = rates.merge(weights, left_on=["original", "period"], right_on=["geography_code", "period"],
                        suffixes=("", "_w"))
    rates["wv"] = rates["value"] * rates["w"]
    grouped = rates.groupby(["indicator_id", "geography_code", "period"], as_index=False)[["wv", "w"]].sum()
    grouped["value"] = grouped["wv"] / grouped["w"]
    return pd.concat([summed, grouped[["indicator_id", "geography_code", "period", "value"]]])


def best_of(function, repeat: int = 5) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    frame, indicators = panel()
    weights = frame[frame["indicator_id"] == "population"][["geography_code", "indicator_id", "year",
                                                            "period_start", "period_end", "value"]]
    print(f"panel: {len(frame):,} values ({len(indicators)} indicators x {len(YEARS)} years x 400 areas)")
    ours, result = best_of(lambda: harmonise(frame, DAY, indicators, weights))
    theirs, expected = best_of(lambda: peer(frame, indicators))
    harmonised = result.frame  # type: ignore[attr-defined]
    print(f"levelscope harmonise: {ours:.3f} s  ({len(harmonised):,} values on 2023 boundaries, "
          f"{len(result.refused):,} refused, {len(result.incomplete):,} incomplete)")  # type: ignore[attr-defined]
    print(f"pandas recode-and-aggregate (peer): {theirs:.3f} s")
    met = "met" if ours < 1 else "NOT met"
    print(f"ratio (peer / levelscope): {theirs / ours:.2f}x   target < 1 s: {met}")
    both = harmonised.merge(expected, on=["indicator_id", "geography_code", "period"], suffixes=("", "_peer"))
    assert np.allclose(both["value"], both["value_peer"], rtol=1e-12), "levelscope and the peer disagree"
    print(f"checked: {len(both):,} values agree with the peer")
    through_workspace(indicators)


def through_workspace(indicators: dict[str, Indicator]) -> None:
    """A panel stored in a workspace and asked for on 2023 boundaries, as a user asks.

    Unlike the panel above, each year has the codes in use at its start (the workspace refuses
    a code used after it was retired), so 1998-2008 carry the districts abolished in 2009:
    about 418 areas a year, 522,000 values."""
    history = code_history()
    rng = np.random.default_rng(1)
    parts = []
    for year in YEARS:
        start = dt.date(year, 1, 1)
        areas = history.codes_in_force(start, Level.LAD) + history.codes_in_force(start, Level.REGION)
        ids, codes = np.meshgrid(list(indicators), areas, indexing="ij")
        parts.append(pd.DataFrame({"geography_code": codes.ravel(), "indicator_id": ids.ravel(),
                                   "period": str(year), "value": rng.uniform(1, 1000, ids.size)}))
    frame = pd.concat(parts, ignore_index=True)
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace.open(Path(folder) / "bench.duckdb")
        ws.add_indicators(indicators.values())
        start_time = time.perf_counter()
        ws.import_frame(frame, vintage="2024-06-01")
        print(f"workspace panel: {len(frame):,} values, stored in {time.perf_counter() - start_time:.1f} s")
        published, _ = best_of(lambda: ws.observations(geography_vintage="published"))
        ours, result = best_of(lambda: ws.observations(geography_vintage=2023))
        print(f"ws.observations as published: {published:.3f} s; on 2023 boundaries: {ours:.3f} s "
              f"({len(result):,} values; harmonising adds {ours - published:.3f} s)")  # type: ignore[arg-type]
        ws.close()


if __name__ == "__main__":
    main()
