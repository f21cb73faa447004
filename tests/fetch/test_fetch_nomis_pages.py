"""Nomis's answers in pages: at most 25,000 rows a call, asked for with ``recordoffset`` and
``recordlimit`` on the dataset's ``data.csv`` endpoint, each page with its header row.

The local server pages the CSV built from the real Nomis export in the shared data the way the
API does (here three rows short of four pages of 1,000 rows, so that the tests stay small); the
assembled import is checked against the export read with the csv module, and a page that fails
in the middle leaves nothing written and, on the next run, the complete pages are asked for
conditionally and not downloaded again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nomis_replay import definition_json, export_values, paged, population_csv
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from levelscope import Workspace
from levelscope.data.catalogue import catalogue
from levelscope.data.fetch import Policy, fetch
from levelscope.data.fetch.paging import page_url
from levelscope.errors import FetchError

DATA = "/dataset/NM_2002_1.data.csv"
DEFINITION = "/dataset/NM_2002_1.def.sdmx.json"
PAGE = 1_000
FAST = Policy(timeout=3.0, attempts=2, backoff=0.01, max_wait=5.0)


@pytest.fixture(scope="module")
def answer(shared_data: Path) -> bytes:
    """Every year of the export: several thousand rows, so several pages of 1,000."""
    return population_csv(shared_data / "uk_population" / "lad_pop.csv")


@pytest.fixture(scope="module")
def expected(shared_data: Path) -> dict[tuple[str, str], float]:
    values = export_values(shared_data / "uk_population" / "lad_pop.csv")
    return {k: float(v.replace(",", "")) for k, v in values.items() if v.strip() not in ("", "-")}


@pytest.fixture()
def ws(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Workspace.open(tmp_path / "ws.duckdb") as workspace:
        workspace.add_indicators(catalogue().values())
        yield workspace


def test_page_url_adds_the_offset_and_limit() -> None:
    assert page_url("https://x/dataset/NM_1_1.data.csv?date=latest", 50_000, 25_000) == \
        "https://x/dataset/NM_1_1.data.csv?date=latest&recordoffset=50000&recordlimit=25000"
    assert page_url("https://x/d.csv", 0, 10).endswith("d.csv?recordoffset=0&recordlimit=10")


def test_every_page_is_fetched_and_assembled(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes,
    expected: dict[tuple[str, str], float],
) -> None:
    rows = answer.count(b"\n") - 1
    assert rows > 3 * PAGE and rows % PAGE  # a short last page ends the paging
    httpserver.expect_request(DATA).respond_with_handler(lambda r: paged(answer, r))
    httpserver.expect_request(DEFINITION).respond_with_data(definition_json())
    mirror = tmp_path / "mirror"
    report = fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"),
                   policy=FAST, page_rows=PAGE)

    got = ws.observations(indicator="population")
    values = {(c, p): v for c, p, v in zip(got["geography_code"], got["period"], got["value"],
                                           strict=True)}
    assert values == expected and len(values) > 3 * PAGE - 100
    offsets = [int(r.args["recordoffset"]) for r, _ in httpserver.log if r.path == DATA]
    assert offsets == list(range(0, rows, PAGE))  # each page once, in order
    assert {r.args["recordlimit"] for r, _ in httpserver.log if r.path == DATA} == {str(PAGE)}
    entry = report.entry
    assert entry is not None and entry.pages == -(-rows // PAGE)
    assert (mirror / entry.file).read_bytes() == answer  # the pages' rows under one header
    assert "recordoffset" not in entry.url and f"in {entry.pages} pages" in str(report)
    assert not list((mirror / ".partial").iterdir())


def test_an_exact_number_of_pages_ends_with_a_page_of_the_header_alone(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes,
) -> None:
    lines = answer.splitlines(keepends=True)
    exact = b"".join(lines[:1 + 2 * PAGE])
    httpserver.expect_request(DATA).respond_with_handler(lambda r: paged(exact, r))
    httpserver.expect_request(DEFINITION).respond_with_data(definition_json())
    report = fetch(ws, "nomis", "population", mirror=tmp_path / "m", base_url=httpserver.url_for("/"),
                   policy=FAST, page_rows=PAGE)
    assert [int(r.args["recordoffset"]) for r, _ in httpserver.log if r.path == DATA] == \
        [0, PAGE, 2 * PAGE]
    assert report.entry is not None and report.entry.pages == 3
    assert sum(r.rows_read for r in report.imports) == 2 * PAGE


def test_a_failed_middle_page_writes_nothing_and_the_next_run_keeps_the_done_pages(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes,
    expected: dict[tuple[str, str], float],
) -> None:
    broken = {"on": True}

    def second_page_down(request: Request) -> Response:
        if broken["on"] and request.args.get("recordoffset") == str(PAGE):
            return Response("down", status=500)
        return paged(answer, request)

    httpserver.expect_request(DATA).respond_with_handler(second_page_down)
    httpserver.expect_request(DEFINITION).respond_with_data(definition_json())
    mirror = tmp_path / "mirror"
    with pytest.raises(FetchError) as raised:
        fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"),
              policy=FAST, page_rows=PAGE)
    message = str(raised.value)
    assert message.startswith("nomis population, page 2 (rows from 1,000): the publisher answered 500")
    assert "the 1 page(s) before it are complete and kept" in message
    assert ws.counts()["observation"] == 0 and not (mirror / "manifest.json").exists()
    assert not list(mirror.glob("nomis/*"))

    broken["on"] = False
    httpserver.log.clear()
    report = fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"),
                   policy=FAST, page_rows=PAGE)
    pages = [(r.args["recordoffset"], r.headers.get("If-None-Match"), response.status_code)
             for r, response in httpserver.log if r.path == DATA]
    # the done first page is asked for conditionally and answered 304: not downloaded again
    assert pages[0] == ("0", '"v1"', 304)
    assert all(etag is None and status == 200 for _, etag, status in pages[1:])
    assert [offset for offset, _, _ in pages[1:]] == [str(o) for o in range(PAGE, len(pages) * PAGE, PAGE)]
    got = ws.observations(indicator="population")
    assert dict(zip(zip(got["geography_code"], got["period"], strict=True), got["value"],
                    strict=True)) == expected
    assert report.entry is not None and (mirror / report.entry.file).read_bytes() == answer


def test_a_page_whose_header_changed_is_refused(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes,
) -> None:
    def renamed_later(request: Request) -> Response:
        response = paged(answer, request)
        if request.args.get("recordoffset") != "0":
            response.set_data(response.get_data().replace(b"OBS_VALUE", b"OBS_VAL", 1))
        return response

    httpserver.expect_request(DATA).respond_with_handler(renamed_later)
    httpserver.expect_request(DEFINITION).respond_with_data(definition_json())
    mirror = tmp_path / "mirror"
    with pytest.raises(FetchError, match=r"nomis population: the header of page 2 .*OBS_VAL.* "
                                         r"differs from the first page's"):
        fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"),
              policy=FAST, page_rows=PAGE)
    assert ws.counts()["observation"] == 0 and not (mirror / "manifest.json").exists()


def test_a_server_that_does_not_page_is_read_in_one_call(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes,
) -> None:
    httpserver.expect_request(DATA).respond_with_data(answer, content_type="text/csv")
    httpserver.expect_request(DEFINITION).respond_with_data(definition_json())
    report = fetch(ws, "nomis", "population", mirror=tmp_path / "m", base_url=httpserver.url_for("/"),
                   policy=FAST, page_rows=PAGE)
    assert len([r for r, _ in httpserver.log if r.path == DATA]) == 1
    assert report.entry is not None and report.entry.pages == 1
    assert sum(r.rows_read for r in report.imports) == answer.count(b"\n") - 1
