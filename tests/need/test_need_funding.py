"""Funding versus need against hand calculations, PySAL, statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from inequality.gini import Gini
from statsmodels.stats.proportion import proportion_confint

from levelscope.errors import UndefinedMeasureError, ValidationError
from levelscope.need.allocations import read_allocations
from levelscope.need.funding import (
    analyse_funding,
    compare_rounds,
    concentration_index,
    funding_by_area,
    funding_finding,
    group_shares,
    need_fractional_rank,
    need_groups,
    success_rates,
)

CSV = """Programme,Round,Area,Amount,Date,Outcome
Levelling Up Fund,1,A,"£1,000",2021-10-27,successful
Levelling Up Fund,1,B,500,27/10/2021,Successful
Levelling Up Fund,1,C,250,2021-10-27,unsuccessful
Levelling Up Fund,2,A,200,2023-01-19,
Levelling Up Fund,2,D,300,2023-01-19,yes
"""


def test_read_allocations_parses_and_types(tmp_path):
    path = tmp_path / "luf.csv"
    path.write_text(CSV)
    table = read_allocations(path)
    assert table["amount"].tolist() == [1000.0, 500.0, 250.0, 200.0, 300.0]
    outcome = table["outcome"]
    assert outcome.isna().tolist() == [False, False, False, True, False]
    assert outcome.dropna().tolist() == ["successful", "successful", "unsuccessful", "successful"]
    assert table["date"].iloc[1] == pd.Timestamp("2021-10-27")
    assert table["round"].tolist() == ["1", "1", "1", "2", "2"]
    # The file calls the area column "Area" (as files did before the glossary): still read, and the
    # table read names it geography_code like every other.
    assert "area" not in table.columns and table["geography_code"].tolist() == list("ABCAD")


def test_read_allocations_names_file_row_column_value(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "programme,round,area,amount,date\n"
        "LUF,1,A,lots,2021-10-27\n"
        "LUF,1,,100,2021-13-45\n"
        "LUF,1,B,-5,2021-10-27\n"
    )
    with pytest.raises(ValidationError) as caught:
        read_allocations(path)
    found = {(p.file, p.row, p.column, p.value) for p in caught.value.problems}
    assert ("bad.csv", 2, "amount", "lots") in found
    assert ("bad.csv", 3, "area", None) in found
    assert ("bad.csv", 3, "date", "2021-13-45") in found
    assert ("bad.csv", 4, "amount", "-5") in found
    # A problem names the column as the file wrote it.
    path.write_text("programme,round,geography_code,amount,date\nLUF,1,,100,2021-10-27\n")
    with pytest.raises(ValidationError) as caught:
        read_allocations(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "geography_code")]


def test_read_allocations_missing_column(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("programme,area,amount\nLUF,A,1\n")
    with pytest.raises(ValidationError) as caught:
        read_allocations(path)
    assert {p.column for p in caught.value.problems} == {"round", "date"}



def test_a_published_levelling_up_fund_list_is_pointed_to_the_funding_register(shared_data):
    # regression: the list as DLUHC publishes it gave five "required column is missing"
    listed = shared_data / "funding" / "levelling_up_fund" / "levelling-up-fund-round-2.csv"
    with pytest.raises(ValidationError) as caught:
        read_allocations(listed)
    (problem,) = caught.value.problems
    assert problem.file == "levelling-up-fund-round-2.csv"
    assert "Levelling Up Fund list as published" in problem.reason
    assert "`levelscope funding import`" in problem.reason and "`levelscope funding record`" in problem.reason


NEED = pd.Series({"A": 5.0, "B": 4.0, "C": 3.0, "D": 2.0, "E": 1.0})
POPULATION = pd.Series({"A": 100.0, "B": 200.0, "C": 100.0, "D": 50.0, "E": 50.0})


def allocations() -> pd.DataFrame:
    return read_allocations(
        pd.DataFrame(
            {
                "programme": "LUF",
                "round": ["1", "1", "1", "2", "2"],
                "geography_code": ["A", "B", "C", "A", "D"],
                "amount": [1000, 500, 250, 200, 300],
                "date": "2021-10-27",
                "outcome": ["successful", "successful", "unsuccessful", "", ""],
            }
        )
    )


def test_funding_by_area_per_head():
    funding = funding_by_area(allocations(), POPULATION, areas=NEED.index)
    # A: 1000 + 200; B: 500; C: unsuccessful bid is not funding; D: 300; E: nothing
    assert funding["amount"].to_dict() == {"A": 1200, "B": 500, "C": 0, "D": 300, "E": 0}
    assert funding["per_head"].to_dict() == {"A": 12, "B": 2.5, "C": 0, "D": 6, "E": 0}
    with pytest.raises(ValidationError, match="not among the areas"):
        funding_by_area(allocations(), POPULATION, areas=["A", "B"])
    with pytest.raises(ValidationError, match="population"):
        funding_by_area(allocations(), POPULATION.drop("E"), areas=NEED.index)
    assert funding.index.name == "geography_code"


def test_a_frame_with_the_old_area_column_still_works_with_a_warning():
    old = allocations().rename(columns={"geography_code": "area"})
    with pytest.warns(FutureWarning, match="'area' is now called 'geography_code'"):
        before = funding_by_area(old, POPULATION, areas=NEED.index)
    pd.testing.assert_frame_equal(before, funding_by_area(allocations(), POPULATION, areas=NEED.index))
    categories = pd.Series(["high", "high", "low", "low", "low"], index=NEED.index)
    with pytest.warns(FutureWarning, match="success_rates"):
        rates = success_rates(old, categories)
    pd.testing.assert_frame_equal(rates, success_rates(allocations(), categories))


def test_concentration_index_by_hand():
    y = pd.Series({"A": 12.0, "B": 2.5, "C": 0.0, "D": 6.0, "E": 0.0})
    # Unweighted: R = (i - 1/2)/5 most needy first = 0.1, 0.3, 0.5, 0.7, 0.9
    # mean y = 20.5/5 = 4.1; cov = mean((y - 4.1)(R - 0.5))
    #   = (7.9 * -0.4 + -1.6 * -0.2 + -4.1 * 0 + 1.9 * 0.2 + -4.1 * 0.4) / 5
    #   = (-3.16 + 0.32 + 0 + 0.38 - 1.64) / 5 = -0.82
    # C = 2 * -0.82 / 4.1 = -0.4
    result = concentration_index(y, NEED)
    assert result.index == pytest.approx(-0.4)
    # Weighted by population 100, 200, 100, 50, 50 (W = 500):
    #   R = 0.1, 0.4, 0.7, 0.85, 0.95; shares 0.2, 0.4, 0.2, 0.1, 0.1
    #   mean = 2.4 + 1 + 0 + 0.6 + 0 = 4.0; mean R = 0.02+0.16+0.14+0.085+0.095 = 0.5
    #   cov = 0.2*8*-0.4 + 0.4*-1.5*-0.1 + 0.2*-4*0.2 + 0.1*2*0.35 + 0.1*-4*0.45
    #       = -0.64 + 0.06 - 0.16 + 0.07 - 0.18 = -0.85
    #   C = 2 * -0.85 / 4 = -0.425
    weighted = concentration_index(y, NEED, POPULATION)
    assert weighted.index == pytest.approx(-0.425)
    assert weighted.curve["cumulative_share_funding"].iloc[-1] == pytest.approx(1.0)
    # curve at the most needy area: 100 people (20 %) got 1200 of 2000 (60 %)
    assert weighted.curve.iloc[1][
        ["cumulative_share_areas", "cumulative_share_funding"]
    ].tolist() == pytest.approx([0.2, 0.6])


def test_concentration_index_ranked_by_the_values_themselves_is_pysal_gini():
    rng = np.random.default_rng(11)
    y = pd.Series(rng.lognormal(size=300))
    # Most "needy" = the lowest value, so the need ranking is the ascending order of y.
    assert concentration_index(y, -y).index == pytest.approx(Gini(y.to_numpy()).g, rel=1e-10)


def test_concentration_index_equals_the_convenient_regression():
    rng = np.random.default_rng(12)
    need = pd.Series(rng.normal(size=200))
    weights = pd.Series(rng.uniform(10, 1000, size=200))
    y = pd.Series(np.exp(0.5 * need + rng.normal(scale=0.5, size=200)))
    rank = need_fractional_rank(need, weights)
    share = weights / weights.sum()
    mean = (share * y).sum()
    var_r = (share * (rank - (share * rank).sum()) ** 2).sum()
    # Kakwani, Wagstaff & van Doorslaer (1997): 2 var(R) y / mean = a + C R, by weighted OLS.
    fit = sm.WLS(2 * var_r * y / mean, sm.add_constant(rank.to_numpy()), weights=weights).fit()
    result = concentration_index(y, need, weights)
    assert result.index == pytest.approx(fit.params.iloc[1], rel=1e-9)
    assert result.index < 0  # more money where need is higher: concentrated among the needy


def test_ties_in_need_share_their_fractional_rank():
    need = pd.Series({"A": 2.0, "B": 2.0, "C": 1.0})
    assert need_fractional_rank(need).tolist() == pytest.approx([1 / 3, 1 / 3, 5 / 6])


def test_concentration_index_undefined_cases():
    with pytest.raises(UndefinedMeasureError, match="all values are 0"):
        concentration_index(pd.Series([0.0, 0.0], index=["A", "B"]), NEED)
    with pytest.raises(UndefinedMeasureError, match="non-negative"):
        concentration_index(pd.Series([1.0, -1.0], index=["A", "B"]), NEED)
    with pytest.raises(UndefinedMeasureError, match="no need score"):
        concentration_index(pd.Series([1.0], index=["Z"]), NEED)


def test_need_groups_and_shares_by_hand():
    need = pd.Series(np.arange(10.0, 0, -1), index=list("ABCDEFGHIJ"))
    groups = need_groups(need, 5)
    assert groups.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    funding = pd.DataFrame(
        {"amount": [90.0, 10, 40, 0, 20, 20, 5, 5, 5, 5], "population": [10.0] * 10}, index=need.index
    )
    table = group_shares(funding, groups)
    assert table["share_of_funding"].tolist() == pytest.approx([0.5, 0.2, 0.2, 0.05, 0.05])
    assert table["per_head"].tolist() == pytest.approx([5, 2, 2, 0.5, 0.5])
    assert table.loc[1, "ratio_to_last"] == pytest.approx(10.0)


def test_funding_finding_with_bootstrap_interval():
    rng = np.random.default_rng(13)
    n = 100
    need = pd.Series(rng.normal(size=n), index=[f"E{i:03d}" for i in range(n)])
    population = pd.Series(rng.uniform(5e4, 3e5, size=n), index=need.index)
    per_head = np.clip(20 + 10 * need + rng.normal(scale=5, size=n), 1, None)
    funding = pd.DataFrame({"amount": per_head * population, "population": population})
    funding["per_head"] = per_head
    finding = funding_finding(funding, need, n_resamples=1000, seed=3)
    groups = need_groups(need, 5)
    top, bottom = funding[groups == 1], funding[groups == 5]
    ratio = (top["amount"].sum() / top["population"].sum()) / (
        bottom["amount"].sum() / bottom["population"].sum()
    )
    assert finding.ratio == pytest.approx(ratio)
    assert finding.ratio_lower < finding.ratio < finding.ratio_upper
    assert "most-needy fifth of areas" in finding.text
    assert f"{ratio:.0%}" in finding.text
    again = funding_finding(funding, need, n_resamples=1000, seed=3)
    assert (again.ratio_lower, again.ratio_upper) == (finding.ratio_lower, finding.ratio_upper)


def test_success_rates_match_statsmodels_wilson():
    table = read_allocations(
        pd.DataFrame(
            {
                "programme": "LUF",
                "round": "1",
                "geography_code": list("AABBBCCCCD"),
                "amount": 1,
                "date": "2021-10-27",
                "outcome": [
                    "successful",
                    "unsuccessful",
                    "successful",
                    "successful",
                    "unsuccessful",
                    "unsuccessful",
                    "unsuccessful",
                    "unsuccessful",
                    "successful",
                    "successful",
                ],
            }
        )
    )
    categories = pd.Series(
        pd.Categorical(["P1", "P1", "P2", "P2"], categories=["P1", "P2"]), index=list("ABCD")
    )
    rates = success_rates(table, categories)
    # P1: A and B, 5 bids, 3 successful; P2: C and D, 5 bids, 2 successful
    assert rates["bids"].tolist() == [5, 5]
    assert rates["successful"].tolist() == [3, 2]
    low, high = proportion_confint(3, 5, method="wilson")
    assert rates.loc["P1", "rate_lower"] == pytest.approx(low)
    assert rates.loc["P1", "rate_upper"] == pytest.approx(high)


def test_compare_rounds():
    rounds = compare_rounds(allocations(), NEED, POPULATION)
    assert rounds["round"].tolist() == ["1", "2"]
    assert rounds["amount"].tolist() == [1500, 500]
    # round 2: A (most needy) 200, D 300 -> per head 2 and 6
    second = concentration_index(
        pd.Series({"A": 2.0, "B": 0, "C": 0, "D": 6.0, "E": 0}), NEED, POPULATION
    ).index
    assert rounds["concentration_index"].iloc[1] == pytest.approx(second)


def test_analyse_funding_puts_it_together():
    result = analyse_funding(allocations(), NEED, POPULATION, n_groups=5, n_resamples=200, seed=0)
    assert result.concentration.index == pytest.approx(-0.425)
    assert result.concentration_by_area.index == pytest.approx(-0.4)
    # the least-needy fifth (E) received nothing: no ratio, and the note says why
    assert result.finding is None
    assert "least-needy group received no funding" in result.note
    halves = analyse_funding(allocations(), NEED, POPULATION, n_groups=2, n_resamples=200, seed=0)
    # halves of 5 areas: A, B, C (most needy) and D, E; per head 1700/400 and 300/100
    assert halves.finding.ratio == pytest.approx((1700 / 400) / (300 / 100))
    assert "most-needy half of areas" in halves.finding.text
    table = halves.to_frame()
    assert list(table.columns[:2]) == ["geography_code", "amount"]
    assert table.set_index("geography_code")["amount"].to_dict() == {"A": 1200, "B": 500, "C": 0, "D": 300,
                                                                    "E": 0}


def test_finding_undefined_when_least_needy_got_nothing():
    funding = funding_by_area(allocations(), POPULATION, areas=NEED.index)
    with pytest.raises(UndefinedMeasureError, match="least-needy group received no funding"):
        funding_finding(funding, NEED, n_groups=5)
