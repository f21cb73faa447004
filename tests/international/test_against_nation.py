"""A place against its nation: benchmarks, indexing, closing rates and years to parity, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from levelscope import Workspace
from levelscope.international import national_benchmark, place_against_nation
from levelscope.international.against_nation import fieller, gap_trend
from levelscope.international.benchmark import PUBLISHED


def _regional_mean(tl3: pd.DataFrame, country: str) -> pd.Series:
    rows = tl3[tl3["country"] == country]
    return (rows["GDP_PC"] * rows["POP"]).groupby(rows["TIME"]).sum() / rows.groupby("TIME")["POP"].sum()


def test_benchmarks_from_regions_agree_with_published_country_figures(
    demo_workspace: Workspace, tl3: pd.DataFrame, countries_published: pd.Series,
) -> None:
    """The data's README: the population-weighted mean of a country's units is within about 1% of
    the OECD's country figure. Both are shown; the exceptions are the ones its causes predict."""
    rows = []
    for country in sorted(set(tl3["country"])):
        result = national_benchmark(demo_workspace, country)
        table = result.table.dropna(subset=["difference"])
        by_hand = _regional_mean(tl3, country)
        for year, published, regions in zip(table["year"], table["published"], table["from_regions"],
                                             strict=True):
            assert published == countries_published[(country, year)]
            assert regions == pytest.approx(by_hand[year], rel=1e-12)
            rows.append((country, year, regions / published - 1))
    agreement = pd.DataFrame(rows, columns=["country", "year", "difference"])
    within = agreement["difference"].abs() <= 0.01
    assert len(agreement) == 479 and within.sum() == 418           # 87% of country-years
    assert agreement["difference"].abs().median() < 0.001
    # Norway and Denmark credit no region with offshore oil and gas: their regions fall short
    # every year; Japan's regional figures lag a revision of the national accounts from 2011.
    outside = agreement[~within]
    assert (outside.loc[outside["country"] == "NOR", "difference"] < -0.1).all()
    assert set(outside.loc[outside["country"] == "JPN", "year"]) == set(range(2011, 2020))
    for country in ("FRA", "ESP", "ITA", "NLD", "KOR", "AUT"):
        assert within[agreement["country"] == country].all(), country


def test_the_benchmark_says_where_it_comes_from(demo_workspace: Workspace, tl3: pd.DataFrame) -> None:
    table = national_benchmark(demo_workspace, "JPN").table.set_index("year")
    # published from 2005 to 2019; built from the 40 TL3 regions before 2005 and in 2020
    assert table.loc[2010, "benchmark_source"] == PUBLISHED
    assert table.loc[2003, "benchmark_source"] == "population-weighted mean of 40 TL3 regions"
    assert table.loc[2020, "benchmark_source"] == "population-weighted mean of 40 TL3 regions"
    assert table.loc[2020, "benchmark"] == pytest.approx(_regional_mean(tl3, "JPN")[2020], rel=1e-12)


def test_leipzig_indexed_to_germany_by_hand(
    demo_workspace: Workspace, tl3: pd.DataFrame, countries_published: pd.Series,
) -> None:
    result = place_against_nation(demo_workspace, "leipzig")
    leipzig = tl3[tl3["REG_ID"] == "DE008M"].set_index("TIME")["GDP_PC"]
    germany = _regional_mean(tl3, "DEU")
    for year in range(2005, 2021):
        germany[year] = countries_published[("DEU", year)]
    index = 100 * leipzig / germany
    table = result.table.set_index("year")
    np.testing.assert_allclose(table["index"], index.loc[table.index], rtol=1e-12)
    # the gap's trend: least squares of (index - 100) on the year, by numpy's polyfit
    slope, intercept = np.polyfit(index.index.to_numpy(float), index.to_numpy() - 100, 1)
    assert result.trend.slope == pytest.approx(slope, rel=1e-10)
    assert result.trend.gap_now == pytest.approx(intercept + slope * 2020, rel=1e-10)
    assert result.closing and result.closing_rate == pytest.approx(abs(slope), rel=1e-10)
    assert result.years_to_parity == pytest.approx(-(intercept + slope * 2020) / slope, rel=1e-10)
    assert result.case_id == "leipzig" and result.units == ("DE008M",)
    lower, upper = result.conf_int().loc["years_to_parity"]
    assert lower < result.years_to_parity < upper


