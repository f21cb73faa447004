"""Carry a panel of figures onto one boundary set ("geography vintage").

A series for Cumberland before 2023 exists only as figures for Allerdale, Carlisle and Copeland.
:func:`harmonise` puts every row of a panel on the codes in use in one boundary year:

* a code in use that year is kept as published;
* a retired code whose area lies wholly inside a code of that year (mergers and recodes, see
  :mod:`~levelscope.data.geography.history`) is combined with the other parts of that area, the
  way the indicator declares it combines (its ``aggregation``):

  - ``sum``: the parts are added (population, counts, £ million);
  - ``weighted_mean`` and ``ratio_of_sums``: the parts are averaged weighted by the indicator
    named as the weight, for the same area and period (the weight's figure for the year in the
    middle of the period: mid-2022 population for 2022-04/2023-03); a ratio of sums N/D combines
    as the mean of N/D weighted by D, which equals ΣN / ΣD;
  - ``none`` (medians, shares of a stock, indices): not combined; such rows are *refused*, with
    the reason, unless the area is unchanged (a recode, which only relabels);

* a figure published for the new code itself is preferred to one built from parts;
* a combination is made only when every part of the new area has a figure (and, for a mean, a
  weight): otherwise the area and period are reported *incomplete*, naming the missing codes,
  and no partial figure is published;
* codes that cannot be carried (split or realigned areas, or codes newer than the boundary
  year except plain recodes) are *dropped*, with the reason;
* rows at the international levels (NUTS, OECD TL2/TL3) stay as published: those regions are
  compared across countries on their own classification, not on the UK's boundary years.

Every output row says which published codes it came from (``source_codes``) and how
(``harmonisation``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from levelscope.data.geography.history import ChangeKind, CodeHistory, code_history
from levelscope.data.model import INTERNATIONAL_LEVELS, Aggregation, Indicator
from levelscope.results import Result

AS_PUBLISHED = "as published"
_KEY = ["indicator_id", "target", "period"]


@dataclass(frozen=True, repr=False)
class Harmonised(Result):
    """A panel on one boundary set, with what could not be carried onto it.

    Attributes
    ----------
    frame:
        The observations on the boundaries of ``day``, with ``source_codes`` (the published
        codes each value came from, ``;``-separated) and ``harmonisation`` (``"as published"``,
        ``"recoded"``, ``"sum of 3 areas"``, ``"mean of 3 areas weighted by population"``).
    incomplete:
        indicator_id, geography_code, period, missing, reason: areas whose parts do not all
        have figures, so no value is given.
    refused:
        indicator_id, geography_code, period, reason: combinations the indicator forbids.
    dropped:
        geography_code, reason: published codes that cannot be put on these boundaries.
    """

    day: dt.date
    frame: pd.DataFrame
    incomplete: pd.DataFrame
    refused: pd.DataFrame
    dropped: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.frame

    def notes(self) -> list[str]:
        """Sentences for a person: how many values were combined, and what was left out."""
        out = []
        combined = self.frame[~self.frame["harmonisation"].isin([AS_PUBLISHED])]
        if len(combined):
            out.append(f"{len(combined)} values put on {self.day.year} boundaries from earlier codes "
                       f"({combined['geography_code'].nunique()} areas)")
        for row in self.incomplete.head(5).itertuples():
            out.append(f"{row.indicator_id} {row.geography_code} {row.period}: not given, {row.reason}")
        if len(self.incomplete) > 5:
            out.append(f"... and {len(self.incomplete) - 5} more incomplete areas and periods")
        for reason, rows in self.refused.groupby("reason"):
            out.append(f"{reason} ({len(rows)} values)")
        for row in self.dropped.itertuples():
            out.append(f"{row.geography_code} left out: {row.reason}")
        return out

    def summary(self) -> str:
        return "\n".join([f"{len(self.frame)} values on the boundaries of {self.day}", *self.notes()])


def harmonise(
    frame: pd.DataFrame,
    day: dt.date,
    indicators: Mapping[str, Indicator],
    weights: pd.DataFrame | None = None,
    *,
    history: CodeHistory | None = None,
) -> Harmonised:
    """Put the observations of ``frame`` on the codes in use on ``day``.

    Parameters
    ----------
    frame:
        Observations as :meth:`~levelscope.data.store.Workspace.observations` returns them (at
        least geography_code, indicator_id, period, year, value, lower, upper, vintage, source).
    day:
        The boundary date (:func:`~levelscope.data.geography.history.boundary_date`).
    indicators:
        The definition of every indicator in ``frame``: how it combines, and by which weight.
    weights:
        The weight indicators' published values: geography_code, indicator_id, year, value.
        Needed only for indicators that combine as weighted means or ratios of sums.
    history:
        The code history; levelscope's own by default.

    Returns
    -------
    Harmonised
    """
    history = history or code_history()
    if "level" in frame:
        abroad = frame["level"].isin([str(level) for level in INTERNATIONAL_LEVELS]).to_numpy()
        if abroad.any():
            kept = frame[abroad]
            kept = kept.assign(source_codes=kept["geography_code"], harmonisation=AS_PUBLISHED)
            inner = harmonise(frame[~abroad], day, indicators, weights, history=history)
            return replace(inner, frame=pd.concat([inner.frame, kept], ignore_index=True))
    codes, code_names = pd.factorize(frame["geography_code"])
    plan = _Plan(history, day, code_names.to_numpy())
    dropped = pd.DataFrame(
        [{"geography_code": c, "reason": r} for c, r in plan.dropped.items()],
        columns=["geography_code", "reason"],
    )
    keys = _Keys(frame, codes, list(code_names), plan)
    direct = keys.target == codes
    moved = (keys.target >= 0) & ~direct
    published = frame[direct].assign(source_codes=frame["geography_code"][direct], harmonisation=AS_PUBLISHED)
    empty_incomplete = pd.DataFrame(columns=["indicator_id", "geography_code", "period", "missing", "reason"])
    empty_refused = pd.DataFrame(columns=["indicator_id", "geography_code", "period", "reason"])
    if not moved.any():
        return Harmonised(day=day, frame=published.reset_index(drop=True), incomplete=empty_incomplete,
                          refused=empty_refused, dropped=dropped)

    # a figure published for the new area itself wins over one built from its parts
    rows = np.flatnonzero(moved)
    rows = rows[~np.isin(keys.of(rows, keys.target[rows]), keys.of(np.flatnonzero(direct), codes[direct]))]
    rows = _nearest_parts(rows, keys, plan)
    group, first = _groups(keys.of(rows, keys.target[rows]))
    n_groups = len(first)
    parts = np.bincount(group, minlength=n_groups)
    cover = np.bincount(group, weights=keys.cover[codes[rows]], minlength=n_groups)
    complete = cover == keys.size[keys.target[rows[first]]]

    indicator_of = frame["indicator_id"].iloc[rows[first]].to_numpy(dtype=object)
    aggregation = np.array([indicators[str(i)].aggregation for i in indicator_of], dtype=object)
    weighted = np.array([a.weighted for a in aggregation], dtype=bool)
    refuse = complete & (parts > 1) & (aggregation == Aggregation.NONE)
    weight = np.ones(len(rows))
    needs_weight = weighted[group] & (parts[group] > 1)
    if needs_weight.any():
        weight[needs_weight] = _weights_for(frame, rows[needs_weight], indicators, weights)
    lacking = np.bincount(group, weights=np.isnan(weight), minlength=n_groups) > 0
    ok = complete & ~refuse & ~lacking

    value = frame["value"].to_numpy(dtype="float64")[rows]
    product = np.bincount(group, weights=np.where(np.isnan(weight), 0.0, weight) * value, minlength=n_groups)
    total = np.bincount(group, weights=np.where(np.isnan(weight), 0.0, weight), minlength=n_groups)
    made = np.flatnonzero(ok)
    result = published.reset_index(drop=True)
    if len(made):
        out = frame.iloc[rows[first[made]]].copy()
        single = parts[made] == 1
        mean = product[made] / np.where(total[made] > 0, total[made], 1.0)
        out["value"] = np.where(single, value[first[made]], np.where(weighted[made], mean, product[made]))
        if "lower" in out:
            out["lower"] = out["lower"].where(single)
            out["upper"] = out["upper"].where(single)
        if "vintage" in out:
            out["vintage"] = _latest(frame["vintage"].iloc[rows].to_numpy(), group, made, out["vintage"])
        out["source_codes"] = _joined_codes(codes[rows], group, made, list(code_names))
        how = [("recoded" if n == 1 else (f"mean of {n} areas weighted by {indicators[str(i)].weight}"
                                          if w else f"sum of {n} areas"))
               for n, w, i in zip(parts[made], weighted[made], indicator_of[made], strict=True)]
        out["harmonisation"] = pd.Series(how, index=out.index, dtype=object)
        out["source_codes"] = out["source_codes"].astype(object)
        out["source"] = (out["source"].astype(str) + "; " + out["harmonisation"] + " by levelscope ("
                         + out["source_codes"] + ")")
        new_codes = np.array(keys.names, dtype=object)[keys.target[rows[first[made]]]]
        out["geography_code"] = new_codes
        if "geography_name" in out:
            out["geography_name"] = _renamed(new_codes, out["geography_name"], plan.name)
        if "level" in out:  # a county recoded as a unitary district is now a district
            out["level"] = _renamed(new_codes, out["level"], plan.level)
        strings = {c: published[c].dtype for c in out.columns
                   if c in published and isinstance(published[c].dtype, pd.StringDtype)}
        result = pd.concat([published, out.astype(strings)], ignore_index=True)

    period_of = frame["period"].iloc[rows[first]].to_numpy(dtype=object)
    target_of = np.array(keys.names, dtype=object)[keys.target[rows[first]]]
    shut = np.flatnonzero(refuse)
    refused = pd.DataFrame({
        "indicator_id": indicator_of[shut], "geography_code": target_of[shut], "period": period_of[shut],
        "reason": [_refusal_reason(str(i)) for i in indicator_of[shut]],
    }, columns=empty_refused.columns) if len(shut) else empty_refused
    incomplete = []
    short = np.flatnonzero((~complete | lacking) & ~refuse)
    if len(short):
        order = np.argsort(group, kind="stable")
        starts = np.searchsorted(group[order], short)
        ends = np.searchsorted(group[order], short, side="right")
        missing_of: dict[tuple[str, frozenset[str]], list[str]] = {}
        for g, a, b in zip(short, starts, ends, strict=True):
            positions = order[a:b]
            ident, target, period = indicator_of[g], str(target_of[g]), period_of[g]
            if not complete[g]:
                present = frozenset(str(code_names[c]) for c in codes[rows[positions]])
                if (target, present) not in missing_of:
                    missing_of[target, present] = plan.missing(target, set(present))
                incomplete.append(_incomplete_row(ident, target, period, missing_of[target, present],
                                                  "not every part of the area has a figure"))
            else:
                no_weight = sorted(str(code_names[codes[rows[i]]]) for i in positions if np.isnan(weight[i]))
                incomplete.append(_incomplete_row(
                    ident, target, period, no_weight,
                    f"no {indicators[str(ident)].weight} figure to weight a part by"))
    return Harmonised(
        day=day,
        frame=result,
        incomplete=pd.DataFrame(incomplete, columns=empty_incomplete.columns) if incomplete
        else empty_incomplete,
        refused=refused,
        dropped=dropped,
    )


class _Keys:
    """Integer keys for (indicator, code, period): every published code and every new code it
    goes to numbered once, so that finding and grouping rows is arithmetic on arrays."""

    def __init__(self, frame: pd.DataFrame, codes: np.ndarray, names: list[str], plan: _Plan) -> None:
        self.names = list(names)
        self.codes = codes.astype(np.int64)
        number = {c: i for i, c in enumerate(self.names)}
        for code in names:
            new = plan.target.get(code)
            if new is not None and new not in number:
                number[new] = len(self.names)
                self.names.append(new)
        per_code = np.array([number[t] if (t := plan.target.get(c)) is not None else -1 for c in names],
                            dtype=np.int64)
        self.target = per_code[codes] if len(codes) else per_code[:0]
        self.number = number
        self.cover = np.array([plan.cover.get(c, 1) for c in names], dtype="float64")
        self.size = np.array([plan.size(c) if c in plan.history else 1 for c in self.names], dtype="float64")
        self.indicators = pd.factorize(frame["indicator_id"])[0].astype(np.int64)
        self.periods = pd.factorize(frame["period"])[0].astype(np.int64)
        self.n_codes = len(self.names)
        self.n_periods = int(self.periods.max()) + 1 if len(self.periods) else 1

    def of(self, rows: np.ndarray, code: np.ndarray) -> np.ndarray:
        """The key of each row with its code replaced by ``code``."""
        return (self.indicators[rows] * self.n_codes + code) * self.n_periods + self.periods[rows]


def _renamed(codes: np.ndarray, old: pd.Series, lookup: Callable[[str], str | None]) -> np.ndarray:
    """``lookup`` of each code (looked up once per distinct code), the old value where it has none."""
    distinct, where = np.unique(codes.astype(str), return_inverse=True)
    found = np.array([lookup(str(c)) for c in distinct], dtype=object)[where]
    return np.where(pd.isna(found), old.to_numpy(dtype=object), found)


def _groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group number of each key, and the position of each group's first row."""
    group, uniques = pd.factorize(key)
    first = np.full(len(uniques), len(key), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(key)))
    return group.astype(np.int64), first


