"""The funding register: readers of the Levelling Up Fund files as published and of plain tables,
and storage in the workspace with the guarantees observations have."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from levelscope.data.funding.need_files import (
    IMD_INDICATORS,
    match_category_codes,
    read_imd_summaries,
    read_priority_categories,
)
from levelscope.data.funding.readers import read_allocation_table, read_luf_bids
from levelscope.data.funding.register import read_register, register_summary, store_allocations
from levelscope.data.store import Workspace
from levelscope.errors import ValidationError

LUF = "funding/levelling_up_fund"


@pytest.fixture
def round_files(shared_data: Path) -> dict[str, Path]:
    return {r: shared_data / LUF / f"levelling-up-fund-round-{r}.csv" for r in ("1", "2")}


def _raw_total(path: Path) -> tuple[int, float]:
    """Bids and total bid value straight from the CSV, without levelscope."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return len(rows), round(sum(float(r["Bid Value"]) for r in rows), 2)


def test_luf_rounds_read_as_published(round_files: dict[str, Path]) -> None:
    # Round 1: "£1.7bn" over 105 bids; round 2: £2.1bn over 111 (DLUHC announcements, 27 October
    # 2021 and 19 January 2023); the exact totals are the sums of the published bid values.
    for key, (bids, total) in {"1": (105, 1_693_323_657.33), "2": (111, 2_088_234_431.00)}.items():
        table = read_luf_bids(round_files[key])
        assert _raw_total(round_files[key]) == (bids, total)
        assert len(table) == bids and table["bid_id"].is_unique
        assert round(table["amount"].sum(), 2) == total
        assert (table["outcome"] == "successful").all()
        assert table["announced"].nunique() == 1
    first = read_luf_bids(round_files["1"])
    derby = first[first["bid_name"].str.startswith("South Derby Growth Zone")].iloc[0]
    assert derby["areas"] == ("E06000015", "E07000039") and derby["amount"] == 49_597_972.00
    assert derby["announced"] == dt.date(2021, 10, 27)
    esb = first[first["recipient"].fillna("").str.startswith("ESB")].iloc[0]
    assert esb["lead_applicant"] == "Northern Ireland" and len(esb["areas"]) == 10
    second = read_luf_bids(round_files["2"])
    assert second["announced"].iloc[0] == dt.date(2023, 1, 19)
    allerdale = second[second["lead_applicant"] == "Allerdale Borough Council"].iloc[0]
    assert allerdale["notes"] == "Allerdale merged into Cumberland" and allerdale["areas"] == ("E06000063",)


def test_bad_luf_rows_are_reported_by_row_and_column(tmp_path: Path, round_files: dict[str, Path]) -> None:
    lines = round_files["2"].read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",3573604,", ',"3,573,604.123",')  # a fraction of a penny
    lines[5] = lines[5].rsplit(",", 2)[0] + ",,"  # no district codes
    bad = tmp_path / "levelling-up-fund-round-2.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_luf_bids(bad)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert (4, "Bid Value") in found and (6, "LADs") in found
    with pytest.raises(ValidationError, match="round"):
        read_luf_bids(round_files["1"], round=7)


