"""One name per idea across the commands, and random draws that repeat by default."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from levelscope.cli import app

runner = CliRunner()


def test_clusters_say_which_seed_and_repeat_exactly(demo_workspace_path: Path) -> None:
    args = ["clusters", "gva_per_hour_worked", "-l", "itl3", "--n-resamples", "99",
            "-w", str(demo_workspace_path)]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "random draws: seed 0 (--seed changes it)" in first.output
    assert first.output == second.output  # the same pseudo p-values, run after run
    other = runner.invoke(app, [*args, "--seed", "7"])
    assert "random draws: seed 7" in other.output
    assert "Calderdale and Kirklees" in first.output  # areas by name, codes alongside


def test_records_url_everywhere_and_places_by_name(demo_workspace_path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    ws = ["-w", str(demo_workspace_path)]
    created = runner.invoke(app, ["programme", "create", "Skills", "--start", "2024-04-01", "--end",
                                  "2027-03-31", "--place", "leeds", "--place", "E08000025",
                                  "--records-url", url, *ws])
    assert created.exit_code == 0, created.output
    out = tmp_path / "programmes.json"
    listing = runner.invoke(app, ["programme", "list", "--db", url, "--json", str(out), *ws])
    assert listing.exit_code == 0, listing.output  # --db, the old name, still works
    row = json.loads(out.read_text())[0]
    assert row["places"] == "Birmingham (E08000025), Leeds (E08000035)"
    assert row["place_codes"] == "E08000025;E08000035"
    shown = runner.invoke(app, ["programme", "show", "1", "--records-url", url, *ws])
    assert "places: Birmingham (E08000025), Leeds (E08000035)" in shown.output
    for command in (["programme", "list"], ["design", "history"], ["evaluate", "programme"],
                    ["serve"]):
        help_text = runner.invoke(app, [*command, "--help"], terminal_width=200).output
        assert "--records-url" in help_text, command


def test_every_random_procedure_takes_n_resamples_and_seed() -> None:
    """clusters took --permutations and evaluate panel --bootstrap where need took --n-resamples:
    one name for the number of random draws, the old names kept as aliases."""
    from levelscope.cli import COMMANDS, module_commands

    random_commands = []
    for module in sorted({entry.module for entry in COMMANDS.values()}):
        stack = list(module_commands(module).items())
        while stack:
            name, command = stack.pop()
            stack += [(f"{name} {sub}", c) for sub, c in getattr(command, "commands", {}).items()]
            options = {opt: param for param in command.params for opt in getattr(param, "opts", [])}
            if "--seed" not in options:
                continue
            random_commands.append(name)
            assert "--n-resamples" in options, f"levelscope {name} draws at random without --n-resamples"
            assert options["--n-resamples"].opts[0] == "--n-resamples", name
    assert {"clusters", "evaluate panel", "need uncertainty", "funding analyse"} <= set(random_commands)


def test_the_old_names_of_n_resamples_still_run() -> None:
    """--permutations, --bootstrap and --boot stay accepted for one release (the suite itself uses
    --n-resamples everywhere else)."""
    from levelscope.cli import module_commands

    def options(module: str, *path: str) -> list[str]:
        command = module_commands(module)[path[0]]
        for word in path[1:]:
            command = command.commands[word]  # type: ignore[attr-defined]
        return next(p.opts for p in command.params if "--n-resamples" in getattr(p, "opts", []))

    assert options("space", "clusters") == ["--n-resamples", "--permutations"]
    assert "--bootstrap" in options("evaluate", "evaluate", "panel")
    assert "--boot" in options("need", "funding", "analyse")