def _latest(vintages: np.ndarray, group: np.ndarray, made: np.ndarray, fallback: pd.Series) -> list[object]:
    """The newest vintage among each made group's parts (the release that made the value)."""
    stamps = pd.to_datetime(pd.Series(vintages)).to_numpy().astype("datetime64[ns]").astype(np.int64)
    newest = np.full(int(group.max()) + 1, np.iinfo(np.int64).min)
    np.maximum.at(newest, group, stamps)
    chosen = pd.to_datetime(newest[made])
    kind = fallback.iloc[0] if len(fallback) else None
    plain_dates = isinstance(kind, dt.date) and not isinstance(kind, dt.datetime)
    return list(chosen.date) if plain_dates else list(chosen)


def _joined_codes(codes: np.ndarray, group: np.ndarray, made: np.ndarray, names: list[str]) -> list[str]:
    """``;``-joined sorted published codes of each made group, built once per distinct set."""
    rng = np.random.default_rng(20230401)
    salt = rng.integers(1, 2**62, size=len(names), dtype=np.int64).astype(np.uint64)
    signature = np.zeros(int(group.max()) + 1, dtype=np.uint64)
    np.add.at(signature, group, salt[codes])
    text: dict[int, str] = {}
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(len(signature)))
    ends = np.searchsorted(group[order], np.arange(len(signature)), side="right")
    out = []
    for g in made:
        key = int(signature[g])
        if key not in text:
            text[key] = ";".join(sorted(names[c] for c in codes[order[starts[g]:ends[g]]]))
        out.append(text[key])
    return out


