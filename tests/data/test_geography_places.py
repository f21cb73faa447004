"""Names to codes, lookups by boundary year and the boundary overlay, against the shared files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import shapefile
import xlrd
from shapely.geometry import box, shape

from levelscope.data.geography import (
    CodeHistory,
    CodeRecord,
    codes_for_names,
    lad_lookup,
    match_names,
    memberships,
    overlay,
)
from levelscope.data.model import Level
from levelscope.errors import ValidationError

FUND = Path("funding") / "levelling_up_fund"


def priority_names(shared_data: Path) -> list[str]:
    book = openpyxl.load_workbook(
        shared_data / FUND / "Levelling_Up_Fund_list_of_local_authorities_by_priority_category.xlsx",
        read_only=True,
    )
    return [r[1] for r in list(book["Levelling Up Fund Index"].iter_rows(values_only=True))[1:] if r[1]]


def test_all_368_priority_names_match_a_2021_authority(shared_data: Path) -> None:
    """The prospectus (March 2021) lists the 368 authorities of that month: Corby and Daventry, not
    yet North and West Northamptonshire."""
    names = priority_names(shared_data)
    assert len(names) == 368
    found = match_names(names, "2021-03-01")
    assert found.unmatched == [] and found.ambiguous == {}, found.summary()
    assert len(set(found.codes.values())) == 368
    table = found.to_frame().set_index("name")
    assert (table.loc["Rhondda Cynon Taff", ["geography_code", "method"]].tolist()
            == ["W06000016", "known spelling"])
    assert table.loc["Bristol, City of", "geography_code"] == "E06000023"
    assert table.loc["St. Helens", "geography_code"] == "E08000013"
    assert table.loc["Corby", "geography_code"] == "E07000150"


def test_spellings_welsh_names_and_vintages() -> None:
    found = match_names(["Caerdydd", "Ynys Môn", "Brighton & Hove", "City of Bristol", "Kingston upon Hull",
                         "ST HELENS", "Herefordshire", "Durham", "Glasgow"], 2021).codes
    assert found == {"Caerdydd": "W06000015", "Ynys Môn": "W06000001", "Brighton & Hove": "E06000043",
                     "City of Bristol": "E06000023", "Kingston upon Hull": "E06000010",
                     "ST HELENS": "E08000013", "Herefordshire": "E06000019", "Durham": "E06000047",
                     "Glasgow": "S12000049"}
    # the same names in other years mean the codes of those years
    assert match_names(["Durham", "Glasgow"], 2008).codes == {"Durham": "E07000056", "Glasgow": "S12000043"}
    assert match_names(["Allerdale"], 2023).unmatched == ["Allerdale"]


def test_unmatched_and_ambiguous_names_are_reported_never_guessed() -> None:
    found = match_names(["Newcastle", "Barnsly"], 2023)
    assert found.codes == {} and found.unmatched == ["Newcastle", "Barnsly"]
    close = found.to_frame().set_index("name")["suggestions"]
    assert close["Newcastle"] == "Newcastle upon Tyne;Newcastle-under-Lyme"
    assert "Barnsley" in close["Barnsly"]
    history = CodeHistory(
        [CodeRecord("X01", "Newport", Level.LAD), CodeRecord("X02", "Newport", Level.LAD)], []
    )
    twice = match_names(["Newport"], 2023, history=history)
    assert twice.ambiguous == {"Newport": ("X01", "X02")} and twice.codes == {}


def test_importers_get_codes_or_a_validation_error_naming_rows() -> None:
    names = pd.Series(["Cardiff", "Newcastle", "Leeds", "Newcastle"])
    with pytest.raises(ValidationError) as caught:
        codes_for_names(names, 2023, file="bids.csv", column="Area")
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == ("bids.csv", 3, "Area", "Newcastle")
    assert "close: Newcastle upon Tyne" in problem.reason
    assert codes_for_names(pd.Series(["Cardiff", "Leeds"]), 2023).tolist() == ["W06000015", "E08000035"]


def test_lookup_2023_matches_the_published_region_lookup(shared_data: Path) -> None:
    table = lad_lookup(2023).set_index("code")
    lookup = shared_data / "boundaries" / "lad_2023" / "LADs_to_region.csv"
    with lookup.open(encoding="utf-8-sig") as handle:
        published = {r["LAD23CD"]: r["RGN23CD"] for r in csv.DictReader(handle)}
    assert len(table) == 361
    assert table.loc[list(published), "region"].to_dict() == published
    assert table["nation"].notna().all()
    # ITL1 of an English district is its region's ITL letter
    letters = dict(zip([f"E1200000{i}" for i in range(1, 10)], "CDEFGHIJK", strict=True))
    english = table.loc[list(published)]
    assert (english["itl1"] == "TL" + english["region"].map(letters)).all()
    # combined authorities as the ONS productivity release groups the 2023 districts
    sheet = xlrd.open_workbook(str(shared_data / "uk_productivity" / "labourproductivitycityregions.xls")
                               ).sheet_by_name("Geography Lookup")
    members = {sheet.row_values(i)[0]: sheet.row_values(i)[2] for i in range(1, sheet.nrows)
               if str(sheet.row_values(i)[2]).startswith("E47")}
    assert table.loc[list(members), "combined_authority"].to_dict() == members
    assert table["combined_authority"].notna().sum() == len(members)


def test_lookups_of_earlier_years() -> None:
    y2015 = lad_lookup(2015).set_index("code")
    assert len(y2015) == 391  # 326 English districts, 22 Welsh, 32 Scottish, 11 Northern Irish
    assert y2015.loc["E07000026", ["county", "itl3", "combined_authority"]].tolist() == ["E10000006", "TLD11",
                                                                                         None]
    assert y2015.loc["E08000037", "combined_authority"] == "E47000005"  # North East CA, 2014-2018
    assert lad_lookup(2019).set_index("code").loc["E08000037", "combined_authority"] == "E47000010"
    assert "E47000008" not in set(y2015["combined_authority"].dropna())  # created in 2017


def county_totals(shared_data: Path, sheet: str) -> tuple[dict[str, float], dict[str, float]]:
    book = openpyxl.load_workbook(shared_data / "uk_subnational_indicators" / "subnatindicators.xlsx",
                                  read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Area Code")
    column = next(i for i, h in enumerate(rows[head]) if h and "enterprises" in str(h).lower()
                  and "Confidence" not in str(h))
    values = {str(r[0]).strip(): r[column] for r in rows[head + 1:] if r and r[0]}
    counties = {c: float(v) for c, v in values.items() if c.startswith("E10") and isinstance(v, int | float)}
    districts = {c: float(v) for c, v in values.items() if c.startswith("E07") and isinstance(v, int | float)}
    return counties, districts


def test_county_memberships_add_up_to_the_published_county_figures(shared_data: Path) -> None:
    """Active enterprises are a count: each county's published figure is the sum of its districts."""
    counties, districts = county_totals(shared_data, "Active enterprises")
    table = lad_lookup(2023)
    checked = 0
    for county, total in counties.items():
        members = table.loc[table["county"] == county, "code"]
        if len(members) and all(m in districts for m in members):
            assert sum(districts[m] for m in members) == pytest.approx(total, abs=0.5), county
            checked += 1
    assert checked == 21  # every county of 2023


