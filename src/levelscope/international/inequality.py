"""Regional inequality within each country over time, ranked, with the UK's place each year.

For every country and year, across the country's regions of one unit set
(:data:`~levelscope.international.regions.UNIT_SETS`):

- ``williamson``: the population-weighted coefficient of variation of GDP per head (Williamson
  1965), :func:`levelscope.measures.coefficient_of_variation` with population weights;
- ``gini`` and ``theil``: the Gini coefficient and Theil T index, population-weighted (or, with
  ``weighted=False``, each region counting once, as the OECD's *Regional Outlook 2023* computes
  its Theil index; the unweighted coefficient of variation is then ``cv``);
- ``theil_between``, ``theil_within`` and ``between_share``: the exact split of the Theil index
  into inequality between the TL2 regions and within them
  (:func:`levelscope.measures.decompose`); a metropolitan unit or US economic area counts in the
  TL2 region of its principal city.

Intervals are percentile bootstrap intervals (:func:`levelscope.measures.bootstrap_panel`): the
regions of a country are resampled with replacement within their TL2 region (each keeps its
number of regions; see :func:`strata`), the same resample for every year, ``n_resamples``
times; each
country draws from its own stream of the seed, so a country's intervals do not depend on which
other countries are asked for. With few regions (Estonia and Latvia have five) the intervals are
wide and rough: the bootstrap can only redraw the regions there are. Ranks run from 1 (most
unequal); a rank interval is read from the ranks of the countries in each resample.

Countries cut their territory into very different numbers and sizes of regions, and a measure of
dispersion depends on the cut (the modifiable areal unit problem): see :data:`MAUP_NOTE`, the
number of regions behind every figure, and :func:`ranking_comparison` for whether a ranking
survives another cut.

References: Williamson, J. G. (1965) "Regional inequality and the process of national
development", *Economic Development and Cultural Change* 13; Openshaw, S. (1984) *The modifiable
areal unit problem*, Geo Books.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from levelscope.data.international.reference import countries as country_table
from levelscope.international.comparable import check_one_currency
from levelscope.international.regions import (
    GDP_PER_HEAD,
    POPULATION,
    UNIT_SETS,
    UnitSet,
    check_unit_set,
    country_names,
    regional_panel,
)
from levelscope.measures import bootstrap_panel
from levelscope.results import Result, check_alpha

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from levelscope.data.store import Workspace

UK = "GBR"

MAUP_NOTE = (
    "Countries cut their territory into very different numbers and sizes of regions (from a "
    "handful to over 250 TL3 regions), and how unequal the regions look depends on the cut (the "
    "modifiable areal unit problem): smaller units show more of the differences inside cities "
    "and counties. Each figure gives the number of regions behind it; compare the ranking on TL2 "
    "regions and on metropolitan units only to see whether a country's place survives the choice."
)

MEASURE_NAMES = {
    "williamson": "Williamson index (population-weighted coefficient of variation)",
    "cv": "Coefficient of variation",
    "gini": "Gini coefficient",
    "theil": "Theil T index",
    "theil_between": "Theil T between TL2 regions",
    "theil_within": "Theil T within TL2 regions",
    "between_share": "Share of the Theil index between TL2 regions",
}


@dataclass(frozen=True, repr=False)
class CountryInequality(Result):
    """Regional inequality of each country and year, with bootstrap intervals and ranks.

    ``table`` is tidy: ``geography_code`` (the country), ``country_name``, ``year``, ``measure``,
    ``estimate``, ``lower``, ``upper``, ``n_regions``, ``rank`` (1 = most unequal that year),
    ``rank_lower``, ``rank_upper`` and ``n_ranked``. ``excluded`` names countries left out and why.
    """

    indicator_id: str
    units: str
    weighted: bool
    measures: tuple[str, ...]
    alpha: float
    n_resamples: int
    table: pd.DataFrame = field(compare=False)
    excluded: dict[str, str] = field(default_factory=dict, compare=False)
    distributions: dict[tuple[str, int, str], np.ndarray] = field(default_factory=dict, compare=False,
                                                                    repr=False)

    maup_note = MAUP_NOTE

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def ranking(self, measure: str = "theil", year: int | None = None) -> pd.DataFrame:
        """The countries ranked by ``measure`` in ``year`` (default: the latest), most unequal first."""
        rows = self._measure(measure)
        year = int(rows["year"].max()) if year is None else year
        chosen = rows[rows["year"] == year]
        if chosen.empty:
            raise ValueError(f"no {measure} for {year}; years held: {sorted(rows['year'].unique())}")
        return chosen.sort_values("rank").reset_index(drop=True)

    def place_of(self, country: str = UK, measure: str = "theil") -> pd.DataFrame:
        """A country's rank each year (with its interval and the number ranked)."""
        rows = self._measure(measure)
        mine = rows[rows["geography_code"] == country]
        if mine.empty:
            raise ValueError(f"{country} is not in the ranking{self._why(country)}")
        return mine[["year", "estimate", "lower", "upper", "rank", "rank_lower", "rank_upper",
                     "n_ranked", "n_regions"]].reset_index(drop=True)

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """Percentile intervals at ``alpha`` (default: the run's), one row per country, year and
        measure, with columns ``lower`` and ``upper``."""
        if alpha is None or alpha == self.alpha:
            return self.table[["geography_code", "year", "measure", "lower", "upper"]].copy()
        check_alpha(alpha)
        if not self.distributions:
            raise ValueError("no resamples were drawn (n_resamples=0)")
        rows = []
        for (country, year, measure), values in self.distributions.items():
            low, high = np.nanquantile(values, [alpha / 2, 1 - alpha / 2])
            rows.append((country, year, measure, low, high))
        return pd.DataFrame(rows, columns=["geography_code", "year", "measure", "lower", "upper"])

    def summary(self) -> str:
        headline = "theil" if "theil" in self.measures else self.measures[0]
        latest = self.ranking(headline)
        year = int(latest["year"].iloc[0])
        lines = [f"Regional inequality of {self.indicator_id} within {len(latest)} countries, "
                 f"{UNIT_SETS[self.units]}, {'population-weighted' if self.weighted else 'unweighted'}",
                 f"{MEASURE_NAMES[headline]}, {year}, most unequal first:"]
        for row in latest.to_dict("records"):
            mark = " <" if row["geography_code"] == UK else ""
            lines.append(f"  {row['rank']:>2}. {row['country_name']:<20} {row['estimate']:.4f} "
                         f"[{row['lower']:.4f}, {row['upper']:.4f}] ({row['n_regions']} regions){mark}")
        if self.excluded:
            lines.append("left out: " + "; ".join(f"{c} ({why})" for c, why in self.excluded.items()))
        lines.append(self.maup_note)
        return "\n".join(lines)

    def plot(self, measure: str = "theil", year: int | None = None, highlight: str = UK) -> go.Figure:
        """The ranking of one year as bars with intervals, ``highlight`` (the UK) in its own colour."""
        from levelscope.international.plot import ranking_figure

        return ranking_figure(self, measure, year, highlight)

    def _measure(self, measure: str) -> pd.DataFrame:
        if measure not in self.measures:
            raise ValueError(f"no measure {measure!r}; this result has {', '.join(self.measures)}")
        return self.table[self.table["measure"] == measure]

    def _why(self, country: str) -> str:
        return f" ({self.excluded[country]})" if country in self.excluded else ""


