"""Fetching from the ONS API against a local server answering in its documented shapes: the
edition links its latest version, the version links its CSV (V4 form) and gives the release
date; the figures are the real explorer workbook's well-being means, read with openpyxl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ons_api_replay import edition_json, v4_csv, version_json, wellbeing
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from levelscope import Workspace
from levelscope.data.catalogue import catalogue
from levelscope.data.fetch import Policy, fetch
from levelscope.errors import FetchError

EDITION = "/datasets/wellbeing-local-authority/editions/time-series"
CSV = "/downloads/datasets/wellbeing-local-authority/editions/time-series/versions/{}.csv"
FAST = Policy(timeout=10.0, attempts=2, backoff=0.01)
INDICATORS = {"Life satisfaction": "life_satisfaction", "Worthwhile": "worthwhile",
              "Happiness": "happiness", "Anxiety": "anxiety"}


@pytest.fixture(scope="module")
def figures(shared_data: Path) -> dict[tuple[str, str], tuple[float, str]]:
    return wellbeing(shared_data / "uk_subnational_indicators" / "subnatindicators.xlsx")


@pytest.fixture()
def ws(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Workspace.open(tmp_path / "ws.duckdb") as workspace:
        workspace.add_indicators(catalogue().values())
        yield workspace


def _serve(server: HTTPServer, body: bytes, version: int = 4, released: str = "2023-10-26T00:00:00.000Z",
           etag: str = '"w4"') -> None:
    base = server.url_for("/").rstrip("/")
    csv_url = server.url_for(CSV.format(version))
    server.expect_request(EDITION).respond_with_data(edition_json(base, version),
                                                     content_type="application/json")
    server.expect_request(f"{EDITION}/versions/{version}").respond_with_data(
        version_json(base, csv_url, version, released), content_type="application/json")

    def data(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type="text/csv", headers={"ETag": etag})

    server.expect_request(CSV.format(version)).respond_with_handler(data)


def test_the_latest_version_is_followed_to_its_csv_and_imported(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path,
    figures: dict[tuple[str, str], tuple[float, str]],
) -> None:
    body = v4_csv(figures)
    _serve(httpserver, body)
    mirror = tmp_path / "mirror"
    report = fetch(ws, "ons", "wellbeing", mirror=mirror, base_url=httpserver.url_for("/"),
                   policy=FAST)

    got = ws.observations(indicator=list(INDICATORS.values()))
    values = {(i, c): v for i, c, v in zip(got["indicator_id"], got["geography_code"], got["value"],
                                           strict=True)}
    assert values == {(INDICATORS[s], c): mean for (s, c), (mean, _) in figures.items()}
    assert values[("life_satisfaction", "K02000001")] == 7.45  # the UK, as the workbook prints
    assert set(got["period"]) == {"2022/23"} and set(got["vintage"].astype(str)) == {"2023-10-26"}
    names = ws.geographies().set_index("code")["name"]
    assert names["E08000025"] == figures[("Happiness", "E08000025")][1]
    # the threshold rows were left out, and the import says so
    assert "other options than those imported" in " ".join(report.imports[0].notes)
    entry = report.entry
    assert entry is not None and entry.url.endswith(EDITION)
    assert entry.download_url == httpserver.url_for(CSV.format(4))
    assert (mirror / entry.file).read_bytes() == body and entry.release_date == "2023-10-26"
    manifest = json.loads((mirror / "manifest.json").read_text())["entries"]
    assert manifest[0]["download_url"].endswith("/versions/4.csv")

    # asked again: the same version's CSV is unchanged (304) and not downloaded again
    again = fetch(ws, "ons", "wellbeing", mirror=mirror, base_url=httpserver.url_for("/"), policy=FAST)
    assert again.status == "unchanged" and again.values_written == 0
    # and offline, a new workspace is rebuilt from the mirror alone
    httpserver.clear()
    with Workspace.open(tmp_path / "offline.duckdb") as offline:
        offline.add_indicators(catalogue().values())
        rebuilt = fetch(offline, "ons", "wellbeing", mirror=mirror, base_url="http://127.0.0.1:9/",
                        offline=True)
        assert rebuilt.status == "offline"
        columns = ["geography_code", "indicator_id", "period", "value", "vintage", "source"]
        assert offline.observations(indicator=list(INDICATORS.values()))[columns].reset_index(drop=True) \
            .equals(got[columns].reset_index(drop=True))


def test_a_named_version_is_asked_for_directly(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path,
    figures: dict[tuple[str, str], tuple[float, str]],
) -> None:
    _serve(httpserver, v4_csv(figures), version=3, released="2022-10-20T00:00:00.000Z")
    report = fetch(ws, "ons", "wellbeing", selection={"version": "3"}, mirror=tmp_path / "m",
                   base_url=httpserver.url_for("/"), policy=FAST)
    asked = [r.path for r, _ in httpserver.log]
    assert asked == [f"{EDITION}/versions/3", CSV.format(3)]  # no need of the edition's document
    assert report.entry is not None and report.entry.release_date == "2022-10-20"


@pytest.mark.parametrize(("change", "cause"), [
    ("first-column", "its first column is 'observation', not v4_N"),
    ("dimension", "no dimension MeasureOfWellbeing"),
    ("no-link", "has no downloads.csv.href"),
])
def test_a_changed_structure_is_named_and_nothing_is_written(
    change: str, cause: str, ws: Workspace, httpserver: HTTPServer, tmp_path: Path,
    figures: dict[tuple[str, str], tuple[float, str]],
) -> None:
    body = v4_csv(figures)
    if change == "first-column":
        body = body.replace(b"v4_2", b"observation", 1)
    elif change == "dimension":
        body = body.replace(b"MeasureOfWellbeing", b"Measure", 1)
    if change == "no-link":
        base = httpserver.url_for("/").rstrip("/")
        httpserver.expect_request(EDITION).respond_with_data(edition_json(base, 4))
        document = json.loads(version_json(base, "x", 4, "2023-10-26T00:00:00.000Z"))
        del document["downloads"]["csv"]
        httpserver.expect_request(f"{EDITION}/versions/4").respond_with_json(document)
    else:
        _serve(httpserver, body)
    mirror = tmp_path / "mirror"
    with pytest.raises(FetchError) as raised:
        fetch(ws, "ons", "wellbeing", mirror=mirror, base_url=httpserver.url_for("/"), policy=FAST)
    assert str(raised.value).startswith("ons wellbeing: ") and cause in str(raised.value)
    assert ws.counts()["observation"] == 0 and not (mirror / "manifest.json").exists()
