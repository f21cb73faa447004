"""The ``design`` command group end to end, through Typer's test runner."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from typer.testing import CliRunner

from levelscope.cli.design import register

runner = CliRunner()


def app() -> typer.Typer:
    main = typer.Typer()

    @main.callback()
    def _root() -> None:
        """levelscope"""

    register(main)
    return main


def fill(tmp_path: Path, name: str, score: int) -> Path:
    out = tmp_path / "blank.yaml"
    assert (
        runner.invoke(
            app(), ["design", "template", "--out", str(out), "--place-code", "E1"]
        ).exit_code
        == 0
    )
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    data["strategy"], data["assessor"] = "Plan", "Team"
    for entry in data["answers"].values():
        entry["score"] = score
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_framework_and_cases_listings() -> None:
    result = runner.invoke(app(), ["design", "framework"])
    assert result.exit_code == 0 and "transferable_learning" in result.output
    result = runner.invoke(app(), ["design", "cases"])
    assert result.exit_code == 0 and "tees_valley" in result.output
    result = runner.invoke(app(), ["design", "cases", "--case", "dudley"])
    assert result.exit_code == 0 and "pf2024_dudley" in result.output
    result = runner.invoke(app(), ["design", "cases", "--case", "atlantis"])
    assert result.exit_code == 3 and "atlantis" in result.output
    result = runner.invoke(app(), ["design", "framework", "--json-schema"])
    assert result.exit_code == 0 and '"properties"' in result.output


def test_assess_writes_report_and_compare_reports_change(tmp_path: Path) -> None:
    first, second = fill(tmp_path, "2025.yaml", 1), fill(tmp_path, "2026.yaml", 2)
    report = tmp_path / "r.html"
    result = runner.invoke(app(), ["design", "assess", str(first), "--html", str(report)])
    assert result.exit_code == 0, result.output
    assert "overall score 25.0 / 100" in result.output
    # the strategy assessment report of `levelscope report strategy`, not the old page
    written = report.read_text(encoding="utf-8")
    assert written.startswith("<!doctype html>") and '<body class="report">' in written
    assert '<h1 id="report-title">Strategy assessment: Plan</h1>' in written
    assert "Overall score: <strong>25.0 / 100</strong>" in written
    result = runner.invoke(app(), ["design", "compare", str(first), str(second)])
    assert result.exit_code == 0 and "improved (+25.0)" in result.output


def test_assess_rejects_a_malformed_file_with_named_problems(tmp_path: Path) -> None:
    path = fill(tmp_path, "bad.yaml", 2)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["answers"]["funding.multi_year"]["score"] = 7
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app(), ["design", "assess", str(path)])
    assert result.exit_code == 1
    assert "funding.multi_year" in result.output and "value 7" in result.output


def test_save_history_and_compare_saved(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'records.sqlite'}"
    first, second = fill(tmp_path, "2025.yaml", 1), fill(tmp_path, "2026.yaml", 3)
    result = runner.invoke(app(), ["design", "save", str(first), "--records-url", db, "--note", "baseline"])
    assert result.exit_code == 0, result.output
    assert "revision 1, overall 25.0" in result.output  # every criterion 1 of 4
    result = runner.invoke(app(), ["design", "save", str(second), "--records-url", db])
    assert "revision 2, overall 75.0" in result.output
    result = runner.invoke(app(), ["design", "history", "--place", "E1", "--records-url", db])
    assert result.exit_code == 0 and "25.0" in result.output and "75.0" in result.output
    result = runner.invoke(app(), ["design", "compare-saved", "1", "2", "--records-url", db])
    assert result.exit_code == 0, result.output
    assert "improved (+50.0)" in result.output
    result = runner.invoke(app(), ["design", "compare-saved", "1", "9", "--records-url", db])
    assert result.exit_code == 3 and "no saved assessment with id 9" in result.output