def inequality_by_country(
    ws: Workspace,
    indicator: str = GDP_PER_HEAD,
    *,
    units: UnitSet = "tl3",
    weight: str = POPULATION,
    weighted: bool = True,
    countries: Sequence[str] | None = None,
    start: int | None = None,
    end: int | None = None,
    n_resamples: int = 999,
    alpha: float = 0.05,
    seed: int | None = 0,
) -> CountryInequality:
    """Regional inequality within each country, year by year, ranked, with bootstrap intervals.

    Parameters
    ----------
    ws:
        The workspace.
    indicator:
        GDP per head by default; any indicator of the unit set's regions.
    units:
        ``"tl3"``, ``"tl2"`` or ``"metro"`` (:data:`~levelscope.international.regions.UNIT_SETS`).
    weight:
        The population indicator: it weights the regions and combines resampled regions.
    weighted:
        Population-weighted Gini and Theil (default); ``False`` counts each region once.
    countries:
        ISO alpha-3 codes; default every OECD member with at least two regions.
    start, end:
        Years to cover (default: all).
    n_resamples:
        Bootstrap resamples per country; ``0`` for estimates and ranks without intervals.
    alpha:
        Intervals have coverage ``1 - alpha``.
    seed:
        Fixed by default; each country draws from ``(seed, country)``, kept in provenance.

    Returns
    -------
    CountryInequality

    Examples
    --------
    >>> result = inequality_by_country(ws, n_resamples=99)
    >>> uk = result.place_of("GBR")
    >>> int(uk["n_regions"].iloc[-1]), int(uk["n_ranked"].iloc[-1])
    (105, 29)
    """
    units = check_unit_set(units)
    check_alpha(alpha)
    if n_resamples < 0 or n_resamples == 1:
        raise ValueError(f"n_resamples must be 0 (no intervals) or at least 2, got {n_resamples}")
    definition = ws.indicator(indicator)
    panel = regional_panel(ws, indicator, units, weight, list(countries) if countries else None,
                           start, end)
    members = {c.iso3 for c in country_table().values() if c.oecd_member}
    chosen = sorted(countries) if countries else sorted(set(panel["country"]) & members)
    check_one_currency(ws, definition, chosen)
    names = country_names(ws)
    first = "williamson" if weighted else "cv"
    decompose = units != "tl2"
    measures = (first, "gini", "theil") + (("theil_between", "theil_within", "between_share")
                                            if decompose else ())
    rows: list[pd.DataFrame] = []
    distributions: dict[tuple[str, int, str], np.ndarray] = {}
    excluded: dict[str, str] = {}
    # years × regions of every country at once; each country takes its own regions' columns
    value_all = panel.pivot(index="year", columns="geography_code", values="value")
    population_all = panel.pivot(index="year", columns="geography_code", values="weight")
    present_all = value_all.notna().to_numpy() & population_all.notna().to_numpy()
    column = pd.Series(np.arange(value_all.shape[1]), index=value_all.columns)
    about = panel.drop_duplicates("geography_code").set_index("geography_code")
    for country in chosen:
        regions = about.index[about["country"] == country]
        at = column[regions].to_numpy()
        present = present_all[:, at]
        rng = _country_rng(seed, country)
        before = len(rows)
        for years in same_regions(present):
            have = present[years[0]]
            if have.sum() < 2:
                continue
            cells = np.ix_(years, at[have])
            groups = about["tl2"].reindex(regions[have]).fillna(country).to_numpy(dtype=object)
            value = pd.DataFrame(value_all.to_numpy()[cells], index=value_all.index[years],
                                 columns=regions[have])
            weights = population_all.to_numpy()[cells] if weighted else None
            frame, draws = _country(country, value, weights, groups, decompose, first, n_resamples,
                                    alpha, rng)
            rows.append(frame)
            distributions.update(draws)
        if len(rows) == before:
            excluded[country] = f"{int(present.sum(axis=1).max())} region(s) with figures"
    if not rows:
        raise ValueError("no country has two regions with figures: nothing to rank")
    table = pd.concat(rows, ignore_index=True).sort_values(["geography_code", "year"], kind="stable")
    table.insert(1, "country_name", table["geography_code"].map(names))
    table = _ranked(table, distributions, n_resamples, alpha)
    return CountryInequality(
        indicator_id=indicator, units=units, weighted=weighted, measures=measures, alpha=alpha,
        n_resamples=n_resamples, table=table, excluded=excluded, distributions=distributions,
        provenance=ws.provenance([indicator, weight]).with_seed(seed),
    )