def test_plain_allocation_table_for_another_fund(tmp_path: Path) -> None:
    path = tmp_path / "towns.csv"
    path.write_text(
        "Fund,Round,Date,Lead_applicant,Bid_name,Amount,Geography_code,Outcome\n"
        "Towns Fund,1,03/03/2021,Blackpool Council,Town Deal,\"£39,500,000\",E06000009,successful\n"
        "Towns Fund,1,03/03/2021,Rochdale Council,Town Deal,\"£17,400,000\",E08000005,no\n",
        encoding="utf-8",
    )
    table = read_allocation_table(path)
    assert table["amount"].tolist() == [39_500_000.0, 17_400_000.0]
    assert table["outcome"].tolist() == ["successful", "unsuccessful"]
    assert table["announced"].tolist() == [dt.date(2021, 3, 3)] * 2
    path.write_text("fund,round,date,amount,geography_code\nX,1,2021-13-01,ten,E0600\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_allocation_table(path)
    assert {p.column for p in caught.value.problems} == {"date", "amount", "geography_code"}


def test_register_is_idempotent_versioned_and_atomic(round_files: dict[str, Path]) -> None:
    ws = Workspace.open(":memory:")
    first = read_luf_bids(round_files["1"])
    report = store_allocations(ws, first, file="round-1.csv")
    assert (report.rows_read, report.rows_written, report.rows_unchanged) == (105, 105, 0)
    again = store_allocations(ws, first, file="round-1.csv")
    assert (again.rows_written, again.rows_unchanged) == (0, 105)
    assert ws.scalar("SELECT count(*) FROM allocation") == 105
    # exact pennies survive the round trip
    assert ws.scalar("SELECT CAST(sum(amount) AS VARCHAR) FROM allocation") == "1693323657.33"

    # A correction with the same vintage is refused and nothing is written.
    corrected = first.copy()
    corrected.loc[0, "amount"] = 1.0
    with pytest.raises(ValidationError, match="later vintage"):
        store_allocations(ws, corrected, file="round-1.csv")
    assert ws.scalar("SELECT count(*) FROM allocation") == 105

    # As a later vintage it is kept beside the first, which stays readable as of its date.
    later = store_allocations(ws, corrected, file="round-1-revised.csv", vintage=dt.date(2022, 1, 1))
    assert (later.rows_written, later.rows_unchanged) == (1, 104)
    now = read_register(ws)
    then = read_register(ws, as_of=dt.date(2021, 12, 31))
    assert len(now) == len(then) == 105
    assert now["amount"].sum() == pytest.approx(1_693_323_657.33 - 20_000_000 + 1)
    assert round(then["amount"].sum(), 2) == 1_693_323_657.33

    store_allocations(ws, read_luf_bids(round_files["2"]), file="round-2.csv")
    summary = register_summary(ws)
    assert summary["bids"].tolist() == [105, 111]
    assert read_register(ws, round="2")["areas"].map(len).sum() == 183


def test_priority_categories_matched_to_codes(shared_data: Path) -> None:
    categories = read_priority_categories(
        shared_data / LUF / "Levelling_Up_Fund_list_of_local_authorities_by_priority_category.xlsx"
    )
    # 123 / 123 / 122 authorities in categories 1 / 2 / 3 (the prospectus annex)
    assert categories["priority_category"].value_counts().sort_index().tolist() == [123, 123, 122]
    population = pd.read_csv(shared_data / "uk_population/lad_pop.csv", skiprows=6, usecols=[0, 1],
                             names=["name", "geography_code"], header=None).dropna()
    imd = read_imd_summaries(
        shared_data / "deprivation/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
    )
    places = pd.concat([population, imd[["geography_code", "name"]]]).drop_duplicates()
    matched = match_category_codes(categories, places)
    assert not matched.unmatched and not matched.ambiguous
    assert matched.codes["Rhondda Cynon Taff"] == "W06000016"
    assert matched.codes["Kingston upon Hull, City of"] == "E06000010"
    assert matched.categories["E06000009"] == 1  # Blackpool
    assert matched.categories["E09000001"] == 3  # City of London
    unmatched = match_category_codes(pd.DataFrame({"name": ["Atlantis"], "priority_category": [1]}), places)
    assert unmatched.unmatched == ("Atlantis",)
    with pytest.raises(ValidationError, match="Atlantis"):
        unmatched.raise_for_problems()


def test_imd_summaries_as_indicators(shared_data: Path) -> None:
    imd = read_imd_summaries(
        shared_data / "deprivation/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
    )
    assert imd["geography_code"].nunique() == 317
    assert set(imd["indicator_id"]) == set(IMD_INDICATORS)
    value = imd.set_index(["geography_code", "indicator_id"])["value"]
    # Middlesbrough (File 10, IMD sheet): average score 40.46, rank of average score 5,
    # proportion of LSOAs in the most deprived 10 % 0.4884 (rank 1)
    assert value["E06000002", "imd_average_score"] == 40.46
    assert value["E06000002", "imd_rank_of_average_score"] == 5
    assert value["E06000002", "imd_share_most_deprived_10pc"] == 0.4884
    assert value["E06000002", "income_average_score"] == 0.251
