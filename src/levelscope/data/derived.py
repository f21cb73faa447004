"""Values the workspace works out where publishers give none: parent areas and derived indicators.

**Parent areas.** Population is published for local authority districts; an inequality measure
across ITL3 regions weighted by population needs it for ITL3 regions. :func:`derive_values`
builds each aggregable indicator's value for every parent area (ITL3, ITL2, ITL1, English region,
nation, the UK, county, metropolitan county, combined authority) from its districts, the way the
indicator declares it combines (``sum``; a mean weighted by a named indicator of the same area
and period; a ratio of sums), on matching boundaries:

* the districts of a period are taken on the boundaries their codes share (population on April
  2021 districts, productivity on 2023 districts), and a parent's members are the districts *of
  those boundaries* that lie wholly in it (:func:`~levelscope.data.geography.lad_lookup`);
* a parent gets a value only if every one of those districts has a figure (and a weight); a
  parent that a district of those boundaries straddles (ITL3 TLD11 and TLD12 for 2023
  districts: Cumberland lies partly in each) gets none, nor does one no district lies in;
* a parent that already has a published figure keeps it, and no figure is made for a period
  after the parent's code was retired.

**Derived indicators** are declared in the catalogue by a numerator, a denominator and a scale
(GVA per head = GVA (£ million) ÷ population × 1,000,000) and computed for every area and year
that has both.

Every value written here is kept apart from published ones (``derived_observation``), says how
it was made (``derivation``: "sum of 12 local authority districts") and from what (``inputs``),
and shows in :meth:`~levelscope.data.store.Workspace.observations` only where no published
value exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from levelscope.data.geography.history import code_history
from levelscope.data.geography.lookups import parent_links, partial_links
from levelscope.data.model import Aggregation, Indicator, Level
from levelscope.results import Result

if TYPE_CHECKING:
    from levelscope.data.store import Workspace

#: The levels values are derived for, from local authority districts.
PARENT_LEVELS: tuple[Level, ...] = (
    Level.ITL3, Level.ITL2, Level.ITL1, Level.REGION, Level.NATION, Level.COUNTRY, Level.COUNTY,
    Level.METROPOLITAN_COUNTY, Level.COMBINED_AUTHORITY,
)
DERIVED_BY = "levelscope"
_COLUMNS = ["geography_code", "indicator_id", "period", "period_start", "period_end", "value", "vintage",
            "source", "derivation", "inputs"]


@dataclass(frozen=True, repr=False)
class Derivation(Result):
    """What :func:`derive_values` wrote and what it could not.

    Attributes
    ----------
    written:
        indicator_id, level, values: how many values were derived at each level.
    incomplete:
        indicator_id, geography_code, period, missing, reason: parents some of whose districts
        lack a figure (or a weight), or that a district only partly lies in, so no value was
        derived.
    skipped:
        indicator_id, reason: indicators not derived at all (not aggregable, no district
        figures, inputs missing).
    """

    written: pd.DataFrame
    incomplete: pd.DataFrame
    skipped: pd.DataFrame

    @property
    def values_written(self) -> int:
        return int(self.written["values"].sum()) if len(self.written) else 0

    def to_frame(self) -> pd.DataFrame:
        return self.written

    def summary(self) -> str:
        lines = [f"{self.values_written} values derived for {self.written['indicator_id'].nunique()} "
                 f"indicators where publishers give none"]
        for row in self.written.itertuples():
            lines.append(f"  {row.indicator_id} at {row.level}: {row.values}")
        if len(self.incomplete):
            lines.append(f"  {len(self.incomplete)} parent areas and periods left without a value because "
                         "a district lacks a figure")
        lines += [f"  {row.indicator_id}: {row.reason}" for row in self.skipped.itertuples()]
        return "\n".join(lines)


def derive_values(
    ws: Workspace,
    indicators: Sequence[str] | None = None,
    levels: Sequence[Level | str] = PARENT_LEVELS,
) -> Derivation:
    """Derive parent-area values and derived indicators, replacing earlier derived values.

    Parameters
    ----------
    ws:
        The workspace (written in one transaction).
    indicators:
        Indicator ids to derive; all catalogued ones by default.
    levels:
        Parent levels to derive values for.

    Returns
    -------
    Derivation
    """
    known = {str(i): ws.indicator(str(i)) for i in ws.indicators()["id"]}
    chosen = list(known) if indicators is None else [ws.indicator(i).id for i in indicators]
    wanted = [str(Level(lv)) for lv in levels]
    pieces: list[pd.DataFrame] = []
    incomplete: list[pd.DataFrame] = []
    skipped: list[dict[str, str]] = []
    published_lad = _published(ws, Level.LAD)
    occupied = _published(ws, None)[["geography_code", "indicator_id", "period"]]
    for ident in chosen:
        indicator = known[ident]
        if indicator.derived:
            continue
        if indicator.aggregation == Aggregation.NONE:
            skipped.append({"indicator_id": ident, "reason": "not aggregable (its aggregation is 'none')"})
            continue
        rows = published_lad[published_lad["indicator_id"] == ident]
        if rows.empty:
            continue
        weights = None
        if indicator.aggregation.weighted:
            weights = published_lad[published_lad["indicator_id"] == indicator.weight] \
                if indicator.weight else None
            if weights is None or weights.empty:
                reason = f"no {indicator.weight or 'weight'} figures for districts to weight by"
                skipped.append({"indicator_id": ident, "reason": reason})
                continue
        made, lacking = _parents(rows, indicator, weights, wanted, occupied)
        pieces.append(made)
        incomplete.append(lacking)
    parents = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=_COLUMNS)
    for ident in chosen:
        indicator = known[ident]
        if not indicator.derived:
            continue
        made, reason = _formula(ws, indicator, known, parents, occupied)
        if reason:
            skipped.append({"indicator_id": ident, "reason": reason})
        pieces.append(made)
    out = pd.concat([p for p in pieces if len(p)], ignore_index=True) if any(len(p) for p in pieces) \
        else pd.DataFrame(columns=_COLUMNS)
    _write(ws, chosen, out)
    level_of = {r.code: str(r.level) for r in code_history()}
    counted = out.assign(level=out["geography_code"].map(level_of).fillna("other"))
    written = (counted.groupby(["indicator_id", "level"]).size().rename("values").reset_index()
               if len(counted) else pd.DataFrame(columns=["indicator_id", "level", "values"]))
    return Derivation(
        written=written,
        incomplete=pd.concat(incomplete, ignore_index=True) if incomplete
        else pd.DataFrame(columns=["indicator_id", "geography_code", "period", "missing", "reason"]),
        skipped=pd.DataFrame(skipped, columns=["indicator_id", "reason"]),
        provenance=ws.provenance(chosen) if chosen else Result().provenance,
    )


def _published(ws: Workspace, level: Level | None) -> pd.DataFrame:
    frame = ws.observations_table(None, level).execute()
    return frame[frame["derivation"].isna()]


def _parents(
    rows: pd.DataFrame,
    indicator: Indicator,
    weights: pd.DataFrame | None,
    levels: list[str],
    occupied: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parent values of one indicator from its district rows."""
    history = code_history()
    links = parent_links(history)
    links = links[links["parent_level"].isin(levels)][["child", "parent"]]
    starts = {r.code: r.valid_from or dt.date.min for r in history}
    ends = {r.code: r.valid_to or dt.date.max for r in history}
    rows = rows[rows["geography_code"].isin(starts)].copy()
    # the boundaries of each period: the latest start among the codes it is published on
    rows["_start"] = rows["geography_code"].map(starts)
    boundary = rows.groupby("period")["_start"].max().rename("_boundary")
    rows = rows.join(boundary, on="period")
    # members of each parent on each period's boundaries: children in force on that day
    days = boundary.unique()
    in_force = pd.concat(
        [links.assign(_boundary=day) for day in days], ignore_index=True
    )
    in_force = in_force[[starts.get(c, dt.date.min) <= d <= ends.get(c, dt.date.max)
                         for c, d in zip(in_force["child"], in_force["_boundary"], strict=True)]]
    expected = in_force.groupby(["parent", "_boundary"]).size().rename("_expected")
    # a parent that a district of those boundaries only partly covers cannot be built from them
    parts = pd.concat([partial_links(history).assign(_boundary=day) for day in days], ignore_index=True)
    parts = parts[[starts.get(c, dt.date.min) <= d <= ends.get(c, dt.date.max)
                   for c, d in zip(parts["child"], parts["_boundary"], strict=True)]]
    straddled = parts.groupby(["parent", "_boundary"])["child"].agg(lambda c: ";".join(sorted(c)))
    merged = rows.merge(in_force, left_on=["geography_code", "_boundary"], right_on=["child", "_boundary"])
    if indicator.aggregation.weighted and weights is not None:
        w = weights.assign(_year=_middle_year(weights))
        w = w.drop_duplicates(["geography_code", "_year"]).set_index(["geography_code", "_year"])
        merged["_weight"] = w["value"].reindex(
            pd.MultiIndex.from_arrays([merged["geography_code"], _middle_year(merged)])).to_numpy()
        merged["_wvintage"] = w["vintage"].reindex(
            pd.MultiIndex.from_arrays([merged["geography_code"], _middle_year(merged)])).to_numpy()
        how = f"mean of {{n}} local authority districts weighted by {indicator.weight}"
    else:
        merged["_weight"] = 1.0
        merged["_wvintage"] = merged["vintage"]
        how = "sum of {n} local authority districts"
    merged = merged[merged["_weight"].notna()]
    key = ["parent", "period"]
    groups = merged.groupby(key, sort=False)
    found = groups.agg(
        _n=("geography_code", "size"),
        _boundary=("_boundary", "first"),
        period_start=("period_start", "first"),
        period_end=("period_end", "first"),
        vintage=("vintage", "max"),
        _wvint=("_wvintage", "max"),
        source=("source", "first"),
    )
    # a complete parent's inputs are exactly its members on those boundaries
    members = (in_force.assign(child=in_force["child"].astype(object)).sort_values("child")
               .groupby(["parent", "_boundary"])["child"].agg(";".join).rename("inputs"))
    merged["_product"] = merged["value"] * merged["_weight"]
    sums = merged.groupby(key, sort=False)[["_product", "_weight"]].sum()
    found["value"] = sums["_product"] if indicator.aggregation == Aggregation.SUM \
        else sums["_product"] / sums["_weight"]
    found = found.join(expected, on=["parent", "_boundary"]).join(members, on=["parent", "_boundary"])
    found = found.reset_index()
    ends_of_parent = found["parent"].map(lambda p: ends.get(p, dt.date.max))
    alive = pd.to_datetime(found["period_start"]).dt.date.to_numpy() <= ends_of_parent.to_numpy()
    found = found[alive]
    blocked = pd.MultiIndex.from_frame(found[["parent", "_boundary"]]).isin(straddled.index)
    complete = (found["_n"] == found["_expected"]) & ~blocked
    taken = pd.MultiIndex.from_frame(occupied.rename(columns={"geography_code": "parent"})[
        ["parent", "indicator_id", "period"]])
    mine = pd.MultiIndex.from_arrays([found["parent"], np.full(len(found), indicator.id), found["period"]])
    free = ~mine.isin(taken)
    lacking = found[~complete & free]
    made = found[complete & free]
    out = pd.DataFrame({
        "geography_code": made["parent"],
        "indicator_id": indicator.id,
        "period": made["period"],
        "period_start": made["period_start"],
        "period_end": made["period_end"],
        "value": made["value"].astype("float64"),
        "vintage": [max(a, b) for a, b in zip(made["vintage"], made["_wvint"], strict=True)],
        "source": f"{DERIVED_BY}, from " + made["source"],
        "derivation": [how.format(n=n) for n in made["_n"]],
        "inputs": made["inputs"],
    })
    missing = _missing(lacking, merged, in_force)
    split = [straddled.get((p, b)) for p, b in zip(lacking["parent"], lacking["_boundary"], strict=True)]
    reasons = [f"{s} lies only partly in it" if s else f"no figure for {m}"
               for s, m in zip(split, missing, strict=True)]
    return out, pd.DataFrame({
        "indicator_id": indicator.id, "geography_code": lacking["parent"], "period": lacking["period"],
        "missing": missing, "reason": reasons,
    })


