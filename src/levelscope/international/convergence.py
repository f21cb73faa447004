"""Are regions converging within each country? Beta and sigma convergence, country by country.

For each country, across its regions of one unit set: absolute beta convergence of GDP per head
between two years (:func:`levelscope.convergence.beta_convergence`, regions weighted by their
population in the first year when ``weighted``), and sigma convergence — the trend of a
dispersion measure over the years (:func:`levelscope.convergence.sigma_convergence`, by default
the Williamson index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from levelscope.convergence import beta_convergence, sigma_convergence
from levelscope.data.international.reference import countries as country_table
from levelscope.errors import UndefinedMeasureError
from levelscope.international.regions import (
    GDP_PER_HEAD,
    POPULATION,
    UNIT_SETS,
    UnitSet,
    check_unit_set,
    country_names,
    regional_panel,
)
from levelscope.results import Result, check_alpha

if TYPE_CHECKING:
    from levelscope.data.store import Workspace


@dataclass(frozen=True, repr=False)
class CountryConvergence(Result):
    """Beta and sigma convergence of each country's regions.

    ``table`` has one row per country: ``geography_code``, ``country_name``, ``n_regions``,
    ``start``, ``end``, ``beta``, ``beta_std_error``, ``beta_p_value``, ``speed``, ``half_life``,
    ``sigma_start``, ``sigma_end``, ``sigma_slope``, ``sigma_p_value``, ``beta_converging`` and
    ``sigma_converging`` (a negative slope with ``p <= alpha``).
    """

    indicator_id: str
    units: str
    sigma_measure: str
    weighted: bool
    alpha: float
    table: pd.DataFrame = field(compare=False)
    excluded: dict[str, str] = field(default_factory=dict, compare=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        both = self.table
        lines = [f"Convergence of {self.indicator_id} within {len(both)} countries "
                 f"({UNIT_SETS[self.units]}, {int(both['start'].min())}–{int(both['end'].max())})",
                 f"beta convergence (p <= {self.alpha:g}): {int(both['beta_converging'].sum())} countries; "
                 f"sigma convergence of the {self.sigma_measure}: {int(both['sigma_converging'].sum())}"]
        for row in both.itertuples():
            lines.append(f"  {row.country_name:<20} beta {row.beta:+.4f} (p {row.beta_p_value:.3f}); "
                         f"{self.sigma_measure} {row.sigma_start:.3f} → {row.sigma_end:.3f} "
                         f"(trend {row.sigma_slope:+.4f} a year, p {row.sigma_p_value:.3f})")
        return "\n".join(lines)


def convergence_by_country(
    ws: Workspace,
    indicator: str = GDP_PER_HEAD,
    *,
    units: UnitSet = "tl3",
    weight: str = POPULATION,
    weighted: bool = True,
    sigma_measure: str = "cv",
    countries: Sequence[str] | None = None,
    start: int | None = None,
    end: int | None = None,
    alpha: float = 0.05,
) -> CountryConvergence:
    """Beta and sigma convergence of regions within each country.

    Parameters
    ----------
    sigma_measure:
        A measure of :mod:`levelscope.measures` (``"cv"``: with population weights, the
        Williamson index) or ``"std_log"``.
    countries:
        ISO alpha-3 codes; default every OECD member with at least three regions.
    start, end:
        The years compared (default: the first and last year of each country's panel).

    Returns
    -------
    CountryConvergence
    """
    units = check_unit_set(units)
    check_alpha(alpha)
    panel = regional_panel(ws, indicator, units, weight, list(countries) if countries else None,
                           start, end)
    members = {c.iso3 for c in country_table().values() if c.oecd_member}
    chosen = sorted(countries) if countries else sorted(set(panel["country"]) & members)
    names = country_names(ws)
    rows, excluded = [], {}
    for country in chosen:
        part = panel[panel["country"] == country]
        values = part.pivot(index="geography_code", columns="year", values="value")
        population = part.pivot(index="geography_code", columns="year", values="weight")
        keep = values.notna().all(axis=0) & population.notna().all(axis=0)
        values, population = values.loc[:, keep], population.loc[:, keep]
        try:
            beta = beta_convergence(values, weights=population.iloc[:, 0] if weighted else None)
            sigma = sigma_convergence(values, sigma_measure, weights=population if weighted else None)
        except (UndefinedMeasureError, ValueError) as exc:
            excluded[country] = str(exc)
            continue
        rows.append({
            "geography_code": country, "country_name": names.get(country, country),
            "n_regions": beta.n, "start": int(values.columns[0]), "end": int(values.columns[-1]),
            "beta": beta.beta, "beta_std_error": beta.std_error, "beta_p_value": beta.p_value,
            "speed": beta.speed, "half_life": beta.half_life,
            "sigma_start": sigma.dispersion[0], "sigma_end": sigma.dispersion[-1],
            "sigma_slope": sigma.slope, "sigma_p_value": sigma.p_value,
            "beta_converging": beta.beta < 0 and beta.p_value <= alpha,
            "sigma_converging": sigma.slope < 0 and sigma.p_value <= alpha,
        })
    if not rows:
        raise ValueError("no country has enough regions and years for convergence")
    return CountryConvergence(
        indicator_id=indicator, units=units, sigma_measure=sigma_measure, weighted=weighted,
        alpha=alpha, table=pd.DataFrame(rows), excluded=excluded,
        provenance=ws.provenance([indicator, weight]),
    )
