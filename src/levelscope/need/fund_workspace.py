"""The funding-versus-need analysis over a workspace: register, population and need from the store.

:func:`workspace_fund_analysis` reads a fund's allocations from the workspace's funding register,
population (indicator ``population``) and the analysis areas (local authority districts with a
population in every year the rounds use) with their regions, the deprivation summaries
(``imd_average_score``) and the priority categories (``luf_priority_category``) where the
workspace holds them, and runs :func:`~levelscope.need.fund_analysis.analyse_fund`. The command
line, the REST API and the funding page all call it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from levelscope.data.funding.register import read_register
from levelscope.errors import NotFoundError, UndefinedMeasureError
from levelscope.need.bid_sharing import ShareRule
from levelscope.need.fund_analysis import FundAnalysis, analyse_fund, population_year_before
from levelscope.results import Provenance, Source

if TYPE_CHECKING:
    from levelscope.data.store import Workspace

LEVELLING_UP_FUND = "Levelling Up Fund"
_COUNTRY = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


def workspace_fund_analysis(
    ws: Workspace,
    fund: str = LEVELLING_UP_FUND,
    *,
    split: ShareRule = "equal",
    population_year: int | None = None,
    need_index: pd.Series | None = None,
    as_of: dt.date | None = None,
    n_resamples: int = 2000,
    alpha: float = 0.05,
    seed: int | None = 0,
) -> FundAnalysis:
    """Did ``fund`` go where need is? The analysis of :func:`analyse_fund` on the workspace's record.

    Parameters
    ----------
    ws
        The workspace.
    fund
        The fund in the register (default: the Levelling Up Fund).
    split, population_year, n_resamples, alpha, seed
        As :func:`~levelscope.need.fund_analysis.analyse_fund`.
    need_index
        Optional need scores by ``geography_code`` (higher = more need), e.g. a saved index's
        scores, for the need-index quintiles.
    as_of
        The register as it stood on this date (its earlier vintages).

    Returns
    -------
    FundAnalysis

    Raises
    ------
    NotFoundError
        When the register holds nothing for the fund, or the workspace has no population.

    Examples
    --------
    >>> from levelscope.data.store import Workspace
    >>> workspace_fund_analysis(Workspace.open(":memory:"))
    Traceback (most recent call last):
    ...
    levelscope.errors.NotFoundError: the funding register holds no allocations of 'Levelling Up Fund'...
    """
    allocations = read_register(ws, fund=fund, as_of=as_of)
    if allocations.empty:
        raise NotFoundError(f"the funding register holds no allocations of {fund!r}; load them with "
                            "`levelscope funding import`")
    # the analysis areas are today's districts: figures published on older codes (a district
    # merged in 2023, say) are put on today's boundaries
    boundaries = ws.geography_vintage or dt.date.today().year
    rows = ws.observations(indicator="population", level="lad", geography_vintage=boundaries)
    if rows.empty:
        raise NotFoundError("the workspace has no population of local authority districts")
    population = _years_every_country_has(pd.DataFrame({
        "geography_code": rows["geography_code"],
        "year": pd.to_datetime(rows["period_end"]).dt.year,
        "value": rows["value"],
    }))
    days = pd.to_datetime(allocations["announced"]).dt.date.unique()
    years = {population_year} if population_year else {population_year_before(d, population) for d in days}
    counts = population[population["year"].isin(years)].groupby("geography_code")["year"].nunique()
    # the analysis areas are today's districts with a population in every year used; a bid
    # naming any other code is reported as unplaced
    places = ws.geographies(level="lad")
    current = set(places.loc[places["valid_to"].isna(), "code"])
    codes = pd.Index([c for c in counts.index[counts == len(years)] if c in current])
    if not len(codes):
        raise UndefinedMeasureError(f"no district has a population for every year used ({sorted(years)})")
    areas = _areas(ws, list(codes))
    need = _need(ws, boundaries)
    if need_index is not None:
        need = need.join(need_index.rename("need_index"), how="outer")
    sources = [Source("levelscope funding register", f"{fund} allocations")]
    sources += [Source(str(s), "population") for s in rows["source"].drop_duplicates()]
    return analyse_fund(
        allocations, areas, population[population["geography_code"].isin(codes)],
        need.reset_index() if not need.empty else None, split=split, population_year=population_year,
        n_resamples=n_resamples, alpha=alpha, seed=seed, provenance=Provenance.of(sources),
    )


def _areas(ws: Workspace, codes: list[str]) -> pd.DataFrame:
    places = ws.geographies(level="lad").set_index("code")
    regions = ws.geographies(level="region").set_index("code")["name"]
    out = pd.DataFrame({"geography_code": codes})
    out["geography_name"] = out["geography_code"].map(places["name"])
    parents = out["geography_code"].map(places["parents"])
    out["region"] = [
        next((regions[p] for p in ([] if found is None or found is pd.NA else list(found))
              if p in regions.index), None)
        for found in parents
    ]
    out["country"] = out["geography_code"].str[0].map(_COUNTRY)
    return out


def _years_every_country_has(population: pd.DataFrame) -> pd.DataFrame:
    """The rows of the years in which every country's districts have an estimate.

    Scotland's and Northern Ireland's mid-year estimates can come a year after England's and
    Wales's; shares per head across the UK are taken on one year, not on a year per country.
    """
    country = population["geography_code"].str[0]
    countries_per_year = country.groupby(population["year"]).nunique()
    complete = countries_per_year.index[countries_per_year == country.nunique()]
    return population[population["year"].isin(complete)]


def _need(ws: Workspace, boundaries: int) -> pd.DataFrame:
    frames = []
    for indicator, column in (("imd_average_score", "imd_average_score"),
                              ("luf_priority_category", "priority_category")):
        rows = ws.observations(indicator=indicator, geography_vintage=boundaries)
        if not rows.empty:
            latest = rows.sort_values("period_end").drop_duplicates("geography_code", keep="last")
            frames.append(latest.set_index("geography_code")["value"].rename(column))
    if not frames:
        return pd.DataFrame(index=pd.Index([], name="geography_code"))
    need = pd.concat(frames, axis=1)
    need.index.name = "geography_code"
    return need
