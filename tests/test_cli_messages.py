"""Every option a message suggests exists under that name where the user is.

The analyses give advice in Python terms (``balance='drop_units'``); the command line rewrites it
into its own options (``levelscope.cli.common.CLI_ADVICE``). These tests check that every option
so named exists on the commands whose errors can carry it, and that the rewriting happens.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from levelscope.cli import app, module_commands
from levelscope.cli.common import CLI_ADVICE, for_the_command_line

runner = CliRunner()

#: Where each suggested option must exist: the commands whose errors can carry the advice.
WHERE = {
    "--balance": [("evaluate", "area"), ("evaluate", "panel"), ("evaluate", "programme")],
    "--drop-unweighted": [("inequality",)],
    "--method": [("evaluate", "area"), ("evaluate", "panel")],
    "--control-group": [("evaluate", "panel")],
    "--treated": [("evaluate", "area"), ("evaluate", "panel")],
}

MODULES = {"evaluate": "evaluate", "inequality": "measures"}


def _command(path: tuple[str, ...]) -> Any:
    command = module_commands(MODULES[path[0]])[path[0]]
    for name in path[1:]:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def _options(command: Any) -> set[str]:
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


@pytest.mark.parametrize("advice", sorted(CLI_ADVICE.values()))
def test_every_suggested_option_exists(advice: str) -> None:
    flags = re.findall(r"--[a-z][a-z-]*", advice)
    assert flags, f"advice names no option: {advice!r}"
    for flag in flags:
        assert flag in WHERE, f"say where {flag} must exist"
        for path in WHERE[flag]:
            assert flag in _options(_command(path)), f"{' '.join(path)} has no {flag}"


def test_choices_named_in_advice_are_accepted() -> None:
    result = runner.invoke(app, ["evaluate", "area", "--help"], terminal_width=200)
    assert all(choice in result.output for choice in ("drop-donors", "drop-periods", "error"))


def test_python_advice_is_rewritten() -> None:
    message = "the panel is unbalanced: ... Fill the gaps, or pass balance='drop_units' or " \
              "balance='drop_periods'."
    assert for_the_command_line(message).endswith(
        "Fill the gaps, or use --balance drop-donors or --balance drop-periods.")


def test_evaluate_area_with_gaps_names_the_cli_option(demo_workspace_path: Path, tmp_path: Path) -> None:
    # on the codes as published, districts merged since 2019 have gaps (on 2023 boundaries, none)
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_workspace_path.read_bytes())
    runner.invoke(app, ["geographies", "--set-geography-vintage", "published", "-w", str(copy)])
    result = runner.invoke(app, ["evaluate", "area", "gva_per_hour_worked", "-t", "E08000025",
                                 "--start", "2015", "--balance", "error", "--no-placebos",
                                 "-w", str(copy)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "--balance drop-donors" in text and "balance='" not in text


def test_inequality_without_weights_names_the_cli_flag(demo_workspace_path: Path) -> None:
    # population at ITL3 is derived from districts, and five Scottish ITL3 regions are split
    # between council areas, so they have no population
    result = runner.invoke(app, ["inequality", "gva_per_hour_worked", "--level", "itl3", "--weight",
                                 "population", "-w", str(demo_workspace_path)])
    text = " ".join(result.output.split())
    assert result.exit_code == 1, text
    assert "--drop-unweighted" in text and "missing_weights" not in text
