"""The command line starts fast: ``levelscope --help`` loads no heavy library, and the table of
commands it is written from matches what the command modules register.

The timings themselves live in ``benchmarks/bench_cli_startup.py``; these tests only check the cause.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from levelscope.cli import COMMANDS, app, module_commands

HEAVY = ("pandas", "numpy", "scipy", "plotly", "numba", "ibis", "duckdb", "sqlalchemy", "pyarrow",
         "fastapi", "shapely", "statsmodels", "geopandas", "uvicorn", "jinja2", "openpyxl")

_PROBE = """
import json, sys
from typer.main import get_command
from levelscope.cli import app
try:
    get_command(app).main({args}, prog_name="levelscope", standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy})))
"""


def _heavy_modules_after(*args: str) -> list[str]:
    code = _PROBE.format(args=list(args), heavy=set(HEAVY))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_help_imports_no_heavy_library() -> None:
    assert _heavy_modules_after("--help") == []


_HELP_PROBE = """
import json, sys
from typer.main import get_command
from levelscope.cli import app
for words in {paths}:
    try:
        get_command(app).main([*words, "--help"], prog_name="levelscope", standalone_mode=False)
    except SystemExit:
        pass
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules if m.split(".")[0] in {heavy}}})))
"""


def _command_paths(module: str) -> list[list[str]]:
    """Every command and subcommand a ``levelscope.cli`` module registers, as typed."""
    paths = []
    for name, command in module_commands(module).items():
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
    return paths


@pytest.mark.parametrize("module", sorted({entry.module for entry in COMMANDS.values()}))
def test_a_commands_help_imports_no_heavy_library(module: str) -> None:
    """``inequality --help`` once took 1.3 s loading pandas, SciPy and the measures it never used:
    a command module imports its analyses inside the commands, not at the top."""
    paths = _command_paths(module)
    code = _HELP_PROBE.format(paths=paths, heavy=set(HEAVY))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [], f"--help of {[' '.join(p) for p in paths]} imports {loaded}"


def test_neighbour_rules_listed_by_the_command_line_are_the_analysis_rules() -> None:
    from levelscope.cli import space
    from levelscope.spatial.weights import NEIGHBOURS

    assert space.NEIGHBOURS == NEIGHBOURS


def test_importing_levelscope_imports_no_heavy_library() -> None:
    code = f"import json, sys, levelscope; print(json.dumps([m for m in sys.modules if m in {set(HEAVY)}]))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_help_lists_every_command_under_its_panel() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name, entry in COMMANDS.items():
        assert name in result.output
        assert " ".join(entry.help.split()[:4]) in result.output
    for panel in {entry.panel for entry in COMMANDS.values()}:
        assert panel in result.output


@pytest.mark.parametrize("module", sorted({entry.module for entry in COMMANDS.values()}))
def test_command_table_matches_the_modules(module: str) -> None:
    registered = module_commands(module)
    listed = {name for name, entry in COMMANDS.items() if entry.module == module}
    assert set(registered) == listed, (
        f"levelscope.cli.{module} registers {sorted(registered)}; add new commands to "
        "levelscope.cli.COMMANDS"
    )
    for name, command in registered.items():
        first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
        assert first_paragraph == COMMANDS[name].help, name


def test_unknown_command_suggests_the_nearest() -> None:
    result = CliRunner().invoke(app, ["shwo"])
    assert result.exit_code == 2
    assert "Did you mean 'show'?" in result.output



def test_help_examples_name_indicators_that_exist() -> None:
    """``inequality --help`` once cited ``gva_per_head``, which no workspace has."""
    import re

    from levelscope.data.catalogue import catalogue

    known = set(catalogue())
    for module in sorted({entry.module for entry in COMMANDS.values()}):
        for name, command in module_commands(module).items():
            texts = [command.help or ""]
            stack = [command]
            while stack:
                current = stack.pop()
                texts += [getattr(p, "help", None) or "" for p in current.params]
                texts.append(current.help or "")
                stack += list(getattr(current, "commands", {}).values())
            for text in texts:
                for example in re.findall(r"e\.g\. ([a-z][a-z0-9]*_[a-z0-9_]+)", text):
                    assert example in known, f"{name}: help cites {example!r}, not an indicator id"


def test_listing_indicators_loads_no_pandas(tmp_path: Path) -> None:
    """``levelscope indicators`` took 0.58 s, half of it importing pandas (with NumPy and
    PyArrow) to print four columns of text: the listing reads plain rows from DuckDB."""
    workspace = tmp_path / "ws.duckdb"
    assert CliRunner().invoke(app, ["init", "-w", str(workspace)]).exit_code == 0
    code = ("import json, sys\nfrom levelscope.cli import app\ntry:\n"
            f"    app(['indicators', '-w', {str(workspace)!r}])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'numpy', "
            "'pyarrow'})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "employment_rate" in done.stdout
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_indicator_rows_are_the_indicator_table(tmp_path: Path) -> None:
    from levelscope import Workspace
    from levelscope.data.catalogue import catalogue

    theme = "Boosting productivity, pay, jobs and living standards"
    # 16 indicators of the explorer's theme, and hours worked, filled jobs and GVA per head (the
    # weights of the two productivity ratios and a derived ratio)

    with Workspace.open(tmp_path / "ws.duckdb") as ws:
        ws.add_indicators(catalogue().values())
        frame = ws.indicators(theme)[["id", "unit", "kind"]]
        rows = list(frame.itertuples(index=False, name=None))
        assert ws.indicator_rows(("id", "unit", "kind"), theme) == rows
        assert len(frame) == 19
        assert {"hours_worked", "filled_jobs", "gva_per_head"} <= set(frame["id"])
        with pytest.raises(ValueError, match="no indicator column 'colour'"):
            ws.indicator_rows(("id", "colour"))
