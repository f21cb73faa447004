"""Fetching OECD and Eurostat regional tables as SDMX-CSV from a local server.

The answers are the shared data's OECD SDMX extract and Eurostat extract, laid out as each
publisher's SDMX-CSV (the OECD's ``STRUCTURE, STRUCTURE_ID, ACTION`` columns before the
dimensions; Eurostat's ``DATAFLOW, LAST UPDATE``, lower-case dimensions, ``TIME_PERIOD,
OBS_VALUE, OBS_FLAG``). Values are checked against the same files read with the csv module.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from new_workspace import places_in_a_new_workspace
from pytest_httpserver import HTTPServer

from levelscope import Workspace
from levelscope.data.fetch import Policy, fetch
from levelscope.errors import FetchError

FAST = Policy(timeout=10.0, attempts=2, backoff=0.01)
OECD_PATH = "/data/OECD.CFE.EDS,DSD_REG_ECO@DF_GDP,/all"
EUROSTAT_PATH = "/data/tgs00010"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture(scope="module")
def oecd_rows(shared_data: Path) -> list[dict[str, str]]:
    rows = _rows(shared_data / "international" / "oecd_reg_eco_gdp_pop_emp_2019_2020.csv")
    # a slice of countries keeps the test quick
    return [r for r in rows if r["COUNTRY"] in ("DEU", "FRA", "GBR")]


def _oecd_answer(rows: list[dict[str, str]]) -> bytes:
    return _csv([{"STRUCTURE": "DATAFLOW", "STRUCTURE_ID": "OECD.CFE.EDS:DSD_REG_ECO@DF_GDP(2.0)",
                  "ACTION": "I", "FREQ": "A", **r} for r in rows])


@pytest.fixture(scope="module")
def eurostat_rows(shared_data: Path) -> list[dict[str, str]]:
    rows = _rows(shared_data / "international" / "eurostat_nuts2_indicators_2007_2020.csv")
    return [r for r in rows if r["eurostat_table"] == "tgs00010"]


def _eurostat_answer(rows: list[dict[str, str]]) -> bytes:
    return _csv([{"DATAFLOW": "ESTAT:TGS00010(1.0)", "LAST UPDATE": "26/04/24 23:00:00",
                  "freq": "A", "isced11": "TOTAL", "sex": r["sex"], "age": r["age"],
                  "unit": r["unit"], "geo": r["geo"], "TIME_PERIOD": r["year"],
                  "OBS_VALUE": r["value"], "OBS_FLAG": ""} for r in rows])


def test_oecd_regional_gdp_through_the_sdmx_reader(
    httpserver: HTTPServer, tmp_path: Path, oecd_rows: list[dict[str, str]]
) -> None:
    httpserver.expect_request(OECD_PATH).respond_with_data(
        _oecd_answer(oecd_rows), content_type="application/vnd.sdmx.data+csv",
        headers={"Last-Modified": "Thu, 18 Dec 2025 10:00:00 GMT"})
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        report = fetch(ws, "oecd", "regional-gdp", mirror=tmp_path / "m", selection={"date": "2019-2020"},
                       base_url=httpserver.url_for("/"), policy=FAST)
        # Leipzig (DED51), GDP per head in USD PPP at current prices, 2019, as in the extract
        expected = next(float(r["OBS_VALUE"]) for r in oecd_rows if r["REF_AREA"] == "DED51"
                        and r["MEASURE"] == "GDP" and r["UNIT_MEASURE"] == "USD_PPP_PS"
                        and r["PRICES"] == "V" and r["TIME_PERIOD"] == "2019")
        got = ws.observations(indicator="oecd_reg_gdp_per_head_usd_ppp_current",
                              geographies=["DED51"], periods="2019")
        assert got["value"].tolist() == [pytest.approx(expected)]
        assert str(got["vintage"].iloc[0].date()) == "2025-12-18"  # the answer's Last-Modified
        assert ws.geography("DED51").level == "oecd_tl3"
    asked = httpserver.log[0][0]
    assert (asked.args["startPeriod"], asked.args["endPeriod"], asked.args["format"]) == (
        "2019", "2020", "csvfile")
    assert report.entry is not None and report.entry.licence == "CC BY 4.0"


def test_eurostat_unemployment_dated_by_last_update(
    httpserver: HTTPServer, tmp_path: Path, eurostat_rows: list[dict[str, str]]
) -> None:
    httpserver.expect_request(EUROSTAT_PATH).respond_with_data(_eurostat_answer(eurostat_rows))
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        report = fetch(ws, "eurostat", "unemployment-rate", mirror=tmp_path / "m",
                       base_url=httpserver.url_for("/"), policy=FAST)
        got = ws.observations(indicator="eu_unemployment_rate", geographies=["DED5"], periods="2008")
        assert got["value"].tolist() == [14.3]  # Leipzig NUTS 2, both sexes, 2008, in the extract
        assert str(got["vintage"].iloc[0].date()) == "2024-04-26"
        assert report.entry is not None and report.entry.release_date == "2024-04-26"
        female = ws.observations(indicator="eu_unemployment_rate_female", geographies=["DED5"],
                                 periods="2008")
        assert female["value"].tolist() == [13.1]
    assert httpserver.log[0][0].args["format"] == "SDMX-CSV"


def test_a_changed_eurostat_structure_writes_nothing(
    httpserver: HTTPServer, tmp_path: Path, eurostat_rows: list[dict[str, str]]
) -> None:
    changed = _eurostat_answer(eurostat_rows).replace(b"TIME_PERIOD", b"time", 1)
    httpserver.expect_request(EUROSTAT_PATH).respond_with_data(changed)
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(FetchError, match=r"^eurostat unemployment-rate: the structure of "
                           r"Eurostat's answer changed \(missing TIME_PERIOD"):
            fetch(ws, "eurostat", "unemployment-rate", mirror=tmp_path / "m",
                  base_url=httpserver.url_for("/"), policy=FAST)
        assert ws.counts()["observation"] == 0
        assert ws.counts()["geography"] == places_in_a_new_workspace()


def test_an_unknown_oecd_series_writes_no_places_either(
    httpserver: HTTPServer, tmp_path: Path, oecd_rows: list[dict[str, str]]
) -> None:
    odd = [dict(r) for r in oecd_rows[:50]]
    odd[10]["MEASURE"] = "GVA"
    httpserver.expect_request(OECD_PATH).respond_with_data(_oecd_answer(odd))
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(FetchError, match=r"(?s)^oecd regional-gdp: .*'GVA/XDC_WR/Q': unknown series"):
            fetch(ws, "oecd", "regional-gdp", mirror=tmp_path / "m",
                  base_url=httpserver.url_for("/"), policy=FAST)
        assert ws.counts()["observation"] == 0
        assert ws.counts()["geography"] == places_in_a_new_workspace()
    assert not (tmp_path / "m" / "manifest.json").exists()