class _Plan:
    """For each published code: the code of ``day`` it goes to, the codes between them, and how
    many of the new area's smallest parts it covers."""

    def __init__(self, history: CodeHistory, day: dt.date, codes: np.ndarray) -> None:
        self.history, self.day = history, day
        self.target: dict[str, str | None] = {}
        self.dropped: dict[str, str] = {}
        self.path: dict[str, tuple[str, ...]] = {}
        self.cover: dict[str, int] = {}
        self._leaves: dict[str, frozenset[str]] = {}
        for code in (str(c) for c in codes):
            if code not in history:
                self.target[code] = code  # not a code the history tracks: leave it be
                continue
            target = history.carried_to(code, day)
            self.target[code] = target
            if target is None:
                self.dropped[code] = self._why_not(code)
            elif target != code:
                self.path[code] = self._between(code, target)
                self.cover[code] = len(self._covers(code))

    def leaves(self, code: str) -> frozenset[str]:
        """The smallest earlier areas of the same level that make up ``code`` (itself if none).

        A county that became a unitary district is not a part of it: it is the same area at
        another level (see :meth:`_covers`)."""
        if code not in self._leaves:
            parts = self._parts(code)
            self._leaves[code] = (frozenset().union(*(self.leaves(p) for p in parts)) if parts
                                  else frozenset([code]))
        return self._leaves[code]

    def _parts(self, code: str) -> list[str]:
        level = self.history.records[code].level
        return [c.predecessor for c in self.history.predecessors(code)
                if c.kind.carries_figures and self.history.records[c.predecessor].level == level]

    def size(self, target: str) -> int:
        return len(self.leaves(target))

    def name(self, code: str) -> str | None:
        record = self.history.get(code)
        return record.name if record else None

    def level(self, code: str) -> str | None:
        record = self.history.get(code)
        return str(record.level) if record else None

    def _between(self, code: str, target: str) -> tuple[str, ...]:
        steps = []
        current = code
        while current != target:
            onward = [c for c in self.history.successors(current) if c.effective <= self.day]
            if len(onward) != 1:
                break  # a recode undone backwards: nothing lies between
            current = onward[0].successor
            if current != target:
                steps.append(current)
        return tuple(steps)

    def _why_not(self, code: str) -> str:
        record = self.history.records[code]
        if record.valid_from is not None and self.day < record.valid_from:
            return (f"{record.name} dates from {record.valid_from}, after these boundaries, and its "
                    "figures cannot be divided among earlier areas")
        kinds = {c.kind for c in self.history.successors(code) if c.effective <= self.day}
        if ChangeKind.REALIGNMENT in kinds:
            return f"{record.name} was realigned into new areas whose boundaries do not nest in it"
        onward = ", ".join(self.history.successors_on(code, self.day))
        return f"{record.name} was split between {onward}; its figures cannot be divided"

    def missing(self, target: str, present: set[str]) -> list[str]:
        """The parts of ``target`` with no figure, as coarse as possible."""
        out: list[str] = []

        def visit(code: str) -> None:
            covered = {leaf for c in present for leaf in self._covers(c)}
            if code in present or self.leaves(code) <= covered:
                return
            if not self.leaves(code) & covered:
                out.append(code)
                return
            for part in self._parts(code):
                visit(part)

        visit(target)
        return out

    def _covers(self, code: str) -> frozenset[str]:
        """The parts of its new area a published code stands for: its own leaves, or the whole
        new area when it is the same area under a later code or at another level."""
        target = self.target.get(code)
        if target is None or code not in self.history:
            return frozenset([code])
        record = self.history.records[code]
        later = record.valid_from is not None and self.day < record.valid_from
        if later or record.level != self.history.records[target].level:
            return self.leaves(target)
        return self.leaves(code)


