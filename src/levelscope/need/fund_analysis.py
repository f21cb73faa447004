"""Did a fund go where need is? Funding set against population and need, area by area.

:func:`analyse_fund` takes the allocations of a fund (e.g. the Levelling Up Fund's successful
bids, as :func:`levelscope.data.funding.read_register` returns them), the analysis areas with
their region and country, population by year and the need measures of each area, and answers the
question in the ways the published analyses did and further. Every method choice is an argument
and is written into the result's :attr:`FundAnalysis.method`:

* **sharing bids** between the areas they cover: equally (default) or by population
  (:mod:`levelscope.need.bid_sharing`); the other rule is always computed too, and
  :attr:`FundAnalysis.sensitivity` says how much each table moves between them;
* **population**: for each round, by default the mid-year estimate whose reference date (30 June)
  is the last before the round's announcement (``population_year`` fixes one year instead); per
  head over all rounds divides the cumulative amount by the latest round's population;
* **tables** of funding, funding per head, share of funding, of population and of need by
  country, region, priority category, deprivation decile and quintile (areas ranked by IMD
  average score, 1 = most deprived, equal numbers of areas) and need-index quintile, by round and
  over all rounds. The *share of need* of a group is its share of need-weighted population,
  ``sum p_i s_i`` with ``s_i`` the IMD average score, over the areas with a score;
* the **concentration index** ``C = 2 cov_w(y, R) / mean_w(y)`` of funding per head ``y``
  against deprivation and against the priority categories (people-weighted; tied categories
  share their mean rank), with percentile bootstrap intervals from ``n_resamples`` resamples of
  areas (:mod:`levelscope.need.fund_concentration`); C < 0 means funding per head leans towards
  the most needy;
* **round-on-round change** of each group's share of funding;
* a **counterfactual**: what each area (and group) would have received had the same total been
  shared by population, or by population weighted by need (IMD average score, over the areas
  with one), and the gap to what it got.

Examples
--------
>>> import pandas as pd
>>> bids = pd.DataFrame({"bid_id": ["a", "b"], "fund": "F", "round": ["1", "1"],
...     "announced": pd.to_datetime(["2021-10-27"] * 2).date, "amount": [60.0, 30.0],
...     "areas": [("E1",), ("E2", "E3")], "outcome": "successful"})
>>> areas = pd.DataFrame({"geography_code": ["E1", "E2", "E3"], "region": ["N", "S", "S"],
...                       "country": "England"})
>>> people = pd.DataFrame({"geography_code": ["E1", "E2", "E3"], "year": 2020,
...                        "value": [10.0, 10.0, 10.0]})
>>> result = analyse_fund(bids, areas, people, n_resamples=50)
>>> result.tables["region"].query("round == '1'")["per_head"].tolist()
[6.0, 1.5]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from levelscope.errors import UndefinedMeasureError
from levelscope.need.bid_sharing import SHARE_RULES, ShareRule, share_bids
from levelscope.need.fund_concentration import concentration_draws, percentile_interval
from levelscope.need.funding import concentration_index, need_groups
from levelscope.results import USER_DATA, Provenance, Result, check_alpha

if TYPE_CHECKING:
    from collections.abc import Mapping

    import plotly.graph_objects as go

ALL_ROUNDS = "all"
_SHARED = {"equal": "equally", "population": "by population"}  # a split rule, in words
#: The groupings of the tables, in the order they are shown.
GROUPINGS = ("country", "region", "priority_category", "imd_decile", "imd_quintile", "need_quintile")
_GROUP_NAMES = {
    "country": "country", "region": "region", "priority_category": "priority category",
    "imd_decile": "deprivation decile", "imd_quintile": "deprivation quintile",
    "need_quintile": "need-index quintile",
}


@dataclass(frozen=True, repr=False)
class FundAnalysis(Result):
    """Funding of one fund set against population and need; see :func:`analyse_fund`.

    Attributes
    ----------
    fund, rounds
        The fund and its rounds, in order (tables also have the round ``"all"``).
    split
        How bids covering several areas were shared ("equal" or "population").
    population_years
        The population year used for each round.
    areas
        One row per area: ``geography_code``, name, region, country, need measures and groups,
        and per round ``amount_<round>``, ``population_<round>``, ``per_head_<round>``, plus
        ``amount_all`` and ``per_head_all``.
    tables
        Grouping → frame with ``round``, ``group``, ``n_areas``, ``areas_funded``, ``amount``,
        ``population``, ``per_head``, ``share_of_funding``, ``share_of_population``,
        ``share_of_need`` and ``per_head_to_average`` (the group's funding per head relative to
        all areas').
    concentration
        ``round``, ``against`` ("deprivation" or "priority category"), ``split``,
        ``concentration_index``, ``lower``, ``upper``, ``n_areas``.
    curves
        ``(round, against)`` → the concentration curve (cumulative shares of people and funding
        from the most needy).
    sensitivity
        Per grouping, round and group: per head and share of funding under each split rule and
        their difference.
    round_change
        Grouping → share of funding in each round and the change in percentage points.
    counterfactual
        Per area and round: ``actual``, ``by_population``, ``by_need``, and the gaps.
    unplaced
        Bids (or parts) whose areas could not be placed on the analysis areas, with the reason.
    findings
        Plain-language sentences, one per question.
    method
        (choice, what was chosen) pairs.
    """

    fund: str
    rounds: tuple[str, ...]
    split: str
    population_years: dict[str, int]
    areas: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    concentration: pd.DataFrame
    curves: dict[tuple[str, str], pd.DataFrame]
    sensitivity: pd.DataFrame
    round_change: dict[str, pd.DataFrame]
    counterfactual: pd.DataFrame
    unplaced: pd.DataFrame
    findings: tuple[str, ...]
    method: tuple[tuple[str, str], ...]
    alpha: float
    n_resamples: int
    seed: int | None
    counterfactual_by: dict[str, pd.DataFrame] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The areas table (one row per area, with ``geography_code``)."""
        return self.areas.copy()

    def table(self, grouping: str, round: str = ALL_ROUNDS) -> pd.DataFrame:
        """One grouping's table for one round (``"all"`` for the rounds together)."""
        if grouping not in self.tables:
            raise KeyError(f"no table by {grouping!r}; have {', '.join(self.tables)}")
        frame = self.tables[grouping]
        return frame[frame["round"] == str(round)].drop(columns="round").reset_index(drop=True)

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """Bootstrap intervals of the concentration indices (rows: round and what they are
        ranked against), at the ``alpha`` they were drawn with."""
        if alpha is not None and alpha != self.alpha:
            raise ValueError(f"the intervals were drawn at alpha={self.alpha}; run analyse_fund(alpha=)")
        return self.concentration.set_index(["round", "against"])[["lower", "upper"]]

    def summary(self) -> str:
        lines = [f"{self.fund}: rounds {', '.join(self.rounds)}; bids shared {_SHARED[self.split]} "
                 "between the areas they cover"]
        lines += list(self.findings)
        return "\n".join(lines)

    def plot(self, round: str = ALL_ROUNDS, against: str = "deprivation", **kwargs: Any) -> go.Figure:
        """The concentration curve of one round against deprivation or the priority categories."""
        from levelscope.need.plot import fund_concentration_chart

        return fund_concentration_chart(self, round=round, against=against, **kwargs)


def analyse_fund(
    allocations: pd.DataFrame,
    areas: pd.DataFrame,
    population: pd.DataFrame,
    need: pd.DataFrame | None = None,
    *,
    split: ShareRule = "equal",
    population_year: int | None = None,
    carry: Mapping[str, str] | None = None,
    n_groups: tuple[int, int] = (10, 5),
    n_resamples: int = 2000,
    alpha: float = 0.05,
    seed: int | None = 0,
    provenance: Provenance = USER_DATA,
) -> FundAnalysis:
    """Set a fund's allocations against population and need.

    Parameters
    ----------
    allocations
        One row per bid: ``bid_id``, ``fund``, ``round``, ``announced``, ``amount``, ``areas``
        and optionally ``outcome`` (unsuccessful bids are not funding).
    areas
        The analysis areas: ``geography_code`` and optionally ``geography_name``, ``region`` and
        ``country`` (an area outside every region, e.g. in Wales, is grouped by its country).
    population
        Long table: ``geography_code``, ``year``, ``value``.
    need
        Optional, by ``geography_code``: ``imd_average_score`` (higher = more deprived),
        ``priority_category`` (1 = most need) and ``need_index`` (higher = more need).
    split
        How a bid covering several areas is shared: "equal" or "population".
    population_year
        One population year for every round; by default each round takes the last mid-year
        estimate before its announcement.
    carry
        Codes of another boundary year mapped to the analysis area containing them.
    n_groups
        The number of deprivation groups of the two deprivation tables (deciles, quintiles);
        need-index groups are quintiles.
    n_resamples, alpha, seed
        Bootstrap resamples, significance level (intervals of coverage ``1 - alpha``) and seed.

    Returns
    -------
    FundAnalysis
        The findings, concentration indices with intervals, the tables by deprivation and
        need group and by region, the rounds compared and the sensitivity to the split rule.

    Raises
    ------
    UndefinedMeasureError
        For an unknown split rule, a round without a population year, or areas with no
        population in the year a round uses.

    Examples
    --------
    >>> bids = pd.DataFrame({"bid_id": ["b1", "b2", "b3"], "fund": "Levelling Up Fund", "round": "1",
    ...                      "announced": pd.Timestamp("2021-10-27"), "amount": [300.0, 100.0, 50.0],
    ...                      "areas": [("A",), ("B", "C"), ("D",)]})  # b2 covers two areas
    >>> areas = pd.DataFrame({"geography_code": list("ABCDEFGHIJ")})
    >>> population = pd.DataFrame({"geography_code": list("ABCDEFGHIJ"), "year": 2020, "value": 1000.0})
    >>> need = pd.DataFrame({"geography_code": list("ABCDEFGHIJ"),
    ...                      "imd_average_score": np.arange(10.0, 0, -1)})  # A the most deprived
    >>> print(analyse_fund(bids, areas, population, need, n_resamples=0).summary())
    Levelling Up Fund: rounds 1; bids shared equally between the areas they cover
    The most deprived fifth of English districts received 77.8% of the funding in England ...
    """
    check_alpha(alpha)
    if split not in SHARE_RULES:
        raise UndefinedMeasureError(f"unknown split {split!r}; use one of {SHARE_RULES}")
    funded = allocations
    if "outcome" in allocations.columns:
        funded = allocations[allocations["outcome"].fillna("successful") != "unsuccessful"]
    if funded.empty:
        raise UndefinedMeasureError("no successful allocations to analyse")
    funds = funded["fund"].unique()
    fund = str(funds[0]) if len(funds) == 1 else " + ".join(sorted(map(str, funds)))
    rounds = tuple(sorted(map(str, funded["round"].unique()), key=_round_key))
    announced = {r: min(pd.to_datetime(funded.loc[funded["round"].astype(str) == r, "announced"]))
                 for r in rounds}
    years = {r: population_year or population_year_before(announced[r].date(), population) for r in rounds}
    place = _area_frame(areas, need, n_groups)
    people = {r: _population_in(population, years[r], place.index) for r in rounds}

    shared = {rule: {r: share_bids(funded[funded["round"].astype(str) == r], people[r], rule=rule,
                                   areas=place.index, carry=carry) for r in rounds}
              for rule in SHARE_RULES}
    per_area = {rule: _per_area(place, shared[rule], people, rounds) for rule in SHARE_RULES}
    chosen = per_area[split]
    other = next(rule for rule in SHARE_RULES if rule != split)
    groupings = [g for g in GROUPINGS if g in place.columns and place[g].notna().any()]
    tables = {g: _group_table(chosen, g, rounds) for g in groupings}
    sensitivity = _sensitivity(tables, per_area[other], rounds, split, other)
    concentration, curves = _concentrations(chosen, rounds, split, n_resamples, alpha, seed)
    changes = {g: _round_change(tables[g], rounds) for g in groupings} if len(rounds) > 1 else {}
    counterfactual = _counterfactual(chosen, rounds)
    counterfactual_by = {g: _counterfactual_by(counterfactual, chosen, g) for g in groupings}
    unplaced = pd.concat([s.unplaced for s in shared[split].values()], ignore_index=True)
    method = (
        ("bids covering several areas",
         f"shared {_SHARED[split]} between them (shared {_SHARED[other]} in sensitivity)"),
        ("population", "; ".join(f"round {r}: mid-{years[r]}" for r in rounds)
         + ("" if population_year else " (the last mid-year estimate before each announcement)")),
        ("per head over all rounds", f"cumulative amount over mid-{years[rounds[-1]]} population"),
        ("deprivation groups", f"{n_groups[0]} and {n_groups[1]} groups of equal numbers of areas "
         "ranked by IMD average score (1 = most deprived); England only"),
        ("share of need", "share of population times IMD average score, over areas with a score"),
        ("concentration index", f"2 cov_w(per head, need rank) / mean_w(per head), people-weighted; "
         f"{1 - alpha:.0%} percentile bootstrap intervals, {n_resamples} resamples of areas, seed {seed}"),
        ("counterfactual", "the same total shared by population, or by population times IMD score"),
    )
    result_areas = chosen.reset_index()
    findings = _findings(fund, tables, concentration, sensitivity, changes, counterfactual_by,
                         rounds, split, other, unplaced)
    return FundAnalysis(
        fund=fund, rounds=rounds, split=split, population_years=years, areas=result_areas,
        tables=tables, concentration=concentration, curves=curves, sensitivity=sensitivity,
        round_change=changes, counterfactual=counterfactual, counterfactual_by=counterfactual_by,
        unplaced=unplaced, findings=findings, method=method, alpha=alpha, n_resamples=n_resamples,
        seed=seed, provenance=provenance.with_seed(seed),
    )


# --- inputs -----------------------------------------------------------------------------------


def _round_key(label: str) -> tuple[int, str]:
    digits = "".join(ch for ch in label if ch.isdigit())
    return (int(digits) if digits else 10**6, label)


def population_year_before(day: dt.date, population: pd.DataFrame) -> int:
    """The last year whose mid-year (30 June) falls before ``day`` and which ``population``
    (with a ``year`` column) holds: the default population year of a round announced on ``day``."""
    years = sorted(int(y) for y in population["year"].unique())
    usable = [y for y in years if dt.date(y, 6, 30) < day]
    if not usable:
        raise UndefinedMeasureError(f"no population estimate before {day}; give population_year")
    return usable[-1]


def _population_in(population: pd.DataFrame, year: int, codes: pd.Index) -> pd.Series:
    rows = population[population["year"].astype(int) == int(year)]
    series = rows.groupby("geography_code")["value"].sum().astype(float).reindex(codes)
    missing = series.index[~(series > 0)]
    if len(missing):
        shown = ", ".join(map(str, missing[:10]))
        raise UndefinedMeasureError(
            f"no population in {year} for {len(missing)} analysis areas ({shown}); give another "
            "population_year or population on the analysis areas' boundaries"
        )
    return series


def _area_frame(areas: pd.DataFrame, need: pd.DataFrame | None, n_groups: tuple[int, int]) -> pd.DataFrame:
    place = areas.set_index("geography_code").copy()
    if "country" not in place.columns:
        place["country"] = None
    if "region" in place.columns:
        # an area outside England's regions is grouped by its country (Wales, Scotland, ...)
        place["region"] = place["region"].where(place["region"].notna(), place["country"])
    if need is not None:
        frame = need.set_index("geography_code") if "geography_code" in need.columns else need
        for column in ("imd_average_score", "priority_category", "need_index"):
            if column in frame.columns:
                place[column] = frame[column].reindex(place.index)
    if "imd_average_score" in place.columns:
        scored = place["imd_average_score"].dropna()
        for label, n in zip(("imd_decile", "imd_quintile"), n_groups, strict=True):
            place[label] = need_groups(scored, n).reindex(place.index).astype("Int64")
    if "need_index" in place.columns:
        scored = place["need_index"].dropna()
        place["need_quintile"] = need_groups(scored, 5).reindex(place.index).astype("Int64")
    if "priority_category" in place.columns:
        place["priority_category"] = place["priority_category"].astype("Int64")
    return place


def _per_area(place: pd.DataFrame, shared: dict[str, Any], people: dict[str, pd.Series],
              rounds: tuple[str, ...]) -> pd.DataFrame:
    out = place.copy()
    total = pd.Series(0.0, index=place.index)
    for r in rounds:
        by_code = shared[r].shares.groupby("geography_code")["amount"].sum()
        amount = by_code.reindex(place.index, fill_value=0.0)
        out[f"amount_{r}"] = amount
        out[f"population_{r}"] = people[r]
        out[f"per_head_{r}"] = amount / people[r]
        total = total + amount
    out[f"amount_{ALL_ROUNDS}"] = total
    out[f"population_{ALL_ROUNDS}"] = people[rounds[-1]]
    out[f"per_head_{ALL_ROUNDS}"] = total / people[rounds[-1]]
    return out


# --- tables -----------------------------------------------------------------------------------


def _group_table(per_area: pd.DataFrame, grouping: str, rounds: tuple[str, ...]) -> pd.DataFrame:
    # NumPy sums per group for every round at once, one frame at the end: this runs for every
    # grouping under both sharing rules, and pandas' group-by costs more than the sums
    labels = per_area[grouping]
    kept = labels.notna().to_numpy()
    codes, groups = pd.factorize(labels[kept], sort=True)
    n = len(groups)
    score = (per_area["imd_average_score"].to_numpy(dtype=float)[kept]
             if "imd_average_score" in per_area else None)
    columns: dict[str, list[np.ndarray]] = {k: [] for k in (
        "n_areas", "areas_funded", "amount", "population", "per_head", "share_of_funding",
        "share_of_population", "share_of_need", "per_head_to_average")}
    everything = (*rounds, ALL_ROUNDS)
    areas = np.bincount(codes, minlength=n)
    for r in everything:
        amount = per_area[f"amount_{r}"].to_numpy(dtype=float)[kept]
        people = per_area[f"population_{r}"].to_numpy(dtype=float)[kept]
        money = np.bincount(codes, weights=amount, minlength=n)
        heads = np.bincount(codes, weights=people, minlength=n)
        columns["n_areas"].append(areas)
        columns["areas_funded"].append(np.bincount(codes, weights=(amount > 0).astype(float), minlength=n))
        columns["amount"].append(money)
        columns["population"].append(heads)
        columns["per_head"].append(money / heads)
        columns["share_of_funding"].append(money / money.sum() if money.sum() > 0 else np.full(n, np.nan))
        columns["share_of_population"].append(heads / heads.sum())
        if score is not None:
            scored = ~np.isnan(score)
            need = np.bincount(codes[scored], weights=(people * score)[scored], minlength=n)
            has = np.bincount(codes[scored], minlength=n) > 0
            columns["share_of_need"].append(np.where(has, need / need.sum(), np.nan))
        else:
            columns["share_of_need"].append(np.full(n, np.nan))
        average = money.sum() / heads.sum()
        columns["per_head_to_average"].append(money / heads / average if average > 0 else np.full(n, np.nan))
    table = pd.DataFrame({"round": np.repeat(np.array(everything, dtype=object), n),
                          "group": np.tile(np.asarray(groups, dtype=object), len(everything)),
                          **{k: np.concatenate(v) for k, v in columns.items()}})
    return table.astype({"n_areas": int, "areas_funded": int})


def _sensitivity(tables: dict[str, pd.DataFrame], other_area: pd.DataFrame, rounds: tuple[str, ...],
                 split: str, other: str) -> pd.DataFrame:
    rows = []
    for grouping, mine in tables.items():
        theirs = _group_table(other_area, grouping, rounds)
        joined = mine.merge(theirs, on=["round", "group"], suffixes=("", "_other"))
        for record in _records(joined):
            rows.append({
                "grouping": grouping, "round": record["round"], "group": record["group"],
                f"per_head_{split}": record["per_head"], f"per_head_{other}": record["per_head_other"],
                "per_head_difference": record["per_head_other"] - record["per_head"],
                f"share_{split}": record["share_of_funding"],
                f"share_{other}": record["share_of_funding_other"],
                "share_difference": record["share_of_funding_other"] - record["share_of_funding"],
            })
    return pd.DataFrame(rows)


Curves = dict[tuple[str, str], pd.DataFrame]


def _concentrations(per_area: pd.DataFrame, rounds: tuple[str, ...], split: str, n_resamples: int,
                    alpha: float, seed: int | None) -> tuple[pd.DataFrame, Curves]:
    rows, curves = [], {}
    rankings = [("deprivation", "imd_average_score", 1.0), ("priority category", "priority_category", -1.0)]
    for r in (*rounds, ALL_ROUNDS):
        for against, column, sign in rankings:
            if column not in per_area.columns:
                continue
            kept = per_area[per_area[column].notna()]
            if kept[f"amount_{r}"].sum() <= 0:
                continue
            need = sign * kept[column].astype(float)  # category 1 is the most need
            y, w = kept[f"per_head_{r}"], kept[f"population_{r}"]
            result = concentration_index(y, need, w)
            draws = concentration_draws(y, need, w, n_resamples=n_resamples, seed=seed)
            low, high = percentile_interval(draws, alpha) if n_resamples else (np.nan, np.nan)
            rows.append({"round": r, "against": against, "split": split,
                         "concentration_index": result.index, "lower": low, "upper": high,
                         "n_areas": len(kept)})
            curves[(r, against)] = result.curve
    columns = ["round", "against", "split", "concentration_index", "lower", "upper", "n_areas"]
    return pd.DataFrame(rows, columns=columns), curves


def _round_change(table: pd.DataFrame, rounds: tuple[str, ...]) -> pd.DataFrame:
    wide = table[table["round"] != ALL_ROUNDS].pivot_table(
        index="group", columns="round", values="share_of_funding", observed=True
    )
    wide = wide.reindex(columns=list(rounds)).fillna(0.0)
    wide.columns = [f"share_{c}" for c in wide.columns]
    first, last = wide.columns[0], wide.columns[-1]
    wide["change_points"] = 100 * (wide[last] - wide[first])
    return wide.reset_index()


def _counterfactual(per_area: pd.DataFrame, rounds: tuple[str, ...]) -> pd.DataFrame:
    frames = []
    has_score = "imd_average_score" in per_area.columns
    for r in (*rounds, ALL_ROUNDS):
        actual, people = per_area[f"amount_{r}"], per_area[f"population_{r}"]
        frame = pd.DataFrame({"round": r, "actual": actual,
                              "by_population": actual.sum() * people / people.sum()})
        if has_score:
            scored = per_area["imd_average_score"].notna()
            weight = (people * per_area["imd_average_score"]).where(scored)
            frame["by_need"] = actual[scored].sum() * weight / weight.sum()
        else:
            frame["by_need"] = np.nan
        frame["gap_to_population"] = frame["actual"] - frame["by_population"]
        frame["gap_to_need"] = frame["actual"] - frame["by_need"]
        frames.append(frame.rename_axis("geography_code").reset_index())
    return pd.concat(frames, ignore_index=True)


def _counterfactual_by(counterfactual: pd.DataFrame, per_area: pd.DataFrame, grouping: str) -> pd.DataFrame:
    frame = counterfactual.copy()
    frame["group"] = frame["geography_code"].map(per_area[grouping])
    frame = frame[frame["group"].notna()]
    sums = frame.groupby(["round", "group"], observed=True)[
        ["actual", "by_population", "by_need", "gap_to_population", "gap_to_need"]
    ].sum(min_count=1)
    return sums.reset_index()


# --- findings ---------------------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _money(value: float) -> str:
    return f"£{value / 1e6:,.1f}m" if abs(value) >= 1e6 else f"£{value:,.0f}"


def _findings(fund: str, tables: dict[str, pd.DataFrame], concentration: pd.DataFrame,
              sensitivity: pd.DataFrame, changes: dict[str, pd.DataFrame],
              counterfactual_by: dict[str, pd.DataFrame], rounds: tuple[str, ...], split: str,
              other: str, unplaced: pd.DataFrame) -> tuple[str, ...]:
    out = []
    if "region" in tables:
        t = tables["region"][tables["region"]["round"] == ALL_ROUNDS].sort_values("per_head")
        top, bottom = t.iloc[-1], t.iloc[0]
        out.append(f"Over rounds {', '.join(rounds)}, {top['group']} received the most per head "
                   f"(£{top['per_head']:,.2f}) and {bottom['group']} the least (£{bottom['per_head']:,.2f}).")
    if "imd_quintile" in tables:
        t = tables["imd_quintile"][tables["imd_quintile"]["round"] == ALL_ROUNDS].set_index("group")
        first, last = t.iloc[0], t.iloc[-1]
        out.append(f"The most deprived fifth of English districts received {first['share_of_funding']:.1%} "
                   f"of the funding in England for {first['share_of_population']:.1%} of its people "
                   f"and {first['share_of_need']:.1%} of its need; £{first['per_head']:,.2f} per head "
                   f"against £{last['per_head']:,.2f} in the least deprived fifth.")
    if "priority_category" in tables:
        t = tables["priority_category"]
        first_category = _records(t[(t["round"] == ALL_ROUNDS) & (t["group"] == 1)])
        if first_category:
            row = first_category[0]
            out.append(f"Priority category 1 places received {row['share_of_funding']:.1%} of the funding "
                       f"to categorised places, for {row['share_of_population']:.1%} of their people.")
    for record in _records(concentration[concentration["round"] == ALL_ROUNDS]):
        index, low, high = record["concentration_index"], record["lower"], record["upper"]
        lean = "towards the most needy" if index < 0 else "away from the most needy"
        sure = ("" if np.isnan(low) or low * high > 0
                else "; the interval includes 0, so the lean is not clear")
        out.append(f"Against {record['against']}, the concentration index is {index:.3f} "
                   f"(interval {low:.3f} to {high:.3f}): funding per head leans {lean}{sure}.")
    if not sensitivity.empty:
        worst = _records(sensitivity.iloc[[int(np.argmax(sensitivity["share_difference"].abs()))]])[0]
        out.append(f"Sharing multi-area bids {_SHARED[other]} instead of {_SHARED[split]} moves a group's "
                   f"share by at most {100 * abs(worst['share_difference']):.2f} points "
                   f"({_GROUP_NAMES[worst['grouping']]} {worst['group']}, round {worst['round']}).")
    if "region" in changes:
        c = changes["region"].sort_values("change_points")
        out.append(f"From round {rounds[0]} to {rounds[-1]}, {c.iloc[-1]['group']} gained the most share "
                   f"({c.iloc[-1]['change_points']:+.1f} points) and {c.iloc[0]['group']} lost the most "
                   f"({c.iloc[0]['change_points']:+.1f}).")
    if "region" in counterfactual_by:
        c = counterfactual_by["region"]
        c = c[c["round"] == ALL_ROUNDS].sort_values("gap_to_population")
        out.append(f"Shared by population, {c.iloc[0]['group']} would have received "
                   f"{_money(-c.iloc[0]['gap_to_population'])} more and {c.iloc[-1]['group']} "
                   f"{_money(c.iloc[-1]['gap_to_population'])} less.")
    if not unplaced.empty:
        out.append(f"{len(unplaced)} bids ({_money(float(unplaced['amount'].sum()))}) could not be placed "
                   "on the analysis areas and are listed as unplaced.")
    return tuple(out)
