"""Fetching the ONS Subnational indicators explorer workbook from a local server that serves the
real file, read through the ONS parser; values checked against the workbook read with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from new_workspace import places_in_a_new_workspace
from pytest_httpserver import HTTPServer

from levelscope import Workspace
from levelscope.data.catalogue import catalogue
from levelscope.data.fetch import Policy, fetch
from levelscope.errors import FetchError

PATH = "/file"
FAST = Policy(timeout=10.0, attempts=2, backoff=0.01)


@pytest.fixture(scope="module")
def workbook(shared_data: Path) -> Path:
    return shared_data / "uk_subnational_indicators" / "subnatindicators.xlsx"


def _birmingham_gva_per_hour(workbook: Path) -> float:
    sheet = openpyxl.load_workbook(workbook, read_only=True)["GVA per hour"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Area Code")
    value_at = next(i for i, h in enumerate(rows[header]) if h and str(h).startswith("Gross Value"))
    return float(next(r[value_at] for r in rows[header + 1:] if r and r[0] == "E08000025"))


@pytest.mark.slow
def test_the_explorer_workbook_is_fetched_read_and_dated_by_its_own_metadata(
    httpserver: HTTPServer, tmp_path: Path, workbook: Path
) -> None:
    body = workbook.read_bytes()
    httpserver.expect_request(PATH).respond_with_data(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        ws.add_indicators(catalogue().values())
        report = fetch(ws, "ons", "subnational-indicators", mirror=tmp_path / "m",
                       base_url=httpserver.url_for("/"), policy=FAST)
        got = ws.observations(indicator="gva_per_hour_worked", geographies=["E08000025"])
        assert got["value"].tolist() == [pytest.approx(_birmingham_gva_per_hour(workbook))]
        assert len(report.imports) > 40 and report.values_written > 10_000
        # the vintage is the workbook's own date, not the server's Last-Modified
        # (the ninth release's data dictionary dates it 21 March 2024)
        assert report.entry is not None and report.entry.release_date == "2024-03-21"
        assert got["vintage"].iloc[0].date().isoformat() == "2024-03-21"
        assert httpserver.log[0][0].args["uri"].endswith("/current/subnatindicators.xlsx")


def test_a_workbook_that_is_not_the_explorer_is_refused_and_nothing_is_written(
    httpserver: HTTPServer, tmp_path: Path, shared_data: Path
) -> None:
    other = shared_data / "deprivation" / \
        "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
    httpserver.expect_request(PATH).respond_with_data(other.read_bytes())
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        ws.add_indicators(catalogue().values())
        with pytest.raises(FetchError, match=r"^ons subnational-indicators: "):
            fetch(ws, "ons", "subnational-indicators", mirror=tmp_path / "m",
                  base_url=httpserver.url_for("/"), policy=FAST)
        assert ws.counts()["observation"] == 0
        assert ws.counts()["geography"] == places_in_a_new_workspace()
    assert not (tmp_path / "m" / "manifest.json").exists()


def _xls_figures(path: Path, sheet: str) -> dict[tuple[str, str], float]:
    """(code, year) → pounds of a productivity table, read with xlrd."""
    import xlrd

    table = xlrd.open_workbook(str(path)).sheet_by_name(sheet)
    rows = [table.row_values(i) for i in range(table.nrows)]
    at = next(i for i, r in enumerate(rows) if r[0] == "LAD_Code")
    years = {j: str(h).removeprefix("Pounds_") for j, h in enumerate(rows[at])
             if str(h).startswith("Pounds_")}
    out = {}
    for row in rows[at + 1:]:
        if not row[0]:
            break
        out.update({(str(row[0]), year): float(row[j]) for j, year in years.items()
                    if isinstance(row[j], float)})
    return out


@pytest.mark.slow
def test_the_productivity_workbook_is_fetched_and_read_by_the_demos_parser(
    httpserver: HTTPServer, tmp_path: Path, shared_data: Path
) -> None:
    workbook = shared_data / "uk_productivity" / "labourproductivitylocalauthorities.xls"
    httpserver.expect_request(PATH).respond_with_data(workbook.read_bytes(),
                                                      content_type="application/vnd.ms-excel")
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        ws.add_indicators(catalogue().values())
        report = fetch(ws, "ons", "productivity", mirror=tmp_path / "m",
                       base_url=httpserver.url_for("/"), policy=FAST)
        for indicator, sheet in (("gva_per_hour_worked", "A3"), ("gva_per_filled_job", "B3")):
            expected = {k: v for k, v in _xls_figures(workbook, sheet).items()
                        if k[0].startswith(("E0", "W0", "S1", "N0"))}
            got = ws.observations(indicator=indicator, geographies=sorted({c for c, _ in expected}))
            values = dict(zip(zip(got["geography_code"], got["period"], strict=True), got["value"],
                              strict=True))
            assert values == pytest.approx(expected)
            assert len(values) > 5_000
        assert report.entry is not None and report.entry.release_date == "2024-06-01"
        assert httpserver.log[0][0].args["uri"].endswith("/current/labourproductivitylocalauthorities.xls")
