"""Nothing in different currencies or prices is compared silently; the exploratory synthetic
control is the evaluation module's; the case studies' dated practices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from levelscope import Workspace
from levelscope.evaluate import SyntheticControl, placebo_in_space, synthetic_control
from levelscope.international import (
    IncomparableError,
    case_timeline,
    exploratory_synthetic_control,
    inequality_by_country,
    lessons_from_four_cities,
    place_against_nation,
    to_usd_ppp,
)


def test_different_currencies_and_prices_are_refused(demo_workspace: Workspace) -> None:
    # Leipzig's household income in PPS against Germany's GDP per head in US dollars at PPP
    with pytest.raises(IncomparableError) as caught:
        place_against_nation(demo_workspace, "DED5", "eu_household_income_per_head",
                             benchmark="oecd_gdp_per_head")
    message = str(caught.value)
    assert "eu_household_income_per_head (PPS per head, PPS (EU27 2020), current prices)" in message
    assert "oecd_gdp_per_head (USD per head, USD PPP, constant 2015 prices)" in message
    # current against constant prices, same currency
    with pytest.raises(IncomparableError, match="prices 'current prices' and 'constant 2015 prices'"):
        place_against_nation(demo_workspace, "DED51", "oecd_reg_gdp_per_head_usd_ppp_current",
                             benchmark="oecd_reg_gdp_per_head_usd_ppp_constant_2015")


def test_national_currencies_are_compared_only_within_one_currency(demo_workspace: Workspace) -> None:
    indicator = "oecd_reg_gdp_per_head_national_currency_current"
    with pytest.raises(IncomparableError, match="national currencies"):
        inequality_by_country(demo_workspace, indicator, countries=["GBR", "DEU"], n_resamples=0)
    euro = inequality_by_country(demo_workspace, indicator, countries=["DEU", "FRA", "ITA"],
                                 n_resamples=0, start=2019, end=2019)
    assert set(euro.table["geography_code"]) == {"DEU", "FRA", "ITA"}


def test_the_explicit_conversion_to_us_dollars_at_ppp(demo_workspace: Workspace) -> None:
    converted = to_usd_ppp(demo_workspace, "oecd_reg_gdp_per_head_national_currency_current",
                           geographies=["GBR", "DEU", "UKE32", "DED51"])
    published = demo_workspace.observations("oecd_reg_gdp_per_head_usd_ppp_current",
                                            geographies=["GBR", "DEU", "UKE32", "DED51"])
    merged = converted.merge(published[["geography_code", "year", "value"]],
                             on=["geography_code", "year"], suffixes=("", "_published"))
    assert len(merged) == 8
    # the OECD rounds its per-head figures to whole units of currency
    np.testing.assert_allclose(merged["usd_ppp"], merged["value_published"], rtol=2e-4)
    with pytest.raises(IncomparableError, match="only national currency at current prices"):
        to_usd_ppp(demo_workspace, "oecd_gdp_per_head")


def test_exploratory_synthetic_control_is_the_evaluation_modules(demo_workspace: Workspace) -> None:
    result = exploratory_synthetic_control(demo_workspace, "leipzig", 2010, max_donors=12)
    assert result.label == "exploratory" and "not an estimate" in result.caveats[0]
    assert isinstance(result.control, SyntheticControl)
    assert (result.donors["country"] != "DEU").all() and len(result.donors) == 12
    # the same fit from evaluate.synthetic_control on the same panel
    panel = result.control.design.panel
    long = pd.DataFrame({
        "unit": np.repeat(panel.units, panel.times.size),
        "year": np.tile(panel.times, len(panel.units)),
        "outcome": panel.outcome.ravel(),
    })
    direct = synthetic_control(long, treated="leipzig", start=2010, unit="unit", time="year",
                               outcome="outcome", donors=list(result.donors["geography_code"]))
    np.testing.assert_allclose(direct.weights.to_numpy(), result.control.weights.to_numpy(), atol=1e-8)
    # pre-period fit, and the placebo p-value as the evaluation module defines it
    pre = result.control.actual.index < 2010
    gap = result.control.actual[pre] - result.control.synthetic[pre]
    assert result.pre_rmspe == pytest.approx(float(np.sqrt(np.mean(gap**2))))
    assert result.pre_rmspe_share == pytest.approx(result.pre_rmspe / result.control.actual[pre].mean())
    placebos = result.placebos
    assert placebos is not None
    treated = placebos.ratio["leipzig"]
    assert result.p_value == pytest.approx((placebos.ratio >= treated * (1 - 1e-12)).sum() / 13)
    assert placebos.p_value == placebo_in_space(result.control).p_value
    assert "EXPLORATORY" in result.summary() and "EXPLORATORY" in result.plot().layout.title.text


def test_the_start_year_must_leave_a_pre_period(demo_workspace: Workspace) -> None:
    from levelscope.evaluate import DesignError

    with pytest.raises(DesignError, match="no pre-period"):
        exploratory_synthetic_control(demo_workspace, "nantes", 2000, placebos=False)


def test_dated_practices_come_from_the_case_study_library() -> None:
    leipzig = case_timeline("leipzig")
    first = leipzig.events[0]
    assert (first.year, first.end_year, first.kind) == (1990, 2014, "programme")
    assert first.title == "German reunification transfers"
    assert first.practices == ("leipzig.sustained_transfers",)
    assert "long_term_investment" in first.factors
    assert case_timeline("nantes").events == ()  # the library dates nothing for Nantes
    assert "nantes.shipbuilding_to_new_industries" in case_timeline("nantes").undated


def test_lessons_from_four_cities(demo_workspace: Workspace) -> None:
    result = lessons_from_four_cities(demo_workspace)
    frame = result.to_frame().set_index("case_id")
    assert list(frame.index) == ["leipzig", "cleveland", "nantes", "fukuoka", "dudley", "enfield",
                                 "south_yorkshire", "tees_valley"]
    assert frame.loc["enfield", "latest_index"] > 140                # London
    assert frame.loc["south_yorkshire", "latest_index"] < 80
    assert frame.loc["leipzig", "closing"] and frame.loc["leipzig", "years_to_parity"] > 0
    figure = result.case("leipzig").trajectory.plot(result.case("leipzig").timeline)  # type: ignore[union-attr]
    labels = {a.text: a.x for a in figure.layout.annotations}
    assert labels["1990–2014"] == 2000  # transfers from before the data begin, at its left edge
    assert labels["2012"] == 2012