def _nearest_parts(rows: np.ndarray, keys: _Keys, plan: _Plan) -> np.ndarray:
    """Keep, of nested codes both present for one area and period, the one nearest the new code
    (Somerset West and Taunton rather than Taunton Deane), and of the same area at two levels (the
    North Yorkshire county and its districts) the new code's level, so no part counts twice."""
    level = pd.factorize(np.array([plan.level(c) or "" for c in keys.names], dtype=object))[0]
    own = keys.codes[rows]
    same = level[own] == level[keys.target[rows]]
    target_group = pd.factorize(keys.of(rows, keys.target[rows]))[0]
    any_same = np.bincount(target_group, weights=same) > 0
    rows = rows[same | ~any_same[target_group]]
    steps = {i: [keys.number.get(v, -1) for v in plan.path.get(c, ())] for i, c in enumerate(keys.names)}
    steps = {i: [v for v in via if v >= 0] for i, via in steps.items()}
    with_path = np.array([bool(steps.get(i)) for i in range(len(keys.names))], dtype=bool)
    routed = rows[with_path[keys.codes[rows]]]
    if not len(routed):
        return rows
    via_rows = np.concatenate([np.full(len(steps[c]), r, dtype=np.int64)
                               for r, c in zip(routed, keys.codes[routed], strict=True)])
    via_codes = np.concatenate([np.array(steps[c], dtype=np.int64) for c in keys.codes[routed]])
    present = keys.of(rows, keys.codes[rows])
    shadowed = via_rows[np.isin(keys.of(via_rows, via_codes), present)]
    return rows[~np.isin(rows, shadowed)]


