"""``levelscope show``: an area by name or code, its rates ranked and its counts as context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from levelscope.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as on a 160-column terminal, so that a row stays on one line."""
    from levelscope.cli import common

    monkeypatch.setattr(common.console, "width", 160)


def _show(workspace: Path, *args: str) -> str:
    result = runner.invoke(app, ["show", *args, "-w", str(workspace)], terminal_width=120)
    assert result.exit_code == 0, result.output
    return result.output


def test_show_by_name_in_any_case(demo_workspace_path: Path) -> None:
    by_name = _show(demo_workspace_path, "birmingham")
    assert "Birmingham (E08000025) against the median of local authority districts" in by_name
    assert "also the name of TLG31 (ITL3 region)" in by_name
    itl3 = _show(demo_workspace_path, "Birmingham", "--level", "itl3")
    assert "Birmingham (TLG31) against the median of ITL3 regions" in itl3


def test_unknown_name_suggests_close_ones(demo_workspace_path: Path) -> None:
    result = runner.invoke(app, ["show", "Brimingham", "-w", str(demo_workspace_path)])
    assert result.exit_code == 3
    assert "did you mean Birmingham (E08000025)" in " ".join(result.output.split())


def test_counts_are_context_with_figures_per_head(demo_workspace_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "birmingham.json"
    _show(demo_workspace_path, "E08000025", "--json", str(out))
    rows = {r["indicator_id"]: r for r in json.loads(out.read_text())}
    deaths = rows["enterprise_deaths"]
    # the most enterprise deaths of any district, because it is the biggest: not "worst"
    assert deaths["kind"] == "count" and deaths["rank"] == 1 and deaths["flag"] == "higher"
    # 6,175 deaths in 2022 among 1,157,603 people (mid-2022): 5.33 per 1,000
    assert deaths["value"] == 6175 and rows["population"]["value"] == 1157603
    assert deaths["per_head"] == pytest.approx(6175 * 1000 / 1157603, rel=1e-12)
    assert deaths["per_head_unit"] == "per 1,000 people"
    assert all(r["flag"] not in ("better", "worse") for r in rows.values()
               if r["kind"] in ("count", "amount"))
    text = _show(demo_workspace_path, "E08000025")
    context = text[text.index("Context: the area's size"):]
    assert "Deaths of enterprises" in context and "5.33 per 1,000 people" in context
    assert "6,175 enterprises" in context
    assert "66.9%" in text and "£34.20 per hour worked" in text  # rates, written by unit