def boundaries(shared_data: Path) -> tuple[list[str], list, list[str], list]:
    data = json.loads((shared_data / "boundaries" / "lad_2023" / "LADs_2023.geojson").read_text())
    lads = [f["properties"]["LAD23CD"] for f in data["features"]]
    lad_shapes = [shape(f["geometry"]) for f in data["features"]]
    reader = shapefile.Reader(str(shared_data / "boundaries" / "itl3_2021_buc" / "ITL3_JAN_2021_UK_BUC_V3"))
    itl = [r.as_dict()["ITL321CD"] for r in reader.records()]
    itl_shapes = [shape(s.__geo_interface__) for s in reader.shapes()]
    return lads, lad_shapes, itl, itl_shapes


def test_overlay_of_the_shared_boundaries_gives_the_shipped_itl3_memberships(shared_data: Path) -> None:
    """Every 2023 district lies in exactly one ITL3 region of 2021, or straddles and is reported."""
    result = overlay(*boundaries(shared_data))
    assert result.outside == []
    straddling = result.straddling.groupby("child")["parent"].agg(lambda p: ";".join(sorted(p))).to_dict()
    assert straddling == {"E06000063": "TLD11;TLD12", "S12000017": "TLM61;TLM62;TLM63",
                          "S12000021": "TLM63;TLM93", "S12000035": "TLM63;TLM81"}
    assert len(result.members) + len(straddling) == 361
    shipped = memberships()
    shipped = shipped[shipped["whole"] & shipped["parent"].str.match(r"^TL[A-Z]\w\w$")]
    shipped_2023 = shipped[shipped["child"].isin(result.members.index)].set_index("child")["parent"]
    assert shipped_2023.sort_index().to_dict() == result.members.sort_index().to_dict()
    cumberland = result.straddling.set_index(["child", "parent"])["share"]
    assert cumberland[("E06000063", "TLD11")] == pytest.approx(0.657, abs=0.005)


