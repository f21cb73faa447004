"""The command line, the REST API and the pages present the same international results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from levelscope.cli import app

runner = CliRunner()


def test_cli_place_inequality_and_synth(demo_workspace_path: Path, tmp_path: Path) -> None:
    ws = ["--workspace", str(demo_workspace_path)]
    done = runner.invoke(app, ["international", "place", "leipzig", *ws], env={"COLUMNS": "160"})
    assert done.exit_code == 0, done.output
    assert "Leipzig against Germany" in done.output and "Germany = 100" in done.output
    table = tmp_path / "ranking.csv"
    done = runner.invoke(app, ["international", "inequality", "--n-resamples", "49", "--csv",
                               str(table), *ws], env={"COLUMNS": "160"})
    assert done.exit_code == 0, done.output
    # the shared console keeps the width it started with, so a name may wrap inside its cell
    assert {"United", "Kingdom"} <= set(done.output.split()) and "modifiable areal unit" in done.output
    assert "seed 0" in done.output
    frame = pd.read_csv(table)
    assert {"geography_code", "year", "measure", "estimate", "lower", "upper", "rank",
            "n_regions"} <= set(frame.columns)
    done = runner.invoke(app, ["international", "synth", "leipzig", "--start", "2010",
                               "--max-donors", "8", "--no-placebos", *ws], env={"COLUMNS": "160"})
    assert done.exit_code == 0, done.output
    assert "EXPLORATORY" in done.output


def test_cli_says_what_is_wrong(demo_workspace_path: Path) -> None:
    ws = ["--workspace", str(demo_workspace_path)]
    missing = runner.invoke(app, ["international", "place", "atlantis", *ws])
    assert missing.exit_code == 3 and "no place 'atlantis'" in missing.output
    mixed = runner.invoke(app, ["international", "place", "DED5", "--indicator",
                                "eu_household_income_per_head", "--benchmark", "oecd_gdp_per_head", *ws])
    assert mixed.exit_code == 1 and "cannot be compared" in mixed.output


def test_rest_endpoints(client: TestClient) -> None:
    answer = client.get("/api/international/places/south_yorkshire")
    assert answer.status_code == 200
    body = answer.json()
    assert body["result"]["units"] == ["UKE31", "UKE32"] and body["result"]["country"] == "GBR"
    assert {e["year"] for e in body["timeline"]} == {2020, 2023}
    assert len(body["table"]) == 21
    assert client.get("/api/international/places/atlantis").status_code == 404
    mixed = client.get("/api/international/places/DED5",
                       params={"indicator": "eu_household_income_per_head", "benchmark": "oecd_gdp_per_head"})
    assert mixed.status_code == 422 and "cannot be compared" in mixed.json()["detail"]
    ranking = client.get("/api/international/inequality", params={"n_resamples": 49})
    assert ranking.status_code == 200
    data = ranking.json()
    assert data["year"] == 2020 and len(data["ranking"]) == 29
    assert len(data["place_of"]) == 21 and "modifiable areal unit problem" in data["note"]
    csv = client.get("/api/international/inequality", params={"n_resamples": 49, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert client.get("/api/international/inequality", params={"units": "moon"}).status_code == 422
    benchmark = client.get("/api/international/benchmark/GBR").json()
    assert benchmark["table"][0]["benchmark_source"].startswith("population-weighted mean")


def test_pages(client: TestClient) -> None:
    page = client.get("/international")
    assert page.status_code == 200
    for name in ("Lessons from four cities", "Leipzig", "Cleveland", "Nantes", "Fukuoka", "Dudley",
                 "Enfield", "South Yorkshire", "Tees Valley", "German reunification transfers"):
        assert name in page.text, name
    assert 'data-figure="leipzig-chart-data"' in page.text and 'href="/design"' in page.text
    ranking = client.get("/international/inequality")
    assert ranking.status_code == 200
    assert 'class="highlight"' in ranking.text and "United Kingdom" in ranking.text
    assert "modifiable areal unit problem" in ranking.text and 'id="uk-place"' in ranking.text
    assert client.get("/international/inequality", params={"units": "tl2"}).status_code == 200


def test_synthetic_control_page_is_labelled_and_refuses_a_start_without_an_after(client: TestClient) -> None:
    cities = client.get("/international")
    assert 'href="/international/synth/tees_valley"' in cities.text
    page = client.get("/international/synth/tees_valley", params={"start": 2015, "max_donors": 8})
    assert page.status_code == 200
    assert 'id="synth-label">exploratory<' in page.text
    assert "not an estimate of what any policy caused" in page.text
    assert page.text.count('<tr data-code=') >= 1 and page.text.count('class="pre"') == 15  # 2000-2014
    assert "Start at a dated item of the case study" in page.text and "start=2017" in page.text
    after = client.get("/international/synth/tees_valley", params={"start": 2021},
                       headers={"accept": "text/html"})
    assert after.status_code == 422 and "no post-period: start 2021" in after.text
    assert client.get("/international/synth/atlantis").status_code == 404