def same_regions(present: np.ndarray) -> list[np.ndarray]:
    """The years (row positions of a years × regions table of which regions have figures) that
    have the same regions, in the order each set of regions first appears.

    Each year takes the regions with figures that year: years with the same regions are
    resampled together (the same resample for each), the others on their own.
    """
    years: dict[bytes, list[int]] = {}
    for t, row in enumerate(np.ascontiguousarray(present, dtype=bool)):
        years.setdefault(row.tobytes(), []).append(t)
    return [np.array(rows, dtype=np.intp) for rows in years.values()]


def strata(groups: np.ndarray) -> np.ndarray | None:
    """The resampling strata: each TL2 region keeps its number of regions, as long as at least
    half the regions lie in a TL2 region holding two or more (otherwise, as in New Zealand where
    TL2 and TL3 regions coincide, strata would leave nothing to resample, and there are none)."""
    _, counts = np.unique(groups, return_counts=True)
    shared = counts[counts > 1].sum()
    return groups if 2 * shared >= groups.size else None


def _country(
    country: str, value: pd.DataFrame, weights: np.ndarray | None, groups: np.ndarray,
    decompose: bool, first: str, n_resamples: int, alpha: float, rng: np.random.Generator | None,
) -> tuple[pd.DataFrame, dict[tuple[str, int, str], np.ndarray]]:
    names = {"cv": first, "gini": "gini", "theil": "theil"}
    draws = max(n_resamples, 2)
    result = bootstrap_panel(
        value.to_numpy(), weights, ["cv", "gini", "theil"],
        strata(groups), decompose_by=groups if decompose else None, n_resamples=draws, alpha=alpha,
        seed=rng,
    )
    labels = [names.get(m, m) for m in result.measures]
    estimate, distribution = result.estimate, result.distribution
    low, high = result.lower, result.upper
    if decompose:
        between = labels.index("theil_between")
        total = labels.index("theil")
        labels.append("between_share")
        estimate = np.concatenate([estimate, (estimate[:, between] / estimate[:, total])[:, None]], axis=1)
        # a resample of one region drawn n times has no inequality, and no share of it
        with np.errstate(invalid="ignore", divide="ignore"):
            share = distribution[:, between] / distribution[:, total]
        distribution = np.concatenate([distribution, share[:, None, :]], axis=1)
        share_low, share_high = _quantiles(share, alpha)
        low = np.concatenate([low, share_low[:, None]], axis=1)
        high = np.concatenate([high, share_high[:, None]], axis=1)
    years = value.index.to_numpy(dtype=int)
    frame = pd.DataFrame({
        "geography_code": country,
        "year": np.repeat(years, len(labels)),
        "measure": np.tile(labels, len(years)),
        "estimate": estimate.ravel(),
        "lower": low.ravel() if n_resamples else np.nan,
        "upper": high.ravel() if n_resamples else np.nan,
        "n_regions": value.shape[1],
    })
    kept: dict[tuple[str, int, str], np.ndarray] = {}
    if n_resamples:
        for t, year in enumerate(years):
            for j, label in enumerate(labels):
                kept[(country, int(year), label)] = distribution[t, j]
    return frame, kept


