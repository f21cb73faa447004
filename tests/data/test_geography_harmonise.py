"""Series on one boundary set: values built by hand from the shared files, and every refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geography_helpers import nomis
from levelscope.data import Indicator, Workspace
from levelscope.data.catalogue import catalogue

CUMBERLAND = {"E07000026": "Allerdale", "E07000028": "Carlisle", "E07000029": "Copeland"}
NORTH_YORKSHIRE = ["E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169"]


def test_cumberland_population_is_the_sum_of_its_three_districts(
    demo_workspace: Workspace, shared_data: Path
) -> None:
    pop = nomis(shared_data)
    got = demo_workspace.observations("population", geographies=["E06000063"], geography_vintage=2023)
    got = got.set_index("period")
    for year in range(2015, 2023):
        by_hand = sum(pop[code][str(year)] for code in CUMBERLAND)
        assert got.loc[str(year), "value"] == by_hand
        assert got.loc[str(year), "source_codes"] == "E07000026;E07000028;E07000029"
        assert got.loc[str(year), "harmonisation"] == "sum of 3 areas"
    assert (got["geography_name"] == "Cumberland").all()


def test_north_yorkshire_smoking_rate_is_weighted_by_population_of_the_same_year(
    demo_workspace: Workspace, shared_data: Path
) -> None:
    book = openpyxl.load_workbook(shared_data / "uk_subnational_indicators" / "subnatindicators.xlsx",
                                  read_only=True)
    rows = list(book["Smokers"].iter_rows(values_only=True))
    rate = {r[0]: r[6] for r in rows if r and r[0] in NORTH_YORKSHIRE}
    pop = nomis(shared_data)
    weights = {code: pop[code]["2022"] for code in NORTH_YORKSHIRE}
    by_hand = sum(rate[c] * weights[c] for c in NORTH_YORKSHIRE) / sum(weights.values())
    got = demo_workspace.observations("smoking_prevalence", geographies=["E06000065"])  # demo: 2023 default
    assert len(got) == 1
    assert got["value"].iloc[0] == pytest.approx(by_hand, rel=1e-12)
    assert got["harmonisation"].iloc[0] == "mean of 7 areas weighted by population"
    assert pd.isna(got["lower"].iloc[0])  # confidence bounds cannot be combined


def test_a_2023_query_of_figures_published_on_2023_codes_is_unchanged(demo_workspace: Workspace) -> None:
    published = demo_workspace.observations("weekly_pay", level="lad", geography_vintage="published")
    harmonised = demo_workspace.observations("weekly_pay", level="lad", geography_vintage=2023)
    assert (harmonised["harmonisation"] == "as published").all()
    columns = ["geography_code", "period", "value", "lower", "upper", "vintage"]
    pd.testing.assert_frame_equal(published[columns].reset_index(drop=True),
                                  harmonised[columns].reset_index(drop=True))


def test_the_demo_puts_series_on_2023_boundaries_and_keeps_old_codes_queryable(
    demo_workspace: Workspace, shared_data: Path
) -> None:
    assert demo_workspace.geography_vintage == 2023
    lads = demo_workspace.observations("population", level="lad", periods="2015")
    assert "E07000026" not in set(lads["geography_code"]) and "E06000063" in set(lads["geography_code"])
    assert len(lads) == 361  # every district of 2023
    old = demo_workspace.observations("population", geographies=["E07000026"], periods="2015")
    assert old["value"].tolist() == [nomis(shared_data)["E07000026"]["2015"]]
    assert old["harmonisation"].tolist() == ["as published"]


@pytest.fixture()
def ws() -> Iterator[Workspace]:
    workspace = Workspace.open(":memory:")
    workspace.add_indicators(catalogue().values())
    yield workspace
    workspace.close()


def put(ws: Workspace, rows: list[tuple[str, str, str, float]]) -> None:
    ws.import_frame(pd.DataFrame(rows, columns=["geography_code", "indicator_id", "period", "value"]),
                    vintage="2024-06-01")


def test_a_partly_missing_area_is_reported_not_summed(ws: Workspace) -> None:
    put(ws, [("E07000026", "population", "2020", 97000), ("E07000028", "population", "2020", 109000)])
    result = ws.harmonised("population", geography_vintage=2023)
    assert result.frame.empty
    [row] = result.incomplete.to_dict("records")
    assert (row["geography_code"], row["period"], row["missing"]) == ("E06000063", "2020", "E07000029")
    assert "E07000029" in row["reason"]


def test_an_indicator_that_cannot_combine_is_refused_with_the_reason(ws: Workspace) -> None:
    put(ws, [(code, "weekly_pay", "2022", 600 + i) for i, code in enumerate(CUMBERLAND)])
    result = ws.harmonised("weekly_pay", geography_vintage=2023)
    assert result.frame.empty
    [reason] = set(result.refused["reason"])
    assert "weekly_pay is not combined over areas" in reason
    assert result.refused["geography_code"].tolist() == ["E06000063"]


def test_a_rate_without_its_weight_is_incomplete(ws: Workspace) -> None:
    put(ws, [(code, "employment_rate", "2022", 70.0) for code in CUMBERLAND]
        + [("E07000026", "population", "2022", 97000), ("E07000028", "population", "2022", 109000)])
    result = ws.harmonised("employment_rate", geography_vintage=2023)
    assert result.frame.empty
    assert result.incomplete["missing"].tolist() == ["E07000029"]
    assert "no population figure" in result.incomplete["reason"].iloc[0]


def test_nested_codes_are_not_counted_twice(ws: Workspace) -> None:
    """Somerset (2023) = Mendip + Sedgemoor + South Somerset + Somerset West and Taunton (2019), which
    was Taunton Deane + West Somerset: a file holding both SWT and its parts counts SWT once."""
    put(ws, [("E07000187", "population", "2020", 1), ("E07000188", "population", "2020", 10),
             ("E07000189", "population", "2020", 100), ("E07000246", "population", "2020", 1000),
             ("E07000190", "population", "2018", 400), ("E07000191", "population", "2018", 500),
             ("E07000187", "population", "2018", 2), ("E07000188", "population", "2018", 20),
             ("E07000189", "population", "2018", 200)])
    frame = ws.harmonised("population", geography_vintage=2023).frame.set_index("period")
    assert frame.loc["2020", "value"] == 1111
    assert frame.loc["2018", "value"] == 1122  # from the five districts of 2018
    assert frame.loc["2018", "source_codes"] == "E07000187;E07000188;E07000189;E07000190;E07000191"


def test_a_published_figure_for_the_new_area_wins_and_recodes_go_both_ways(ws: Workspace) -> None:
    put(ws, [("E06000063", "population", "2020", 270000)]
        + [(code, "population", "2020", 1) for code in CUMBERLAND]
        + [("E08000037", "weekly_pay", "2012", 500.0)])
    frame = ws.observations(["population", "weekly_pay"], geography_vintage=2023)
    assert frame.set_index("indicator_id").loc["population", "value"] == 270000
    back = ws.harmonised("weekly_pay", geography_vintage=2012)
    assert back.frame[["geography_code", "value", "harmonisation"]].values.tolist() == [
        ["E08000020", 500.0, "recoded"]]  # Gateshead's 2013 code, on 2012 boundaries


def test_codes_that_cannot_be_carried_are_dropped_with_the_reason(ws: Workspace) -> None:
    put(ws, [("E10000006", "population", "2020", 500000), ("E06000063", "population", "2021", 1)])
    later = ws.harmonised("population", geography_vintage=2023)
    assert later.frame["geography_code"].tolist() == ["E06000063"]
    assert "split between E06000063, E06000064" in later.dropped.set_index("geography_code").loc[
        "E10000006", "reason"]
    earlier = ws.harmonised("population", geography_vintage=2019)
    assert "cannot be divided" in earlier.dropped.set_index("geography_code").loc["E06000063", "reason"]


def test_imports_keep_old_codes_for_their_years_and_name_the_successor_after(ws: Workspace) -> None:
    from levelscope.errors import ValidationError

    put(ws, [("E07000026", "population", "2022", 97000)])  # Allerdale, still in use in mid-2022
    assert ws.observations("population", geography_vintage="published")["geography_code"].tolist() == [
        "E07000026"]
    with pytest.raises(ValidationError) as caught:
        put(ws, [("E07000026", "weekly_pay", "2023/24", 600)])
    assert "use its successor E06000063 (Cumberland)" in str(caught.value)
    with pytest.raises(ValidationError, match=r"use its successors E06000063 \(Cumberland\), E06000064"):
        put(ws, [("E10000006", "population", "2024", 1)])


def test_a_user_indicator_declares_its_weight(ws: Workspace) -> None:
    ws.add_indicators([Indicator(id="rent", name="Rent", unit="£", aggregation="weighted_mean",
                                 weight="households"),
                       Indicator(id="households", name="Households", unit="households", aggregation="sum")])
    put(ws, [("E07000026", "rent", "2021", 100.0), ("E07000028", "rent", "2021", 200.0),
             ("E07000029", "rent", "2021", 400.0), ("E07000026", "households", "2021", 1),
             ("E07000028", "households", "2021", 1), ("E07000029", "households", "2021", 2)])
    row = ws.observations("rent", geography_vintage=2023).iloc[0]
    assert row["value"] == pytest.approx((100 + 200 + 2 * 400) / 4)
    assert row["harmonisation"] == "mean of 3 areas weighted by households"
    assert ws.harmonised("rent", geography_vintage=2023).day == dt.date(2023, 12, 31)


def test_the_oecds_uk_regions_keep_their_own_codes_on_2023_boundaries(demo_workspace: Workspace) -> None:
    # The history recodes NUTS's UKC (North East) as ITL's TLC from 2021; the OECD compares regions
    # of every country on its own classification, so its figures for UKC are not moved onto TLC.
    published = demo_workspace.observations("oecd_gdp_per_head", geography_vintage="published")
    harmonised = demo_workspace.observations("oecd_gdp_per_head", geography_vintage=2023)
    assert (published["geography_code"] == "UKC").sum() > 10
    assert (harmonised["harmonisation"] == "as published").all()
    assert not harmonised["geography_code"].str.startswith("TL").any()
    columns = ["geography_code", "period", "value"]
    pd.testing.assert_frame_equal(
        published[columns].sort_values(columns[:2]).reset_index(drop=True),
        harmonised[columns].sort_values(columns[:2]).reset_index(drop=True))