def _missing(lacking: pd.DataFrame, merged: pd.DataFrame, in_force: pd.DataFrame) -> list[str]:
    if lacking.empty:
        return []
    merged = merged[merged["parent"].isin(set(lacking["parent"]))]
    have = merged.groupby(["parent", "period"])["geography_code"].agg(set)
    in_force = in_force[in_force["parent"].isin(set(lacking["parent"]))]
    members = in_force.groupby(["parent", "_boundary"])["child"].agg(set)
    out = []
    for parent, period, boundary in zip(lacking["parent"], lacking["period"], lacking["_boundary"],
                                        strict=True):
        need = members.get((parent, boundary), set())
        got = have.get((parent, period), set())
        out.append(";".join(sorted(need - got)))
    return out


def _middle_year(rows: pd.DataFrame) -> pd.Series:
    start = pd.to_datetime(rows["period_start"])
    end = pd.to_datetime(rows["period_end"])
    return (start + (end - start) / 2).dt.year


def _formula(
    ws: Workspace,
    indicator: Indicator,
    known: dict[str, Indicator],
    parents: pd.DataFrame,
    occupied: pd.DataFrame,
) -> tuple[pd.DataFrame, str]:
    """numerator / denominator × scale for every area and year with both."""
    assert indicator.numerator is not None and indicator.denominator is not None
    missing = [i for i in (indicator.numerator, indicator.denominator) if i not in known]
    if missing:
        return pd.DataFrame(columns=_COLUMNS), f"inputs not in the workspace: {', '.join(missing)}"
    panel = ws.observations_table([indicator.numerator, indicator.denominator]).execute()
    fresh = parents[parents["indicator_id"].isin([indicator.numerator, indicator.denominator])]
    if len(fresh):  # derived just now, not yet stored
        fresh = fresh.assign(year=pd.to_datetime(fresh["period_end"]).dt.year)
        panel = pd.concat([panel[~panel["derivation"].notna()], fresh], ignore_index=True)
    top = panel[panel["indicator_id"] == indicator.numerator]
    bottom = panel[panel["indicator_id"] == indicator.denominator][["geography_code", "year", "value",
                                                                  "vintage"]]
    both = top.merge(bottom, on=["geography_code", "year"], suffixes=("", "_d"))
    both = both[both["value_d"] > 0]
    if both.empty:
        return pd.DataFrame(columns=_COLUMNS), (f"no area has both {indicator.numerator} and "
                                                f"{indicator.denominator} for a year")
    scale = f" × {indicator.scale:,.0f}" if indicator.scale != 1 else ""
    out = pd.DataFrame({
        "geography_code": both["geography_code"],
        "indicator_id": indicator.id,
        "period": both["period"],
        "period_start": both["period_start"],
        "period_end": both["period_end"],
        "value": both["value"] / both["value_d"] * indicator.scale,
        "vintage": [max(a, b) for a, b in zip(both["vintage"], both["vintage_d"], strict=True)],
        "source": f"{DERIVED_BY}, from " + both["source"],
        "derivation": f"{indicator.numerator} ÷ {indicator.denominator}{scale}",
        "inputs": f"{indicator.numerator};{indicator.denominator}",
    })
    taken = pd.MultiIndex.from_frame(occupied[["geography_code", "indicator_id", "period"]])
    mine = pd.MultiIndex.from_frame(out[["geography_code", "indicator_id", "period"]])
    return out[~mine.isin(taken)], ""


def _write(ws: Workspace, indicators: list[str], rows: pd.DataFrame) -> None:
    rows = rows.drop_duplicates(["geography_code", "indicator_id", "period"])
    frame = rows.assign(
        period_start=pd.to_datetime(rows["period_start"]),
        period_end=pd.to_datetime(rows["period_end"]),
        vintage=pd.to_datetime(rows["vintage"]),
    )[_COLUMNS]
    with ws.transaction():
        if indicators:
            marks = ", ".join("?" * len(indicators))
            ws.con.execute(f"DELETE FROM derived_observation WHERE indicator_id IN ({marks})", indicators)
        if len(frame):
            ws.con.register("_derived", frame)
            try:
                ws.con.execute(
                    "INSERT INTO derived_observation SELECT geography_code, indicator_id, period, "
                    "CAST(period_start AS DATE), CAST(period_end AS DATE), value, CAST(vintage AS DATE), "
                    "source, derivation, inputs FROM _derived"
                )
            finally:
                ws.con.unregister("_derived")
