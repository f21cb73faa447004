"""README.md runs as written: every shell command and Python snippet, against the demo workspace.

The commands and snippets are read from the README (``tests/readme_examples.py``), so a changed
README is a changed test. They run in a folder holding a copy of the demo workspace (the
``$LEVELSCOPE_WORKSPACE`` they find), the example files the README shows (each ``<!-- file: NAME
-->`` block), and the Excel file it names but cannot show. ``make run`` and ``make test`` are
what CI itself runs, so they are the only commands not run here. The command templates of the
README (``show AREA``, ``evaluate area IND -t AREA …``) are checked too: each command and each
option they name exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from levelscope.cli import app
from readme_examples import command_templates, files, python_snippets, shell_commands

NOT_RUN = ("make run", "make test")  # CI runs these itself
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(demo_workspace_path: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder as a README reader has it: a demo workspace and their own files."""
    folder = tmp_path_factory.mktemp("readme")
    shutil.copy(demo_workspace_path, folder / "levelscope.duckdb")
    for name, content in files().items():
        (folder / name).write_text(content, encoding="utf-8")
    pay = pd.DataFrame({
        "Area Code": ["E08000025", "E08000035", "E06000023"],
        "Area name": ["Birmingham", "Leeds", "Bristol, City of"],
        "Pay (£)": [560.2, 598.0, 640.4],
        "Lower": [548.0, 580.5, 621.0],
        "Upper": [572.4, 615.5, 659.8],
    })
    with pd.ExcelWriter(folder / "pay.xlsx") as workbook:
        pd.DataFrame({"Notes": ["Weekly pay, 2023"]}).to_excel(workbook, sheet_name="Notes", index=False)
        pay.to_excel(workbook, sheet_name="Pay", index=False)
    return folder


def _environment(home: Path, shared_data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "LEVELSCOPE_WORKSPACE": str(home / "levelscope.duckdb"),
        "LEVELSCOPE_RECORDS_URL": f"sqlite:///{home / 'records.sqlite'}",
        "LEVELSCOPE_MIRROR": str(shared_data),
        "COLUMNS": "120",
    })
    return env


COMMANDS = [(line, command) for line, command in shell_commands() if command not in NOT_RUN]


@pytest.mark.parametrize(("line", "command"), COMMANDS, ids=[f"line {line}" for line, _ in COMMANDS])
def test_readme_command_runs(line: int, command: str, home: Path, shared_data: Path) -> None:
    done = subprocess.run(command, shell=True, cwd=home, env=_environment(home, shared_data),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"README line {line}: {command}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr


SNIPPETS = python_snippets()


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"line {s.line}" for s in SNIPPETS])
def test_readme_python_runs(snippet: object, home: Path, shared_data: Path) -> None:
    code = snippet.text  # type: ignore[attr-defined]
    done = subprocess.run([sys.executable, "-c", code], cwd=home,
                          env=_environment(home, shared_data), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"README line {snippet.line}:\n{code}\n{done.stderr}"  # type: ignore[attr-defined]


def test_readme_shows_every_example_file_it_uses() -> None:
    used = " ".join(command for _, command in shell_commands())
    for name in files():
        assert name in used or any(name in s.text for s in SNIPPETS), f"{name} is shown but not used"


@pytest.mark.parametrize("words", command_templates(), ids=lambda w: " ".join(w))
def test_readme_command_templates_name_real_commands_and_options(words: list[str]) -> None:
    runner = CliRunner()
    path = [w for w in _command_path(words)]
    result = runner.invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, f"no command {' '.join(path)}: {result.output}"
    for option in [w for w in words if w.startswith("-")]:
        if option == "--help":
            continue
        assert option in result.output, f"{' '.join(path)} has no option {option}"


def _command_path(words: list[str]) -> list[str]:
    """The command and subcommand at the start of a template (``evaluate area IND …``)."""
    path: list[str] = []
    for word in words:
        if word.startswith("-") or not word.islower() or "." in word or word == "…":
            break
        path.append(word)
        if len(path) == 2 or word not in ("need", "funding", "programme", "evaluate", "design", "report"):
            break
    return path
