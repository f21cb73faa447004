"""The demo workspace holds exactly what the publishers' files say.

Each expected figure is read here straight from the source file with a plain reader (csv,
openpyxl, xlrd, json), independently of levelscope's parsers.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
import xlrd

from levelscope.data import Workspace
from levelscope.data.demo import MirrorMissing, build_demo, find_mirror


def value(ws: Workspace, indicator: str, code: str, period: str, **kw: object) -> float:
    frame = ws.observations(indicator=indicator, geographies=[code], periods=period, **kw)
    assert len(frame) == 1, frame
    return float(frame["value"].iloc[0])


def test_gva_matches_the_ons_csv(demo_workspace: Workspace, shared_data: Path) -> None:
    folder = shared_data / "uk_gva_by_industry"
    table = next(folder.glob("Table 3c *.csv"))
    with table.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    checked = 0
    for row in rows[1:]:
        if row[2] == "Total" and row[0] in ("TLC11", "TLI31", "TLM50", "TLN0G"):
            for year in ("1998", "2010", "2021"):
                expected = float(row[header.index(year)].replace(",", ""))
                assert value(demo_workspace, "gva_current_prices", row[0], year) == expected
                checked += 1
    assert checked >= 9
    itl3 = demo_workspace.observations(indicator="gva_current_prices", level="itl3",
                                       periods="2021")
    assert len(itl3) == 179  # every ITL3 region in the 2021 table


def test_population_matches_nomis(demo_workspace: Workspace, shared_data: Path) -> None:
    lines = (shared_data / "uk_population" / "lad_pop.csv").read_text().splitlines()
    rows = list(csv.reader(lines))
    header = next(r for r in rows if len(r) > 2 and r[1] == "mnemonic")
    birmingham = next(r for r in rows if len(r) > 2 and r[1] == "E08000025")
    for year in ("1991", "2011", "2022"):
        assert value(demo_workspace, "population", "E08000025", year) == float(
            birmingham[header.index(year)]
        )
    # Northern Ireland has no 2022 figure ('-' in the file): skipped, not zero
    belfast = demo_workspace.observations(indicator="population", geographies=["N09000003"])
    assert "2022" not in set(belfast["period"]) and "2021" in set(belfast["period"])


def test_explorer_sheets_match_the_workbook(demo_workspace: Workspace, shared_data: Path) -> None:
    book = openpyxl.load_workbook(
        shared_data / "uk_subnational_indicators" / "subnatindicators.xlsx", read_only=True
    )
    rows = list(book["Weekly pay"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "Area Code")
    manchester = next(r for r in rows[head:] if r[0] == "E08000003")
    got = demo_workspace.observations(indicator="weekly_pay", geographies=["E08000003"])
    assert got["period"].tolist() == ["2023"]
    assert got[["value", "lower", "upper"]].iloc[0].tolist() == [
        manchester[6], manchester[7], manchester[8]
    ]
    rows = list(book["Female HLE"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "Area Code")
    uk = next(r for r in rows[head:] if r[0] == "K02000001")
    assert value(demo_workspace, "healthy_life_expectancy_female", "K02000001", "2018-2020") == uk[8]


def test_productivity_revision_keeps_both_vintages(
    demo_workspace: Workspace, shared_data: Path
) -> None:
    """GVA per hour for 2021 came in the explorer (March 2024) and again, revised, in the
    June 2024 productivity release; both are kept and ``as_of`` chooses between them."""
    sheet = xlrd.open_workbook(
        str(shared_data / "uk_productivity" / "labourproductivitylocalauthorities.xls")
    ).sheet_by_name("A3")
    header_at = next(i for i in range(sheet.nrows) if sheet.row_values(i)[0] == "LAD_Code")
    header = sheet.row_values(header_at)
    hartlepool = next(
        sheet.row_values(i) for i in range(sheet.nrows) if sheet.row_values(i)[0] == "E06000001"
    )
    june = hartlepool[header.index("Pounds_2021")]
    book = openpyxl.load_workbook(
        shared_data / "uk_subnational_indicators" / "subnatindicators.xlsx", read_only=True
    )
    march = next(r for r in book["GVA per hour"].iter_rows(values_only=True) if r[0] == "E06000001")[4]
    assert value(demo_workspace, "gva_per_hour_worked", "E06000001", "2021") == june
    assert value(demo_workspace, "gva_per_hour_worked", "E06000001", "2021",
                 as_of="2024-05-01") == march
    assert demo_workspace.vintages("gva_per_hour_worked") == [
        dt.date(2024, 3, 21), dt.date(2024, 6, 1)
    ]


def test_geographies_boundaries_and_lookups(demo_workspace: Workspace, shared_data: Path) -> None:
    features = json.loads(
        (shared_data / "boundaries" / "lad_2023" / "LADs_2023.geojson").read_text()
    )["features"]
    codes, shapes, crs = demo_workspace.geometries("lad")
    assert sorted(codes) == sorted(f["properties"]["LAD23CD"] for f in features)
    assert crs == "EPSG:27700"
    first = next(f for f in features if f["properties"]["LAD23CD"] == codes[0])
    assert shapes[0].bounds[0] == pytest.approx(
        min(p[0] for ring in _rings(first["geometry"]) for p in ring)
    )
    assert len(demo_workspace.geometries("itl3")[0]) == 179
    with (shared_data / "boundaries" / "lad_2023" / "LADs_to_region.csv").open(
        encoding="utf-8-sig"
    ) as handle:
        lookup = {r["LAD23CD"]: r["RGN23CD"] for r in csv.DictReader(handle)}
    places = demo_workspace.geographies("lad").set_index("code")
    assert all(lookup[c] in places.loc[c, "parents"] for c in lookup)
    # Allerdale (Cumbria) was abolished on 1 April 2023 and carries that end date
    assert places.loc["E07000026", "valid_to"].date() == dt.date(2023, 3, 31)
    assert demo_workspace.geography("TLC11").parents == ("TLC1",)


def _rings(geometry: dict) -> list:  # type: ignore[type-arg]
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def test_demo_rebuild_is_idempotent(demo_workspace_path: Path, shared_data: Path,
                                    tmp_path: Path) -> None:
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(demo_workspace_path.read_bytes())
    with Workspace.open(copy) as ws:
        before = ws.counts()
        report = build_demo(ws, shared_data)
        assert report.values_written == 0
        assert ws.counts() == before


def test_missing_mirror_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEVELSCOPE_MIRROR", raising=False)
    with pytest.raises(MirrorMissing, match="LEVELSCOPE_MIRROR"):
        find_mirror()
    with pytest.raises(MirrorMissing, match=r"lacks 8 of the demo.s 8 inputs: subnatindicators\.xlsx"):
        find_mirror(tmp_path)