def _quantiles(distribution: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bounds along the last axis, ignoring undefined resamples (rare: NaN shares)."""
    low, high = np.quantile(distribution, [alpha / 2, 1 - alpha / 2], axis=-1)
    # redo the slices a NaN spoiled, from their defined resamples (none defined: no interval)
    redo = (~np.isfinite(low) | ~np.isfinite(high)) & np.isfinite(distribution).any(axis=-1)
    if redo.any():
        low[redo], high[redo] = np.nanquantile(distribution[redo], [alpha / 2, 1 - alpha / 2], axis=-1)
    return low, high


def _country_rng(seed: int | None, country: str) -> np.random.Generator | None:
    """A stream of its own for each country, fixed by the seed and the country's code."""
    return None if seed is None else np.random.default_rng([seed, zlib.crc32(country.encode())])


def _ranked(
    table: pd.DataFrame, distributions: dict[tuple[str, int, str], np.ndarray], n_resamples: int,
    alpha: float,
) -> pd.DataFrame:
    table = table.copy()
    group = table.groupby(["year", "measure"])["estimate"]
    table["rank"] = group.rank(ascending=False, method="min").astype(int)
    table["n_ranked"] = group.transform("size").astype(int)
    table["rank_lower"] = np.nan
    table["rank_upper"] = np.nan
    if n_resamples:
        for measure, rows in table.groupby("measure"):
            # countries × years × resamples; rank 1 is the largest value in each resample
            countries = list(dict.fromkeys(rows["geography_code"]))
            years = sorted(rows["year"].unique())
            cube = np.full((len(countries), len(years), n_resamples), np.nan)
            for i, country in enumerate(countries):
                for j, year in enumerate(years):
                    found = distributions.get((country, int(year), str(measure)))
                    if found is not None:
                        cube[i, j] = found
            ranks = np.where(np.isnan(cube), np.nan, (-np.nan_to_num(cube, nan=-np.inf)).argsort(axis=0)
                             .argsort(axis=0) + 1.0)
            low, high = _quantiles(ranks, alpha)
            position = {(c, int(y)): (i, j) for i, c in enumerate(countries) for j, y in enumerate(years)}
            at = [position[(c, int(y))] for c, y in zip(rows["geography_code"], rows["year"], strict=True)]
            table.loc[rows.index, "rank_lower"] = [np.floor(low[i, j]) for i, j in at]
            table.loc[rows.index, "rank_upper"] = [np.ceil(high[i, j]) for i, j in at]
    return table.sort_values(["measure", "year", "rank"]).reset_index(drop=True)


@dataclass(frozen=True, repr=False)
class RankingComparison(Result):
    """One year's ranking of countries on several unit sets side by side.

    ``table`` has one row per country: ``geography_code``, ``country_name`` and, for each unit
    set, ``rank_<units>`` and ``n_regions_<units>``. ``agreement`` gives Spearman's rank
    correlation of each pair of unit sets over the countries ranked on both.
    """

    measure: str
    year: int
    unit_sets: tuple[str, ...]
    table: pd.DataFrame = field(compare=False)
    agreement: pd.DataFrame = field(compare=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        lines = [f"{MEASURE_NAMES[self.measure]} in {self.year}: ranks on " +
                 ", ".join(UNIT_SETS[u] for u in self.unit_sets)]
        uk = self.table[self.table["geography_code"] == UK]
        if not uk.empty:
            places = ", ".join(f"{u}: {_rank_text(uk.iloc[0], u)}" for u in self.unit_sets)
            lines.append(f"the United Kingdom: {places}")
        for row in self.agreement.itertuples():
            lines.append(f"Spearman correlation {row.first} vs {row.second}: {row.spearman:.2f} "
                         f"over {row.countries} countries")
        return "\n".join([*lines, MAUP_NOTE])


def _rank_text(row: pd.Series, units: str) -> str:
    rank = row[f"rank_{units}"]
    return "not ranked" if pd.isna(rank) else f"{int(rank)} ({int(row[f'n_regions_{units}'])} regions)"


def ranking_comparison(
    ws: Workspace,
    measure: str = "theil",
    year: int | None = None,
    *,
    unit_sets: Sequence[UnitSet] = ("tl3", "tl2", "metro"),
    indicator: str = GDP_PER_HEAD,
    weight: str = POPULATION,
    weighted: bool = True,
) -> RankingComparison:
    """Does a country's place in the ranking survive another cut of its territory?

    Ranks the countries by ``measure`` in ``year`` (default: the latest year every unit set has)
    on each unit set, and measures the agreement of each pair of rankings by Spearman's rank
    correlation.

    Examples
    --------
    >>> table = ranking_comparison(ws, "theil", 2019).table.set_index("geography_code")
    >>> int(table.loc["GBR", "n_regions_tl3"]), int(table.loc["GBR", "n_regions_tl2"])
    (105, 12)
    """
    from scipy.stats import spearmanr

    results = {u: inequality_by_country(ws, indicator, units=u, weight=weight, weighted=weighted,
                                        n_resamples=0) for u in unit_sets}
    for units, result in results.items():
        if measure not in result.measures:
            raise ValueError(f"{measure} is not computed on {UNIT_SETS[units]}")
    if year is None:
        year = min(int(r.table["year"].max()) for r in results.values())
    table: pd.DataFrame | None = None
    for units, result in results.items():
        ranked = result.ranking(measure, year)[["geography_code", "country_name", "rank", "n_regions"]]
        ranked = ranked.rename(columns={"rank": f"rank_{units}", "n_regions": f"n_regions_{units}"})
        table = ranked if table is None else table.merge(ranked, on=["geography_code", "country_name"],
                                                         how="outer")
    assert table is not None
    first_rank = f"rank_{unit_sets[0]}"
    table = table.sort_values(first_rank, na_position="last").reset_index(drop=True)
    pairs = []
    for i, first in enumerate(unit_sets):
        for second in unit_sets[i + 1:]:
            both = table.dropna(subset=[f"rank_{first}", f"rank_{second}"])
            rho = (spearmanr(both[f"rank_{first}"], both[f"rank_{second}"]).statistic
                   if len(both) > 2 else np.nan)
            pairs.append({"first": first, "second": second, "spearman": float(rho), "countries": len(both)})
    return RankingComparison(measure=measure, year=year, unit_sets=tuple(unit_sets), table=table,
                             agreement=pd.DataFrame(pairs), provenance=ws.provenance([indicator, weight]))
