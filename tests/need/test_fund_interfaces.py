"""The Levelling Up Fund record through the workspace, the command line, the REST API and the page:
each shows the numbers of the one Python function."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from geography_helpers import nomis
from levelscope.cli import app
from levelscope.data.funding.register import read_register
from levelscope.data.store import Workspace
from levelscope.need.fund_workspace import workspace_fund_analysis

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(demo_workspace_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(demo_workspace_path, read_only=True)
    yield ws
    ws.close()


def test_the_demo_holds_the_record(workspace: Workspace) -> None:
    register = read_register(workspace)
    assert register.groupby("round")["bid_id"].size().to_dict() == {"1": 105, "2": 111}
    assert round(register["amount"].sum(), 2) == 1_693_323_657.33 + 2_088_234_431.00
    categories = workspace.observations(indicator="luf_priority_category", geography_vintage="published")
    assert categories["value"].value_counts().sort_index().tolist() == [123, 123, 122]
    imd = workspace.observations(indicator="imd_average_score").set_index("geography_code")["value"]
    assert imd["E06000002"] == 40.46  # Middlesbrough


def test_workspace_analysis_reconciles_and_reports_what_it_cannot_place(workspace: Workspace) -> None:
    result = workspace_fund_analysis(workspace, n_resamples=100)
    register = read_register(workspace)
    for key in ("1", "2"):
        placed = result.table("region", key)["amount"].sum()
        left = result.unplaced.loc[result.unplaced["round"] == key, "amount"].sum()
        listed = register.loc[register["round"] == key, "amount"].sum()
        assert placed + left == pytest.approx(listed, abs=0.01)
    # every bid naming only places the analysis can use is placed in full
    assert set(result.unplaced["bid_id"]) <= set(register["bid_id"])


def test_every_bid_is_placed_on_todays_districts(workspace: Workspace, shared_data: Path) -> None:
    # The bids name 2023 authorities (North Yorkshire, Cumberland, ...) while the population file
    # is on April-2021 codes: the analysis puts population on today's boundaries, so no bid is
    # left out. Scotland's and Northern Ireland's estimates in the file end at mid-2021, so round
    # 2 (announced 19 January 2023) uses mid-2021 for every country rather than mid-2022 for two.
    result = workspace_fund_analysis(workspace, n_resamples=100)
    register = read_register(workspace)
    assert result.unplaced.empty
    assert result.population_years == {"1": 2021, "2": 2021}
    assert result.areas["amount_all"].sum() == pytest.approx(register["amount"].sum(), abs=0.01)
    pop = nomis(shared_data)
    areas = result.areas.set_index("geography_code")
    north_yorkshire = ["E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168",
                       "E07000169"]
    assert areas.loc["E06000065", "population_2"] == sum(pop[c]["2021"] for c in north_yorkshire)
    assert areas.loc["S12000033", "population_2"] == pop["S12000033"]["2021"]  # Aberdeen City


def test_cli_rest_and_page_show_the_same_numbers(
    client: TestClient, workspace: Workspace, demo_workspace_path: Path
) -> None:
    result = workspace_fund_analysis(workspace, n_resamples=2000, seed=0)
    runner = CliRunner()
    out = runner.invoke(app, ["funding", "record", "-w", str(demo_workspace_path), "--csv", "-"])
    assert out.exit_code == 0, out.output
    assert result.findings[0].split(",")[0] in out.output.replace("\n", " ")
    api = client.get("/api/funding/record").json()
    assert api["findings"] == list(result.findings)
    regions = pd.DataFrame(api["tables"]["region"])
    expected = result.tables["region"]
    assert regions["amount"].tolist() == pytest.approx(expected["amount"].tolist())
    csv = client.get("/api/funding/record/region.csv")
    assert csv.status_code == 200
    downloaded = pd.read_csv(io.StringIO(csv.text))["per_head"]
    assert downloaded.tolist() == pytest.approx(expected["per_head"].tolist())
    assert client.get("/api/funding/record/nothing.csv").status_code == 404
    page = client.get("/funding")
    assert page.status_code == 200
    assert "Did the Levelling Up Fund go where need is?" in page.text
    for line in result.findings[:2]:
        assert line.replace("'", "&#39;") in page.text
    assert 'id="region-table"' in page.text and 'id="concentration-table"' in page.text
    assert client.get("/api/funding/register").json()["funds"][0]["bids"] == 105


def test_import_command_is_idempotent(tmp_path: Path, shared_data: Path) -> None:
    runner = CliRunner()
    file = shared_data / "funding/levelling_up_fund/levelling-up-fund-round-2.csv"
    target = tmp_path / "ws.duckdb"
    first = runner.invoke(app, ["funding", "import", str(file), "-w", str(target)])
    assert first.exit_code == 0, first.output
    assert "111 written" in first.output
    again = runner.invoke(app, ["funding", "import", str(file), "-w", str(target)])
    assert "0 written, 111 unchanged" in again.output
    listing = runner.invoke(app, ["funding", "register", "-w", str(target), "--csv", "-"])
    assert "Levelling Up Fund,2,2023-01-19,111,2088234431.0" in listing.output
