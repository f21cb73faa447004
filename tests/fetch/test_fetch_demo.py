"""The demo built from a mirror that ``levelscope fetch`` filled, with the network off.

A local server answers as Nomis and the ONS do, from the publishers' files in the shared data
(Nomis's API CSV, in pages, built from its web export; the ONS workbooks as they are). The demo's
fetchable inputs are fetched into a temporary mirror, the others (GVA tables, boundaries,
international and funding files) copied beside them by hand, and the demo built from that mirror
with every network connection refused must hold exactly the values of the demo built from the
shared data folder itself.
"""

from __future__ import annotations

import csv
import io
import shutil
import socket
from pathlib import Path

import pytest
from nomis_replay import definition_json, paged, population_csv
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from levelscope import Workspace
from levelscope.data.demo import build_demo, find_mirror
from levelscope.data.demo_inputs import INPUTS
from levelscope.data.fetch import Policy, fetch
from levelscope.errors import MirrorMissing

FAST = Policy(timeout=10.0, attempts=2, backoff=0.01)
#: The demo's inputs that have a connector, and where each is in the shared data.
FETCHED = {
    ("ons", "subnational-indicators"): "uk_subnational_indicators/subnatindicators.xlsx",
    ("ons", "productivity"): "uk_productivity/labourproductivitylocalauthorities.xls",
    ("ons", "productivity-itls"): "uk_productivity/labourproductivityitls.xls",
    ("nomis", "population"): "uk_population/lad_pop.csv",
}
#: The OECD's regional-economy extract, which ``oecd regional-gdp`` fetches in SDMX-CSV.
OECD_EXTRACT = "international/oecd_reg_eco_gdp_pop_emp_2019_2020.csv"
#: What the demo also reads from the shared data: placed in the mirror by hand.
BY_HAND = ("uk_gva_by_industry", "boundaries", "international", "funding", "deprivation")


def _ons_files(shared_data: Path):  # type: ignore[no-untyped-def]
    """The ONS site's /file?uri=…/NAME: the workbook NAME as the shared data holds it."""
    by_name = {Path(p).name: shared_data / p for (source, _), p in FETCHED.items() if source == "ons"}

    def answer(request: Request) -> Response:
        name = request.args["uri"].rsplit("/", 1)[-1]
        return Response(by_name[name].read_bytes()) if name in by_name else Response(status=404)

    return answer


def _fill_mirror(mirror: Path, shared_data: Path, server: HTTPServer, scratch: Path) -> None:
    export = shared_data / FETCHED[("nomis", "population")]
    answer = population_csv(export)
    server.expect_request("/dataset/NM_2002_1.data.csv").respond_with_handler(
        lambda request: paged(answer, request))
    # the export says it was taken "from Nomis on 5 June 2024": the release it holds
    server.expect_request("/dataset/NM_2002_1.def.sdmx.json").respond_with_data(
        definition_json("2024-06-05 09:30:00"))
    server.expect_request("/file").respond_with_handler(_ons_files(shared_data))
    # the OECD answers its extract's rows in SDMX-CSV, dated as the extract was retrieved
    server.expect_request("/data/OECD.CFE.EDS,DSD_REG_ECO@DF_GDP,/all").respond_with_data(
        _sdmx_csv(shared_data / OECD_EXTRACT),
        headers={"Last-Modified": "Thu, 18 Dec 2025 10:00:00 GMT"})
    with Workspace.open(scratch / "fetching.duckdb") as ws:
        for source, dataset in [*FETCHED, ("oecd", "regional-gdp")]:
            selection = {"date": "1991-2022"} if source == "nomis" else None
            fetch(ws, source, dataset, selection=selection, mirror=mirror, policy=FAST,
                  base_url=server.url_for("/"), page_rows=5_000)
    for folder in BY_HAND:
        shutil.copytree(shared_data / folder, mirror / "by-hand" / folder,
                        ignore=lambda _folder, names: [n for n in names if OECD_EXTRACT.endswith(n)])


def _sdmx_csv(extract: Path) -> bytes:
    """The extract as the OECD's SDMX-CSV answer: its columns after SDMX-CSV's own."""
    rows = list(csv.DictReader(extract.open(newline="", encoding="utf-8")))
    out = io.StringIO()
    columns = ["STRUCTURE", "STRUCTURE_ID", "ACTION", *rows[0]]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({"STRUCTURE": "DATAFLOW", "STRUCTURE_ID": "OECD.CFE.EDS:DSD_REG_ECO@DF_GDP(2.0)",
                      "ACTION": "I", **row} for row in rows)
    return out.getvalue().encode()


def _values(ws: Workspace) -> dict[str, list[tuple[object, ...]]]:
    """Every value, place and parent the workspace holds, in a fixed order."""
    queries = {
        "observation": "SELECT geography_code, indicator_id, period, period_start, period_end, "
                       "value, lower, upper, vintage, source FROM observation",
        "derived": "SELECT * FROM derived_observation",
        "geography": "SELECT code, name, level, valid_from, valid_to, geometry FROM geography",
        "parent": "SELECT child, parent FROM geography_parent",
    }
    return {name: sorted(ws.con.execute(sql).fetchall(), key=repr) for name, sql in queries.items()}


