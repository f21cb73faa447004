"""Fetching from Nomis against a local server that answers as the Nomis API does.

The figures the server answers come from the real Nomis export in the shared data; the imported
values are checked against that export read with the csv module, the manifest against the bytes
served (hashlib), and every failure leaves the workspace and the mirror as they were.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
from new_workspace import places_in_a_new_workspace
from nomis_replay import definition_json, export_values, population_csv
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from levelscope import Workspace
from levelscope.cli import app
from levelscope.data.catalogue import catalogue
from levelscope.data.fetch import Mirror, Policy, fetch
from levelscope.errors import FetchError

DATA = "/dataset/NM_2002_1.data.csv"
DEFINITION = "/dataset/NM_2002_1.def.sdmx.json"
YEARS = ("2020", "2021", "2022")
FAST = Policy(timeout=2.0, attempts=3, backoff=0.01, max_wait=5.0)
runner = CliRunner()


@pytest.fixture(scope="module")
def answer(shared_data: Path) -> bytes:
    return population_csv(shared_data / "uk_population" / "lad_pop.csv", YEARS)


@pytest.fixture(scope="module")
def expected(shared_data: Path) -> dict[tuple[str, str], float]:
    values = export_values(shared_data / "uk_population" / "lad_pop.csv")
    return {k: float(v.replace(",", "")) for k, v in values.items()
            if k[1] in YEARS and v.strip() not in ("", "-")}


@pytest.fixture()
def ws(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Workspace.open(tmp_path / "ws.duckdb") as workspace:
        workspace.add_indicators(catalogue().values())
        yield workspace


def _serve_definition(server: HTTPServer, last_updated: str = "2024-06-05 09:30:00") -> None:
    server.expect_request(DEFINITION).respond_with_data(definition_json(last_updated),
                                                        content_type="application/json")


def _nothing_written(ws: Workspace, mirror: Path) -> None:
    assert ws.counts()["observation"] == 0 and ws.counts()["import_log"] == 0
    assert ws.counts()["geography"] == places_in_a_new_workspace()
    assert not (mirror / "manifest.json").exists()
    assert not list(mirror.glob("nomis/*"))


def test_fetch_imports_the_publishers_figures_and_mirrors_the_answer(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes,
    expected: dict[tuple[str, str], float],
) -> None:
    httpserver.expect_request(DATA).respond_with_data(answer, content_type="text/csv",
                                                      headers={"ETag": '"v1"'})
    _serve_definition(httpserver)
    mirror = tmp_path / "mirror"
    report = fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"),
                   policy=FAST)

    got = ws.observations(indicator="population")
    values = {(c, p): v for c, p, v in zip(got["geography_code"], got["period"], got["value"],
                                           strict=True)}
    assert values == expected  # every figure, and only those (the export's '-' are skipped)
    assert len(values) > 1000
    assert values[("E08000025", "2022")] == 1157603.0  # Birmingham, mid-2022, as in the export
    assert set(got["vintage"].astype(str)) == {"2024-06-05"}  # Nomis's LastUpdated

    entry = report.entry
    assert entry is not None and report.status == "downloaded"
    assert entry.sha256 == hashlib.sha256(answer).hexdigest() and entry.size == len(answer)
    assert (mirror / entry.file).read_bytes() == answer
    assert entry.release_date == "2024-06-05" and entry.licence == "Open Government Licence v3.0"
    assert entry.url.startswith(httpserver.url_for(DATA)) and "geography=TYPE424" in entry.url
    manifest = json.loads((mirror / "manifest.json").read_text())["entries"]
    assert [m["sha256"] for m in manifest] == [entry.sha256]
    assert manifest[0]["retrieved_at"].endswith("+00:00")
    asked = httpserver.log[0][0]
    assert asked.args["select"] == "date,geography_code,geography_name,obs_value,obs_status"
    assert (asked.args["gender"], asked.args["c_age"], asked.args["date"]) == ("0", "200", "latest")


def test_unchanged_data_is_not_downloaded_again(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes
) -> None:
    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(answer, content_type="text/csv", headers={"ETag": '"v1"'})

    httpserver.expect_request(DATA).respond_with_handler(conditional)
    _serve_definition(httpserver)
    mirror = tmp_path / "mirror"
    first = fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"),
                  policy=FAST)
    second = fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"),
                   policy=FAST)
    assert (first.status, second.status) == ("downloaded", "unchanged")
    assert first.values_written > 1000 and second.values_written == 0
    assert second.imports[0].values_unchanged == first.values_written
    data_requests = [r for r, _ in httpserver.log if r.path == DATA]
    assert data_requests[1].headers["If-None-Match"] == '"v1"'


def test_fetched_then_mirrored_rebuilds_the_same_workspace_offline(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes
) -> None:
    httpserver.expect_request(DATA).respond_with_data(answer, content_type="text/csv")
    _serve_definition(httpserver)
    mirror = tmp_path / "mirror"
    fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"), policy=FAST)
    httpserver.clear()  # the publisher answers nothing from here on
    with Workspace.open(tmp_path / "offline.duckdb") as again:
        again.add_indicators(catalogue().values())
        report = fetch(again, "nomis", "population", mirror=mirror,
                       base_url="http://127.0.0.1:9/", offline=True)
        assert report.status == "offline"
        columns = ["geography_code", "indicator_id", "period", "value", "vintage", "source"]
        online = ws.observations(indicator="population")[columns].reset_index(drop=True)
        offline = again.observations(indicator="population")[columns].reset_index(drop=True)
        assert online.equals(offline)
        assert again.geographies().set_index("code")["name"].to_dict() == \
            ws.geographies().set_index("code")["name"].to_dict()


def test_retry_after_is_honoured_on_429_and_500_is_retried(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes
) -> None:
    calls: list[float] = []

    def busy_then_ok(request: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        if len(calls) == 2:
            return Response("oops", status=500)
        return Response(answer, content_type="text/csv")

    httpserver.expect_request(DATA).respond_with_handler(busy_then_ok)
    _serve_definition(httpserver)
    report = fetch(ws, "nomis", "population", mirror=tmp_path / "m",
                   base_url=httpserver.url_for("/"), policy=FAST)
    assert len(calls) == 3 and report.values_written > 1000
    assert calls[1] - calls[0] >= 0.95  # waited as Retry-After said, not the 0.01 s backoff


def test_a_cut_download_resumes_where_it_stopped(
    ws: Workspace, httpserver: HTTPServer, tmp_path: Path, shared_data: Path
) -> None:
    answer = population_csv(shared_data / "uk_population" / "lad_pop.csv")  # every year: ~0.5 MB
    half = len(answer) // 2
    ranges: list[str | None] = []

    def cut_then_rest(request: Request) -> Response:
        asked = request.headers.get("Range")
        ranges.append(asked)
        if asked is not None:
            assert request.headers.get("If-Range") == '"v1"'
            start = int(asked.removeprefix("bytes=").rstrip("-"))
            return Response(answer[start:], status=206, content_type="text/csv", headers={
                "ETag": '"v1"', "Content-Range": f"bytes {start}-{len(answer) - 1}/{len(answer)}"})
        response = Response(answer[:half], content_type="text/csv",
                            headers={"ETag": '"v1"', "Connection": "close"})
        response.headers["Content-Length"] = str(len(answer))  # promises more than it sends
        return response

    httpserver.expect_request(DATA).respond_with_handler(cut_then_rest)
    _serve_definition(httpserver)
    mirror = tmp_path / "m"
    report = fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"),
                   policy=FAST)
    assert ranges[0] is None and len(ranges) == 2 and ranges[1] is not None
    assert 0 < int(ranges[1].removeprefix("bytes=").rstrip("-")) <= half  # resumed, not restarted
    assert report.entry is not None and (mirror / report.entry.file).read_bytes() == answer


def _always(response: Response):  # type: ignore[no-untyped-def]
    return lambda request: response


@pytest.mark.parametrize(("case", "cause"), [
    ("404", "404 Not Found"),
    ("500", "the publisher answered 500"),
    ("429-long", "asks to wait 3600 s"),
    ("timeout", "no answer within 0.5 s"),
    ("truncated", "cut short"),
    ("columns", "structure of Nomis's answer changed (missing OBS_VALUE; new OBS_VAL)"),
    ("bad-value", "failed levelscope's checks"),
])
def test_failures_leave_the_workspace_and_mirror_unchanged_and_name_dataset_and_cause(
    case: str, cause: str, ws: Workspace, httpserver: HTTPServer, tmp_path: Path, answer: bytes
) -> None:
    if case == "404":
        httpserver.expect_request(DATA).respond_with_data("no such dataset", status=404)
    elif case == "500":
        httpserver.expect_request(DATA).respond_with_data("down", status=500)
    elif case == "429-long":
        httpserver.expect_request(DATA).respond_with_data("later", status=429,
                                                          headers={"Retry-After": "3600"})
    elif case == "timeout":
        def slow(request: Request) -> Response:
            time.sleep(1.5)
            return Response(answer, content_type="text/csv")
        httpserver.expect_request(DATA).respond_with_handler(slow)
    elif case == "truncated":
        def cut(request: Request) -> Response:
            response = Response(answer[:len(answer) // 2], content_type="text/csv",
                                headers={"Connection": "close"})
            response.headers["Content-Length"] = str(len(answer))
            return response
        httpserver.expect_request(DATA).respond_with_handler(cut)
    elif case == "columns":
        changed = answer.replace(b"OBS_VALUE", b"OBS_VAL", 1)
        httpserver.expect_request(DATA).respond_with_data(changed, content_type="text/csv")
    else:  # a figure that is not a number: the whole answer is refused
        bad = answer.replace(b"E08000025,Birmingham,1157603", b'E08000025,Birmingham,"1157 6O3"', 1)
        assert bad != answer
        httpserver.expect_request(DATA).respond_with_data(bad, content_type="text/csv")
    _serve_definition(httpserver)
    mirror = tmp_path / "mirror"
    policy = Policy(timeout=0.5 if case == "timeout" else 3.0, attempts=2, backoff=0.01,
                    max_wait=5.0)
    with pytest.raises(FetchError) as raised:
        fetch(ws, "nomis", "population", mirror=mirror, base_url=httpserver.url_for("/"),
              policy=policy)
    message = str(raised.value)
    assert message.startswith("nomis population: ") and cause in message, message
    _nothing_written(ws, mirror)


def test_command_line_fetch_sources_and_offline_messages(
    httpserver: HTTPServer, tmp_path: Path, answer: bytes
) -> None:
    httpserver.expect_request(DATA).respond_with_data(answer, content_type="text/csv")
    _serve_definition(httpserver)
    workspace, mirror = tmp_path / "cli.duckdb", tmp_path / "mirror"
    assert runner.invoke(app, ["init", "-w", str(workspace)]).exit_code == 0

    listed = runner.invoke(app, ["sources", "--csv", "-"])
    assert listed.exit_code == 0, listed.output
    assert 'nomis,population,"Mid-year population estimates, all ages (ONS)",ONS via Nomis,' \
        'Open Government Licence v3.0,population' in listed.output
    assert "Open Government Licence v3.0" in listed.output

    done = runner.invoke(app, ["fetch", "nomis", "population", "-w", str(workspace), "--mirror",
                               str(mirror), "--base-url", httpserver.url_for("/"), "--date",
                               "2020-2022"])
    assert done.exit_code == 0, done.output
    assert "nomis population: downloaded" in done.output and "released 2024-06-05" in done.output
    assert httpserver.log[0][0].args["date"] == "2020-2022"

    # no network: say so and what to do
    offline = runner.invoke(app, ["fetch", "nomis", "population", "-w", str(workspace),
                                  "--mirror", str(tmp_path / "empty"), "--base-url",
                                  "http://127.0.0.1:9/", "--retries", "0"])
    text = " ".join(offline.output.split())
    assert offline.exit_code == 6, offline.output
    assert "nomis population: cannot reach 127.0.0.1" in text and "--offline" in text
    # offline with a mirror that lacks the selection
    lacking = runner.invoke(app, ["fetch", "nomis", "population", "-w", str(workspace),
                                  "--mirror", str(tmp_path / "empty"), "--offline"])
    assert lacking.exit_code == 6 and "does not hold this selection" in " ".join(lacking.output.split())
    # by its key alone, offline, into a new workspace (no init): the selection fetched above
    again = runner.invoke(app, ["fetch", "nomis", "population", "-w", str(tmp_path / "new.duckdb"),
                                "--mirror", str(mirror), "--offline"])
    assert again.exit_code == 0, again.output
    assert "read from the mirror (offline)" in again.output
    with Workspace.open(tmp_path / "new.duckdb", read_only=True) as new:
        assert sorted(set(new.observations(indicator="population")["period"])) == list(YEARS)
    # the mirrored file itself, given to levelscope import: read as fetch --offline reads it
    (entry,) = Mirror(mirror).entries()
    imported = runner.invoke(app, ["import", str(mirror / entry.file), "-w",
                                   str(tmp_path / "by-file.duckdb")])
    assert imported.exit_code == 0, imported.output
    assert "read from the mirror (offline)" in imported.output
    with Workspace.open(tmp_path / "by-file.duckdb", read_only=True) as by_file:
        got = by_file.observations(indicator="population")
        assert set(got["vintage"].astype(str)) == {"2024-06-05"}  # the manifest's release date
        assert sorted(set(got["period"])) == list(YEARS)
    # a selection the mirror lacks: what it holds instead
    other = runner.invoke(app, ["fetch", "nomis", "population", "-w", str(workspace),
                                "--mirror", str(mirror), "--offline", "--date", "2015"])
    said = "".join(other.output.split())
    assert other.exit_code == 6 and "(itholdshttp://" in said and "date=2020-2022" in said
    unknown = runner.invoke(app, ["fetch", "nomis", "populaton", "-w", str(workspace)])
    assert unknown.exit_code == 3 and "did you mean nomis population" in unknown.output
