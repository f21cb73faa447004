"""The ``need``/``funding`` commands and the /api/need endpoints, on small files."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from levelscope.cli.need import register
from levelscope.need.definition import IndexDefinition
from levelscope.need.funding import concentration_index
from levelscope.need.index import build_index
from levelscope.web.api.need import router
from levelscope.web.errors import add_error_handlers

DATA = pd.DataFrame(
    {
        "area": ["A", "B", "C", "D", "E", "F"],
        "jobless": [2.0, 4.0, 6.0, 8.0, 3.0, 5.0],
        "pay": [600.0, 500.0, 550.0, 400.0, 580.0, 450.0],
    }
)
DEFINITION = {
    "name": "small need",
    "indicators": [{"id": "jobless", "polarity": 1}, {"id": "pay", "polarity": -1}],
    "categories": {"labels": ["high", "low"]},
    "uncertainty": {"normalisation": ["min_max", "rank"]},
}
ALLOCATIONS = pd.DataFrame(
    {
        "programme": "LUF",
        "round": ["1", "1", "2", "2"],
        "geography_code": ["D", "C", "B", "A"],
        "amount": [900, 400, 300, 100],
        "date": "2022-01-19",
    }
)
POPULATION = pd.DataFrame({"area": list("ABCDEF"), "population": [100, 200, 100, 150, 50, 80]})


@pytest.fixture
def files(tmp_path):
    paths = {
        "definition": tmp_path / "need.yaml",
        "data": tmp_path / "data.csv",
        "allocations": tmp_path / "luf.csv",
        "population": tmp_path / "pop.csv",
    }
    IndexDefinition.from_dict(DEFINITION).to_yaml(paths["definition"])
    DATA.to_csv(paths["data"], index=False)
    ALLOCATIONS.to_csv(paths["allocations"], index=False)
    POPULATION.to_csv(paths["population"], index=False)
    return paths


@pytest.fixture
def cli():
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def expected_index():
    return build_index(DATA.set_index("area"), IndexDefinition.from_dict(DEFINITION))


def test_cli_need_build_writes_the_index(cli, files, tmp_path):
    out = tmp_path / "scores.csv"
    result = cli("need", "build", files["definition"], "--data", files["data"], "--csv", out)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out).set_index("geography_code")
    expected = expected_index()
    assert written["score"].to_dict() == pytest.approx(expected.scores.to_dict())
    assert list(written.index) == list(expected.ranks.sort_values().index)
    assert "small need" in result.output


def test_cli_need_accepts_long_observations(cli, files, tmp_path):
    long = DATA.melt(id_vars="area", var_name="indicator_id", value_name="value").rename(
        columns={"area": "geography_code"}
    )
    path = tmp_path / "long.csv"
    long.to_csv(path, index=False)
    out = tmp_path / "scores.csv"
    assert cli("need", "build", files["definition"], "--data", path, "--csv", out).exit_code == 0
    assert pd.read_csv(out).set_index("geography_code")["score"].to_dict() == pytest.approx(
        expected_index().scores.to_dict()
    )


def test_cli_need_validate_reports_the_field(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nindicators:\n  - {id: a, polarity: 3}\n")
    result = cli("need", "validate", bad)
    assert result.exit_code == 1
    assert "indicators.0.polarity" in result.output


def test_cli_uncertainty_and_coherence(cli, files):
    result = cli("need", "uncertainty", files["definition"], "--data", files["data"], "--n", 32)
    assert result.exit_code == 0, result.output
    assert "normalisation" in result.output and "rank intervals (128 runs)" in result.output
    assert cli("need", "coherence", files["definition"], "--data", files["data"]).exit_code == 0


def test_cli_funding_check_and_analyse(cli, files):
    check = cli("funding", "check", files["allocations"])
    assert check.exit_code == 0 and "4 rows, valid" in check.output
    result = cli(
        "funding",
        "analyse",
        files["allocations"],
        "--population",
        files["population"],
        "--definition",
        files["definition"],
        "--data",
        files["data"],
        "--groups",
        2,
        "--n-resamples",
        200,
    )
    assert result.exit_code == 0, result.output
    index = expected_index()
    population = POPULATION.set_index("area")["population"].astype(float)
    per_head = (
        ALLOCATIONS.groupby("geography_code")["amount"].sum().reindex(population.index, fill_value=0)
        / population
    )
    expected = concentration_index(per_head, index.scores, population).index
    assert f"{expected:.4f}" in result.output
    assert "most-needy half of areas" in result.output


def test_cli_funding_check_names_the_bad_cell(cli, tmp_path):
    path = tmp_path / "bad.csv"
    ALLOCATIONS.assign(amount=["900", "lots", "300", "100"]).to_csv(path, index=False)
    result = cli("funding", "check", path)
    assert result.exit_code == 1
    assert "bad.csv" in result.output and "row 3" in result.output and "'lots'" in result.output


@pytest.fixture
def client():
    app = FastAPI()
    app.include_router(router)
    add_error_handlers(app)
    return TestClient(app)


def test_api_index_matches_the_python_api(client):
    response = client.post(
        "/api/need/index", json={"definition": DEFINITION, "data": DATA.to_dict(orient="records")}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    scores = {row["geography_code"]: row["score"] for row in body["areas"]}
    assert scores == pytest.approx(expected_index().scores.to_dict())
    assert body["weights"] == {"jobless": 0.5, "pay": 0.5}


def test_api_accepts_yaml_and_long_data(client):
    long = DATA.melt(id_vars="area", var_name="indicator_id", value_name="value").rename(
        columns={"area": "geography_code"}
    )
    response = client.post(
        "/api/need/index",
        json={
            "definition": IndexDefinition.from_dict(DEFINITION).to_yaml(),
            "data": long.to_dict(orient="records"),
        },
    )
    assert response.status_code == 200, response.text


def test_api_invalid_definition_is_422_naming_the_field(client):
    response = client.post(
        "/api/need/definition", json={"definition": {"name": "x", "indicators": [{"id": "a", "polarity": 5}]}}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "indicators.0.polarity"]


def test_api_uncertainty_is_reproducible(client):
    payload = {"definition": DEFINITION, "data": DATA.to_dict(orient="records"), "n": 32, "seed": 3}
    one = client.post("/api/need/uncertainty", json=payload).json()
    two = client.post("/api/need/uncertainty", json=payload).json()
    # two factors (normalisation, indicator weights): N (2 + 2) runs
    assert one == two and one["n_runs"] == 32 * 4
    assert client.post("/api/need/coherence", json=payload | {"n": None}).status_code == 422
    # 'n' is the old name of n_resamples: both give the same runs
    renamed = {k: v for k, v in payload.items() if k != "n"} | {"n_resamples": 32}
    assert client.post("/api/need/uncertainty", json=renamed).json() == one
    assert one["n_resamples"] == 32


def test_api_funding(client):
    index = expected_index()
    payload = {
        "allocations": ALLOCATIONS.to_dict(orient="records"),
        "need": index.scores.to_dict(),
        "population": POPULATION.set_index("area")["population"].astype(float).to_dict(),
        "n_groups": 2,
        "n_resamples": 200,
    }
    response = client.post("/api/need/funding", json=payload)
    assert response.status_code == 200, response.text
    body = response.json()
    population = POPULATION.set_index("area")["population"].astype(float)
    per_head = (
        ALLOCATIONS.groupby("geography_code")["amount"].sum().reindex(population.index, fill_value=0)
        / population
    )
    assert body["concentration_index"] == pytest.approx(
        concentration_index(per_head, index.scores, population).index
    )
    assert body["finding"].startswith("The most-needy half of areas")
    assert [r["round"] for r in body["rounds"]] == ["1", "2"]
    # n_boot is the old name of n_resamples: the same draws give the same answer
    old = {k: v for k, v in payload.items() if k != "n_resamples"} | {"n_boot": 200}
    assert client.post("/api/need/funding", json=old).json() == body


def test_api_funding_bad_allocation_is_422(client):
    response = client.post(
        "/api/need/funding",
        json={
            "allocations": [
                {"programme": "LUF", "round": "1", "area": "A", "amount": "x", "date": "2022-01-01"}
            ],
            "need": {"A": 1.0, "B": 0.0},
            "population": {"A": 1.0, "B": 1.0},
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "amount"]


def test_cli_funding_analyse_shows_success_rates_by_category(cli, files, tmp_path):
    bids = pd.DataFrame(
        {
            "programme": "LUF",
            "round": "1",
            "area": list("ABCDEF"),
            "amount": [0, 300, 400, 900, 0, 200],
            "date": "2022-01-19",
            "outcome": ["unsuccessful", "successful", "successful", "successful", "unsuccessful",
                        "successful"],
        }
    )
    path = tmp_path / "bids.csv"
    bids.to_csv(path, index=False)
    result = cli("funding", "analyse", path, "--population", files["population"],
                 "--definition", files["definition"], "--data", files["data"], "--n-resamples", 200)
    assert result.exit_code == 0, result.output
    assert "success rates of bids by need category" in result.output
    categories = expected_index().categories
    for label in ("high", "low"):
        areas = categories.index[categories == label]
        won = int((bids.set_index("area").loc[areas, "outcome"] == "successful").sum())
        # the row: category, bids, successful, rate (a share, written as a percentage)
        row = re.search(rf"{label}\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*([0-9.]+)%", result.output)
        assert row is not None, result.output
        assert (int(row.group(1)), int(row.group(2))) == (len(areas), won)
        assert float(row.group(3)) == pytest.approx(100 * won / len(areas), abs=0.05)
