"""The command line: every workspace command, its output and its exit codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from levelscope.cli import app

runner = CliRunner()


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "ws.duckdb"
    result = runner.invoke(app, ["init", "--workspace", str(path)])
    assert result.exit_code == 0, result.output
    places = tmp_path / "places.csv"
    places.write_text("code,name,level,parent\nE06000001,Hartlepool,lad,E12000001\n"
                      "E06000002,Middlesbrough,lad,E12000001\nE06000003,Redcar and Cleveland,lad,\n")
    result = runner.invoke(app, ["geographies", "--add", str(places), "-w", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_help_on_every_command() -> None:
    for command in ("init", "demo", "import", "export", "indicators", "geographies", "show",
                    "overview"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_import_show_export(workspace: Path, tmp_path: Path) -> None:
    data = tmp_path / "pay.csv"
    data.write_text("Area,Pay\nE06000001,500\nE06000002,600\nE06000003,700\n")
    result = runner.invoke(app, [
        "import", str(data), "-w", str(workspace), "--geography", "Area", "--indicator",
        "weekly_pay", "--period-label", "2023", "--value", "Pay", "--vintage", "2024-03-21",
    ])
    assert result.exit_code == 0, result.output
    assert "written 3" in result.output
    result = runner.invoke(app, ["show", "E06000002", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "2 of 3" in result.output and "600" in result.output
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["export", str(out), "-w", str(workspace)])
    assert result.exit_code == 0
    exported = pd.read_csv(out)
    assert exported["value"].tolist() == [500, 600, 700]


def test_bad_file_exits_1_with_location(workspace: Path, tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("Area,Pay\nE06000001,500\nE06000999,600\n")
    result = runner.invoke(app, [
        "import", str(data), "-w", str(workspace), "--geography", "Area", "--indicator",
        "weekly_pay", "--period-label", "2023", "--value", "Pay", "--vintage", "2024-03-21",
    ])
    assert result.exit_code == 1
    # the file's own column name, not levelscope's
    assert "bad.csv, row 3, column 'Area': value 'E06000999'" in " ".join(
        result.output.split()
    )


def test_dry_run_writes_nothing(workspace: Path, tmp_path: Path) -> None:
    data = tmp_path / "pay.csv"
    data.write_text("Area,Pay\nE06000001,500\n")
    args = ["import", str(data), "-w", str(workspace), "--geography", "Area", "--indicator",
            "weekly_pay", "--period-label", "2023", "--value", "Pay", "--vintage", "2024-03-21"]
    result = runner.invoke(app, [*args, "--dry-run"])
    assert result.exit_code == 0 and "nothing written" in result.output
    result = runner.invoke(app, ["export", str(tmp_path / "o.csv"), "-w", str(workspace)])
    assert "wrote 0 observations" in result.output


def test_unknown_area_exits_3(workspace: Path) -> None:
    result = runner.invoke(app, ["show", "E06000999", "-w", str(workspace)])
    assert result.exit_code == 3
    assert "unknown area 'E06000999'" in result.output


def test_demo_without_mirror_exits_5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEVELSCOPE_MIRROR", raising=False)
    result = runner.invoke(app, ["demo", "-w", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 5
    assert "--mirror" in result.output


def test_overview_of_demo(demo_workspace_path: Path) -> None:
    result = runner.invoke(app, ["overview", "-w", str(demo_workspace_path), "--imports"])
    assert result.exit_code == 0, result.output
    assert "Observations by level" in result.output and "itl3" in result.output


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    from levelscope.data import Workspace

    path = tmp_path / "future.duckdb"
    with Workspace.open(path) as ws:
        ws.con.execute("INSERT INTO schema_version VALUES (999, 'from the future', now())")
    result = runner.invoke(app, ["overview", "-w", str(path)])
    assert result.exit_code == 4
    assert "newer than this levelscope" in result.output


def test_export_writes_the_shortest_exact_decimal(workspace: Path, tmp_path: Path) -> None:
    data = tmp_path / "pay.csv"
    data.write_text("Area,Pay\nE06000001,18.6\nE06000002,0.1\nE06000003,123456.789\n")
    result = runner.invoke(app, [
        "import", str(data), "-w", str(workspace), "--geography", "Area", "--indicator",
        "weekly_pay", "--period-label", "2023", "--value", "Pay", "--vintage", "2024-03-21",
    ])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out.csv"
    runner.invoke(app, ["export", str(out), "-w", str(workspace)])
    text = out.read_text()
    assert ",18.6," in text and ",0.1," in text and ",123456.789," in text  # was 18.600000000000001
    assert pd.read_csv(out)["value"].tolist() == [18.6, 0.1, 123456.789]


def test_listings_write_dates_without_times_and_blanks_for_missing(workspace: Path) -> None:
    result = runner.invoke(app, ["geographies", "-w", str(workspace)], terminal_width=100)
    assert result.exit_code == 0, result.output
    for slip in ("NaT", "<NA>", "00:00:00", "['"):
        assert slip not in result.output, slip
    assert "E12000001" in result.output  # a parent, as a plain code


def test_listings_never_cut_an_id_at_80_columns(workspace: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["indicators", "-w", str(workspace)], terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert "under75_preventable_circulatory_mortality" in result.output
    json_file = tmp_path / "indicators.json"
    result = runner.invoke(app, ["indicators", "-w", str(workspace), "--json", str(json_file)])
    import json

    rows = json.loads(json_file.read_text())
    assert {"id", "name", "unit", "kind", "polarity"} <= set(rows[0])