def test_fieller_interval_is_where_the_t_test_stops_rejecting() -> None:
    """At each end of the interval the t-test of ``gap_now + θ slope = 0`` sits exactly at the
    critical value (statsmodels computes the test independently)."""
    rng = np.random.default_rng(4)
    years = np.arange(2000, 2021, dtype=float)
    gap = -25 + 0.8 * (years - 2000) + rng.normal(0, 1.5, years.size)
    trend = gap_trend(years, gap)
    lower, upper = fieller(trend, 0.05)
    assert lower is not None and upper is not None
    assert lower < -trend.gap_now / trend.slope < upper
    fit = sm.OLS(gap, sm.add_constant(years - years[-1])).fit()
    assert trend.slope == pytest.approx(fit.params[1]) and trend.std_error == pytest.approx(fit.bse[1])
    critical = fit.t_test(np.array([[1.0, 0.0]])).df_denom
    from scipy import stats

    q = stats.t.ppf(0.975, critical)
    for theta in (lower, upper):
        t_value = fit.t_test(np.array([[1.0, theta]])).tvalue.item()
        assert abs(t_value) == pytest.approx(q, rel=1e-8)


def test_a_slope_indistinguishable_from_zero_leaves_parity_unbounded() -> None:
    years = np.arange(2000, 2021, dtype=float)
    gap = -20 + 0.2 * (years - 2000) + 10 * (-1) ** np.arange(years.size)  # closing, but noisily
    trend = gap_trend(years, gap)
    assert trend.slope > 0 > trend.gap_now and trend.p_value > 0.05
    lower, upper = fieller(trend, 0.05)
    assert upper is None  # the data cannot rule out that parity never comes
    assert lower is None or lower < -trend.gap_now / trend.slope


def test_combined_places_are_population_weighted_and_units_resolve(
    demo_workspace: Workspace, tl3: pd.DataFrame, shared_data
) -> None:  # type: ignore[no-untyped-def]
    result = place_against_nation(demo_workspace, "tees_valley")
    parts = tl3[tl3["REG_ID"].isin(["UK559M", "UKC13"])]
    weighted = (parts["GDP_PC"] * parts["POP"]).groupby(parts["TIME"]).sum()
    by_hand = weighted / parts.groupby("TIME")["POP"].sum()
    np.testing.assert_allclose(result.table.set_index("year")["value"], by_hand, rtol=1e-12)
    # The Middlesbrough unit is Hartlepool and Stockton with South Teesside: the SDMX extract's
    # unmerged TL3 populations add up to it (2019, within 1%).
    sdmx = pd.read_csv(shared_data / "international" / "oecd_reg_eco_gdp_pop_emp_2019_2020.csv")
    pop = sdmx[(sdmx["MEASURE"] == "POP") & (sdmx["TIME_PERIOD"] == 2019)].set_index("REF_AREA")["OBS_VALUE"]
    merged = tl3[(tl3["REG_ID"] == "UK559M") & (tl3["TIME"] == 2019)]["POP"].iloc[0]
    assert pop["UKC11"] + pop["UKC12"] == pytest.approx(merged, rel=0.01)
    # A functional urban area's code stands for its units; a region's name for the region.
    sheffield = place_against_nation(demo_workspace, "UK010M")
    assert sheffield.units == ("UKE32",) and sheffield.place_name == "Sheffield"
    assert place_against_nation(demo_workspace, "Sheffield").units == ("UKE32",)
    with pytest.raises(ValueError, match="different countries"):
        place_against_nation(demo_workspace, "UKE32,FRG01")