@pytest.mark.slow
def test_a_fetched_mirror_rebuilds_the_demo_offline_with_identical_values(
    httpserver: HTTPServer, tmp_path: Path, shared_data: Path, demo_workspace_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mirror = tmp_path / "mirror"
    _fill_mirror(mirror, shared_data, httpserver, tmp_path)
    # only the fetched copies are there
    assert not list(mirror.rglob("subnatindicators.xlsx"))
    assert not list(mirror.rglob(Path(OECD_EXTRACT).name))
    asked = len(httpserver.log)

    def refused(*_args: object) -> None:
        raise OSError("the network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refused)
    with Workspace.open(tmp_path / "demo.duckdb") as ws:
        report = build_demo(ws, mirror)
        rebuilt = _values(ws)
    assert len(httpserver.log) == asked
    assert {(f.entry.source, f.entry.dataset) for f in report.fetched if f.entry} == {
        *FETCHED, ("oecd", "regional-gdp")}
    with Workspace.open(demo_workspace_path, read_only=True) as reference:
        expected = _values(reference)
    assert len(expected["observation"]) > 250_000
    for table, rows in expected.items():
        assert rebuilt[table] == rows, table


def test_a_mirror_lacking_inputs_names_each_with_its_fetch_command_and_file(
    tmp_path: Path, shared_data: Path
) -> None:
    (tmp_path / "lad_2023").mkdir()
    shutil.copy(shared_data / "boundaries" / "lad_2023" / "LADs_2023.geojson", tmp_path / "lad_2023")
    with pytest.raises(MirrorMissing) as raised:
        find_mirror(tmp_path)
    message = str(raised.value)
    lines = message.splitlines()
    assert lines[0].startswith(f"mirror folder {tmp_path} lacks 7 of the demo's 8 inputs")
    assert (f"  - ONS Subnational indicators explorer dataset: run `levelscope fetch ons "
            f"subnational-indicators --mirror {tmp_path}`, or place subnatindicators.xlsx "
            "there") in lines
    assert (f"  - mid-year population by local authority, 1991-2022 (Nomis): run `levelscope "
            f"fetch nomis population --date 1991-2022 --mirror {tmp_path}`, or place lad_pop.csv "
            "there") in lines
    assert ("  - LAD to region lookup (ONS Open Geography Portal): no connector; place "
            "LADs_to_region.csv there by hand") in lines
    assert "LADs_2023.geojson" not in message.split("\n", 1)[1].split("Read when present")[0]
    assert "levelling-up-fund-round-1.csv" in lines[-1]
    # one line for each missing input, and none for the one there
    assert len(lines) == 1 + (len(INPUTS) - 1) + 1


def test_a_fetched_input_stands_in_for_the_publishers_file_and_a_damaged_one_is_refused(
    httpserver: HTTPServer, tmp_path: Path, shared_data: Path
) -> None:
    from levelscope.data.demo_inputs import locate
    from levelscope.errors import FetchError

    mirror = tmp_path / "mirror"
    httpserver.expect_request("/file").respond_with_handler(_ons_files(shared_data))
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        report = fetch(ws, "ons", "productivity-itls", mirror=mirror, policy=FAST,
                       base_url=httpserver.url_for("/"))
    with pytest.raises(MirrorMissing) as raised:
        locate(mirror)
    assert "labourproductivityitls.xls" not in str(raised.value).splitlines()[0]
    assert "lacks 7 of" in str(raised.value)
    assert report.entry is not None
    (mirror / report.entry.file).write_bytes(b"changed")
    with pytest.raises(FetchError, match="does not match the SHA-256"):
        locate(mirror)


def test_fetched_eurostat_tables_stand_in_for_the_extract_only_where_it_is_not_placed(
    httpserver: HTTPServer, tmp_path: Path, shared_data: Path
) -> None:
    from levelscope.data.demo_inputs import locate_international

    extract = shared_data / "international" / "eurostat_nuts2_indicators_2007_2020.csv"
    rows = [r for r in csv.DictReader(extract.open(newline="", encoding="utf-8"))
            if r["eurostat_table"] == "tgs00010" and r["geo"].startswith("DE")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["DATAFLOW", "LAST UPDATE", "freq", "isced11", "sex", "age", "unit", "geo",
                     "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG"])
    writer.writerows(["ESTAT:TGS00010(1.0)", "26/04/24 23:00:00", "A", "TOTAL", r["sex"], r["age"],
                      r["unit"], r["geo"], r["year"], r["value"], ""] for r in rows)
    httpserver.expect_request("/data/tgs00010").respond_with_data(out.getvalue())
    mirror = tmp_path / "mirror"
    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        fetch(ws, "eurostat", "unemployment-rate", mirror=mirror, policy=FAST,
              base_url=httpserver.url_for("/"))

    placed, fetched = locate_international(mirror)
    assert placed == {}
    assert [(f.entry.dataset, f.entry.release_date) for f in fetched if f.entry] == [
        ("unemployment-rate", "2024-04-26")]
    shutil.copy(extract, mirror / extract.name)  # the whole extract, placed: it is read instead
    placed, fetched = locate_international(mirror)
    assert placed == {extract.name: mirror / extract.name} and fetched == []