def _weights_for(
    frame: pd.DataFrame, rows: np.ndarray, indicators: Mapping[str, Indicator], weights: pd.DataFrame | None
) -> np.ndarray:
    """The weight of each row: its indicator's weight indicator, same area, the year in the middle
    of its period (NaN where there is none)."""
    if weights is None or weights.empty:
        return np.full(len(rows), np.nan)
    table = pd.Series(weights["value"].to_numpy(dtype="float64"), index=pd.MultiIndex.from_arrays(
        [weights["indicator_id"].to_numpy(), weights["geography_code"].to_numpy(), _middle_year(weights)]))
    table = table[~table.index.duplicated()]
    chosen = frame.iloc[rows]
    wanted = [indicators[str(i)].weight or "" for i in chosen["indicator_id"]]
    probe = pd.MultiIndex.from_arrays([wanted, chosen["geography_code"].to_numpy(), _middle_year(chosen)])
    return table.reindex(probe).to_numpy(dtype="float64")


def _middle_year(rows: pd.DataFrame) -> pd.Series:
    """The year of the middle of each row's period: the weight "from the same period" of a
    financial year 2022-04/2023-03 is the mid-2022 population, of 2018-2020 that of 2019."""
    start = pd.to_datetime(rows["period_start"])
    end = pd.to_datetime(rows["period_end"])
    return (start + (end - start) / 2).dt.year


def _incomplete_row(
    ident: object, target: str, period: object, missing: list[str], reason: str
) -> dict[str, object]:
    return {"indicator_id": ident, "geography_code": target, "period": period, "missing": ";".join(missing),
            "reason": f"{reason}: none for {', '.join(missing)}" if missing else reason}


def _refusal_reason(indicator: str) -> str:
    return (f"{indicator} is not combined over areas (its aggregation is 'none': a median, index or "
            "rate without a declared weight), so merged areas get no value")
