"""A user's own files into a fresh workspace: the first import must work or say why, never crash.

Each test starts from ``levelscope init`` (the catalogue and no places) and imports files as a user
brings them, including the publishers' own downloads from the shared data folder.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from levelscope.cli import app
from levelscope.data import Workspace

runner = CliRunner()


@pytest.fixture()
def fresh(tmp_path: Path) -> Path:
    """A workspace straight after ``levelscope init``."""
    path = tmp_path / "imp.duckdb"
    result = runner.invoke(app, ["init", "-w", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_wide_csv_into_empty_workspace_names_the_unknown_code(fresh: Path, tmp_path: Path) -> None:
    # regression: this ended in "TypeError: Cannot cast DatetimeArray to dtype float64"
    data = tmp_path / "w.csv"
    data.write_text("code,2022\nE08000999,1\n")  # every real code is known to a new workspace
    result = runner.invoke(app, [
        "import", str(data), "-w", str(fresh), "--form", "wide", "--geography", "code",
        "--indicator", "population", "--vintage", "2024-06-05", "--dry-run",
    ])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    # the message names the file's own column ('code'), not levelscope's name for it
    assert "w.csv, row 2, column 'code': value 'E08000999': unknown geography code" \
        in " ".join(result.output.split())


def _register_nomis_places(workspace: Path, nomis: Path, tmp_path: Path) -> None:
    """Register the export's districts, read with the csv module (independently of levelscope)."""
    with nomis.open(newline="") as handle:
        rows = [r for r in csv.reader(handle) if len(r) > 2 and r[1][:1] in "EWSN" and r[1][1:].isdigit()]
    places = tmp_path / "places.csv"
    with places.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["code", "name", "level"])
        out.writerows([r[1], r[0], "lad"] for r in rows)
    result = runner.invoke(app, ["geographies", "--add", str(places), "-w", str(workspace)])
    assert result.exit_code == 0, result.output


def test_nomis_export_wide_import(fresh: Path, tmp_path: Path, shared_data: Path) -> None:
    # regression: the name column "local authority: … (as of April 2021)" was read as the period
    # 2021 and the footnote "These figures are missing." as an area code
    nomis = shared_data / "uk_population" / "lad_pop.csv"
    _register_nomis_places(fresh, nomis, tmp_path)
    result = runner.invoke(app, [
        "import", str(nomis), "-w", str(fresh), "--form", "wide", "--geography", "mnemonic",
        "--indicator", "population", "--vintage", "2024-06-05",
    ])
    assert result.exit_code == 0, result.output
    with Workspace.open(fresh, read_only=True) as ws:
        obs = ws.observations("population")
    assert sorted(obs["period"].unique()) == [str(y) for y in range(1991, 2023)]
    birmingham = obs.set_index(["geography_code", "period"])["value"]
    assert birmingham["E08000025", "2022"] == 1157603  # line 133 of the export
    assert birmingham["E06000001", "1991"] == 91058  # line 11
    assert ("N09000009", "2022") not in birmingham.index  # '-' is missing, not zero
    # 374 districts × 32 years, less the '-' cells (Northern Ireland before 2001, and more)
    assert len(obs) == 374 * 32 - sum(1 for _ in _dashes(nomis))


def _dashes(nomis: Path) -> list[tuple[str, int]]:
    with nomis.open(newline="") as handle:
        rows = [r for r in csv.reader(handle) if len(r) == 34 and r[1][1:].isdigit()]
    return [(r[1], i) for r in rows for i, cell in enumerate(r[2:]) if cell == "-"]


def test_long_csv_with_names_into_empty_workspace(fresh: Path, tmp_path: Path) -> None:
    data = tmp_path / "pay.csv"
    data.write_text("code,council,year,pay\nE08000025,Birmingham,2023,561.2\n"
                    "E08000035,Leeds,2023,640.5\nE08000025,Birmingham,2022,540\n")
    result = runner.invoke(app, [
        "import", str(data), "-w", str(fresh), "--geography", "code", "--name", "council",
        "--indicator", "weekly_pay", "--period", "year", "--value", "pay", "--vintage", "2024-06-05",
    ])
    assert result.exit_code == 0, result.output
    assert "places registered" not in result.output  # a new workspace knows every UK district
    with Workspace.open(fresh, read_only=True) as ws:
        assert ws.geography("E08000035").name == "Leeds"
        pay = ws.observations("weekly_pay").set_index(["geography_code", "period"])["value"]
    assert pay.to_dict() == {("E08000025", "2022"): 540.0, ("E08000025", "2023"): 561.2,
                             ("E08000035", "2023"): 640.5}
    shown = runner.invoke(app, ["show", "Leeds", "-w", str(fresh)])
    assert shown.exit_code == 0 and "640" in shown.output


def test_a_missing_layout_file_is_named_with_what_to_do(fresh: Path, tmp_path: Path) -> None:
    # regression: this printed Python's "[Errno 2] No such file or directory"
    data = tmp_path / "w.csv"
    data.write_text("code,2022\nE08000025,1\n")
    result = runner.invoke(app, ["import", str(data), "-w", str(fresh), "--layout",
                                 str(tmp_path / "w.layout.yaml")])
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "w.layout.yaml: no such layout file" in text and "levelscope layout suggest" in text
    assert "Errno" not in text
