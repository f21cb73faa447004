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
    result = CliRunner().invoke(app, ["inequality", "gva"])
    assert result.exit_code == 1
    assert "no workspace is connected" in result.output
    source = tmp_path / "obs.csv"
    pd.DataFrame({"period": [1, 1], "value": [0.0, 2.0]}).to_csv(source, index=False)
    result = CliRunner().invoke(app, ["inequality", "gva", "-m", "mld", "--input", str(source)])
    assert result.exit_code == 1
    assert "takes logarithms" in result.output
