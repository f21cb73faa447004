"""One name per idea across the commands, and random draws that repeat by default."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from levelscope.cli import app

runner = CliRunner()


def test_clusters_say_which_seed_and_repeat_exactly(demo_workspace_path: Path) -> None:
    args = ["clusters", "gva_per_hour_worked", "-l", "itl3", "--permutations", "99",
            "-w", str(demo_workspace_path)]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "random draws: seed 0 (--seed changes it)" in first.output
    assert first.output == second.output  # the same pseudo p-values, run after run
    other = runner.invoke(app, [*args, "--seed", "7"])
    assert "random draws: seed 7" in other.output
    assert "Calderdale and Kirklees" in first.output  # areas by name, codes alongside