def test_itl3_memberships_add_up_to_the_published_itl3_hours(shared_data: Path) -> None:
    """Hours worked are constrained to ITL1 in both productivity workbooks: each ITL3 region's
    hours are the sum of its districts' (an independent check of the district-to-ITL3 lookup)."""
    def hours(name: str, code_column: int, first: int) -> dict[str, float]:
        book = xlrd.open_workbook(str(shared_data / "uk_productivity" / name))
        sheet = book.sheet_by_name("Productivity Hours")
        header = next(i for i in range(sheet.nrows) if "Hours_2022" in sheet.row_values(i))
        at = sheet.row_values(header).index("Hours_2022")
        return {str(sheet.row_values(i)[code_column]).strip(): sheet.row_values(i)[at]
                for i in range(header + first, sheet.nrows) if isinstance(sheet.row_values(i)[at], float)}

    districts = hours("labourproductivitylocalauthorities.xls", 0, 1)
    regions = hours("labourproductivityitls.xls", 1, 1)
    table = lad_lookup(2023)
    straddled = {p for parts in table["straddles_itl3"].dropna() for p in parts.split(";")}
    checked = 0
    for itl3, members in table.dropna(subset=["itl3"]).groupby("itl3")["code"]:
        if itl3 in regions and itl3 not in straddled and all(m in districts for m in members):
            assert sum(districts[m] for m in members) == pytest.approx(regions[itl3], rel=1e-6), itl3
            checked += 1
    assert checked >= 170


def test_overlay_shares_by_hand() -> None:
    found = overlay(["a", "b", "c"], [box(0, 0, 1, 1), box(1, 0, 3, 1), box(10, 10, 11, 11)],
                    ["P", "Q"], [box(0, 0, 2, 1), box(2, 0, 4, 1)])
    assert dict(found.members) == {"a": "P"}
    parts = found.straddling[["child", "parent", "share"]].to_numpy().tolist()
    assert parts == [["b", "P", 0.5], ["b", "Q", 0.5]]
    assert found.outside == ["c"]


def test_a_new_workspace_knows_every_code_with_its_dates_and_parents() -> None:
    from levelscope.data import Workspace

    with Workspace.open(":memory:") as ws:
        allerdale = ws.geography("E07000026")
        assert allerdale.valid_to == dt.date(2023, 3, 31)
        assert set(allerdale.parents) >= {"E10000006", "E12000002", "TLD11", "E92000001"}
        assert ws.geography("E06000063").valid_from == dt.date(2023, 4, 1)
        assert ws.geography("TLC11").parents == ("TLC1",)
