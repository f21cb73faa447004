"""The ``inequality`` command, registered on a bare Typer app."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from levelscope.cli.measures import register
from levelscope.measures import gini, theil


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    register(application)

    @application.command("noop")
    def noop() -> None:  # a second command keeps Typer from flattening the app
        """Unused."""

    return application


def test_inequality_command_prints_and_writes_csv(
    app: typer.Typer, itl3_gva: pd.DataFrame, tmp_path: Path
) -> None:
    observations = itl3_gva.rename(columns={"gva": "value", "year": "period"}).assign(
        indicator_id="gva", level="ITL3"
    )
    source = tmp_path / "observations.csv"
    observations.to_csv(source, index=False)
    out = tmp_path / "table.csv"
    result = CliRunner().invoke(
        app,
        [
            "inequality",
            "gva",
            "--level",
            "ITL3",
            "--by",
            "period",
            "-m",
            "gini",
            "-m",
            "theil",
            "--input",
            str(source),
            "--csv",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Inequality in gva" in result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["period", "n", "gini", "theil"]
    values = itl3_gva[itl3_gva["year"] == 2010]["gva"].to_numpy()
    row = table.set_index("period").loc[2010]
    assert row["gini"] == pytest.approx(gini(values), rel=1e-10)
    assert row["theil"] == pytest.approx(theil(values), rel=1e-10)


def test_inequality_command_reports_errors(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["inequality", "gva", "--workspace", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "--level is required" in result.output
    source = tmp_path / "obs.csv"
    pd.DataFrame({"year": [1, 1], "value": [0.0, 2.0]}).to_csv(source, index=False)
    result = CliRunner().invoke(app, ["inequality", "gva", "-m", "mld", "--input", str(source)])
    assert result.exit_code == 1
    assert "takes logarithms" in result.output


@pytest.mark.slow
def test_inequality_command_reads_the_workspace(
    app: typer.Typer, demo_workspace_path: Path, tmp_path: Path
) -> None:
    from inequality.gini import Gini

    from levelscope.data import Workspace

    out = tmp_path / "itl3.csv"
    arguments = ["inequality", "gva_per_hour_worked", "--level", "ITL3", "--by", "year",
                 "-m", "gini", "-m", "cv", "--workspace", str(demo_workspace_path), "--csv", str(out)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index("year")
    assert list(table.columns) == ["n", "gini", "cv"]
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        stored = ws.observations(indicator="gva_per_hour_worked", level="itl3", periods="2019")
    values = stored["value"].to_numpy()
    assert table.loc[2019, "n"] == len(values)
    # the peer library and the population standard deviation over the mean, written out
    assert table.loc[2019, "gini"] == pytest.approx(Gini(values).g, rel=1e-10)
    assert table.loc[2019, "cv"] == pytest.approx(values.std(ddof=0) / values.mean(), rel=1e-10)

    # pay is published for the 2023 districts, population for those of 2021: the demo puts both on
    # 2023 boundaries, so every district has a weight (the years carried are noted)
    weighted = CliRunner().invoke(app, ["inequality", "weekly_pay", "--level", "lad", "--weight",
                                        "population", "--workspace", str(demo_workspace_path)])
    assert weighted.exit_code == 0, weighted.output
    assert "population for 2022 used for weekly_pay in 2023" in weighted.output
    unweighted = CliRunner().invoke(app, ["inequality", "gva_per_hour_worked", "--level", "itl3", "--weight",
                                          "population", "--workspace", str(demo_workspace_path)])
    assert unweighted.exit_code == 1  # five Scottish ITL3 regions are straddled by districts
    assert "no 'population'" in unweighted.output and "TLM61" in unweighted.output
