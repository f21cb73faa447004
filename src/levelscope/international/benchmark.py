"""A country's own figure, as the benchmark its regions are measured against.

The national benchmark of a year is the figure the publisher gives for the whole country, or,
where it gives none (before 2005 in the OECD files, Japan in 2020), the figure built from the
country's regions: the population-weighted mean for a figure per head, the sum for a total. The
benchmark says which it is. Where both exist they are set side by side, so the regions can be
checked against the published country figures (the OECD's regional figures are within about 1%
of its country figures; gaps larger than that come from output no region is credited with, such
as Norway's and Denmark's offshore oil and gas, and from revisions between releases).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from levelscope.data.model import Aggregation
from levelscope.international.regions import (
    GDP_PER_HEAD,
    POPULATION,
    UNIT_SETS,
    UnitSet,
    country_names,
    regional_panel,
    require_country,
)
from levelscope.results import Result

if TYPE_CHECKING:
    from levelscope.data.store import Workspace

PUBLISHED = "published country figure"
#: The agreement the OECD data's preparers state between regional and country figures.
TOLERANCE = 0.01


@dataclass(frozen=True, repr=False)
class NationalBenchmark(Result):
    """A country's benchmark for one indicator, year by year.

    ``table`` has one row per year: ``published`` (the country figure, if any),
    ``from_regions`` (built from its regions), ``benchmark`` (the published figure where there is
    one), ``benchmark_source`` (which it is), ``difference`` (``from_regions / published - 1``)
    and ``n_regions``.
    """

    country: str
    country_name: str
    indicator_id: str
    units: str
    tolerance: float
    table: pd.DataFrame = field(compare=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.assign(geography_code=self.country)[
            ["geography_code", *self.table.columns]]

    def outside_tolerance(self) -> pd.DataFrame:
        """The years where the regions and the published figure differ by more than ``tolerance``."""
        gap = self.table["difference"].abs() > self.tolerance
        return self.table[gap.fillna(False)]

    def summary(self) -> str:
        both = self.table.dropna(subset=["difference"])
        lines = [f"National benchmark of {self.indicator_id} for {self.country_name} ({self.country})"]
        if not both.empty:
            worst = both.iloc[int(np.argmax(both["difference"].abs().to_numpy()))]
            lines.append(
                f"regions against the published figure: {len(both)} years, largest difference "
                f"{100 * worst['difference']:+.2f}% in {int(worst['year'])}; "
                f"{len(self.outside_tolerance())} years outside ±{100 * self.tolerance:g}%")
        built = self.table[self.table["benchmark_source"] != PUBLISHED]
        if not built.empty:
            lines.append(f"built from the regions in {len(built)} years without a published figure "
                         f"({', '.join(str(y) for y in built['year'])})")
        return "\n".join(lines)


def national_benchmark(
    ws: Workspace,
    country: str,
    indicator: str = GDP_PER_HEAD,
    *,
    units: UnitSet = "tl3",
    weight: str = POPULATION,
    tolerance: float = TOLERANCE,
) -> NationalBenchmark:
    """The benchmark of ``indicator`` for ``country`` in every year either source has.

    Parameters
    ----------
    ws:
        The workspace.
    country:
        ISO 3166 alpha-3 code (``"GBR"``).
    indicator:
        An indicator held for the country and its regions.
    units:
        The regions the figure is built from (see :data:`~levelscope.international.regions.UNIT_SETS`).
    weight:
        The indicator weighting regions in a mean (population); unused for totals.
    tolerance:
        The relative difference between regions and country figure reported as agreement.

    Returns
    -------
    NationalBenchmark

    Raises
    ------
    ValueError
        If the indicator has no rule for combining regions (a median, say) and no published
        country figure either.

    Examples
    --------
    >>> national_benchmark(ws, "GBR").table.iloc[0]["benchmark_source"]
    'population-weighted mean of 105 TL3 regions'
    """
    require_country(ws, country)
    definition = ws.indicator(indicator)
    published = ws.observations(indicator, geographies=[country])[["year", "value"]]
    published = published.rename(columns={"value": "published"})
    rows = _from_regions(ws, country, indicator, definition.aggregation, units, weight)
    table = published.merge(rows, on="year", how="outer").sort_values("year").reset_index(drop=True)
    if table.empty:
        raise ValueError(f"no figures of {indicator} for {country} or its regions")
    if table["published"].isna().any() and table["from_regions"].isna().all():
        raise ValueError(f"{indicator} has no published figure for {country} in some years and "
                         f"its regions cannot be combined ({definition.aggregation})")
    table["benchmark"] = table["published"].fillna(table["from_regions"])
    how = "population-weighted mean" if _weighted(definition.aggregation) else "sum"
    table["benchmark_source"] = np.where(
        table["published"].notna(), PUBLISHED,
        [f"{how} of {int(n)} {UNIT_SETS[units].split(' (')[0]}" if n == n else "none"
         for n in table["n_regions"]],
    )
    table["difference"] = table["from_regions"] / table["published"] - 1
    table["year"] = table["year"].astype(int)
    return NationalBenchmark(
        country=country, country_name=country_names(ws)[country], indicator_id=indicator,
        units=units, tolerance=tolerance,
        table=table[["year", "published", "from_regions", "benchmark", "benchmark_source",
                     "difference", "n_regions"]],
        provenance=ws.provenance([indicator, weight] if _weighted(definition.aggregation) else indicator),
    )


def _weighted(aggregation: Aggregation) -> bool:
    """Whether regions combine as a weighted mean (a figure per head, a ratio)."""
    return aggregation in (Aggregation.POPULATION_WEIGHTED_MEAN, Aggregation.RATIO_OF_SUMS)


def _from_regions(
    ws: Workspace, country: str, indicator: str, aggregation: Aggregation, units: UnitSet, weight: str,
) -> pd.DataFrame:
    empty = pd.DataFrame({"year": pd.Series(dtype=int), "from_regions": pd.Series(dtype=float),
                          "n_regions": pd.Series(dtype=float)})
    if aggregation == Aggregation.SUM:
        frame = regional_panel(ws, indicator, units, None, [country])
        grouped = frame.groupby("year")["value"]
        return pd.DataFrame({"from_regions": grouped.sum(), "n_regions": grouped.size()}).reset_index()
    if _weighted(aggregation):
        frame = regional_panel(ws, indicator, units, weight, [country])
        if frame.empty:
            return empty
        frame = frame.assign(product=frame["value"] * frame["weight"])
        by_year = frame.groupby("year")
        out = pd.DataFrame({"from_regions": by_year["product"].sum() / by_year["weight"].sum(),
                            "n_regions": by_year.size()})
        return out.reset_index()
    return empty
