"""Commands take population, need and indicators from the workspace, and files with the
columns exports write; outputs chain into inputs."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from levelscope.cli import app
from levelscope.data.store import Workspace
from levelscope.need.examples import example_definition, workspace_indicators
from levelscope.need.index import build_index

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    from levelscope.cli import common

    monkeypatch.setattr(common.console, "width", 200)

ALLOCATIONS = """programme,round,geography_code,amount,date,outcome
Levelling Up Fund,1,E08000028,"£19,500,000",2021-10-27,successful
Levelling Up Fund,1,E06000009,"£20,000,000",2021-10-27,successful
Levelling Up Fund,1,E07000138,£0,2021-10-27,unsuccessful
Levelling Up Fund,1,E09000020,"£15,000,000",2021-10-27,successful
Levelling Up Fund,2,E08000025,"£20,000,000",2023-01-19,successful
Levelling Up Fund,2,E07000121,"£10,000,000",2023-01-19,successful
"""


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "alloc.csv").write_text(ALLOCATIONS)
    result = runner.invoke(app, ["need", "template", "--out", str(tmp_path / "need.yaml")])
    assert result.exit_code == 0, result.output
    return {"allocations": tmp_path / "alloc.csv", "need": tmp_path / "need.yaml"}


def _expected_most_needy_per_head(ws: Workspace) -> float:
    """The most-needy fifth's funding per head, worked out here from the workspace's figures."""
    definition = example_definition()
    scores = build_index(workspace_indicators(ws, definition, "lad"), definition).scores
    population = ws.observations("population", level="lad").sort_values("period_end")
    people = population.drop_duplicates("geography_code", keep="last").set_index("geography_code")["value"]
    # the most-needy fifth: the first ceil(n / 5) areas by need (positions p with 5p // n == 0)
    most = scores.sort_values(ascending=False, kind="stable").index[: -(-len(scores) // 5)]
    money = {"E08000028": 19.5e6, "E06000009": 20e6, "E09000020": 15e6, "E08000025": 20e6,
             "E07000121": 10e6}
    funded = sum(amount for code, amount in money.items() if code in most)
    return funded / float(people.reindex(most).sum())


def test_funding_takes_need_and_population_from_the_workspace(
    demo_workspace_path: Path, files: dict[str, Path], demo_workspace: Workspace
) -> None:
    result = runner.invoke(app, ["funding", "analyse", str(files["allocations"]), "--need",
                                 str(files["need"]), "-w", str(demo_workspace_path)])
    assert result.exit_code == 0, result.output
    expected = _expected_most_needy_per_head(demo_workspace)
    text = " ".join(result.output.split())
    assert f"The most-needy fifth of areas received £{expected:.2f} per head" in text
    assert "random draws: seed 0" in text


def test_need_scores_chain_from_build_into_funding(
    demo_workspace_path: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    scores = tmp_path / "scores.csv"
    ws = ["-w", str(demo_workspace_path)]
    built = runner.invoke(app, ["need", "build", str(files["need"]), "--csv", str(scores), *ws])
    assert built.exit_code == 0, built.output
    assert list(pd.read_csv(scores).columns[:2]) == ["geography_code", "score"]
    population = tmp_path / "population.csv"
    exported = runner.invoke(app, ["export", str(population), "--indicator", "population",
                                   "--level", "lad", *ws])
    assert exported.exit_code == 0, exported.output
    from_files = runner.invoke(app, ["funding", "analyse", str(files["allocations"]), "--need",
                                     str(scores), "--population", str(population), *ws])
    from_workspace = runner.invoke(app, ["funding", "analyse", str(files["allocations"]),
                                         "--need", str(files["need"]), *ws])
    assert from_files.exit_code == 0, from_files.output
    head = lambda r: r.output.split("need groups")[0]  # noqa: E731
    assert head(from_files) == head(from_workspace)  # the same figures, read back from files


def test_need_build_names_areas(demo_workspace_path: Path, files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["need", "build", str(files["need"]), "--top", "3",
                                 "-w", str(demo_workspace_path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert re.search(r"│ Sandwell +│ E08000028 +│", result.output)  # the neediest, named
    assert "Isles of Scilly (E06000053)" in result.output  # excluded for low coverage


def test_need_uncertainty_names_areas(demo_workspace_path: Path, files: dict[str, Path]) -> None:
    """The rank intervals once listed bare codes."""
    result = runner.invoke(app, ["need", "uncertainty", str(files["need"]), "--n-resamples", "8",
                                 "--top", "3", "-w", str(demo_workspace_path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    intervals = result.output.split("rank intervals")[1]
    assert re.search(r"┃ name +┃ geography_code +┃", intervals)
    assert len(re.findall(r"│ [A-Z][a-z][^│]* +│ E0\d{7} +│", intervals)) == 3, intervals


def test_value_for_money_equity_from_the_workspace(
    demo_workspace_path: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    common = ["--records-url", url, "-w", str(demo_workspace_path)]
    for args in (
        ["programme", "create", "Skills", "--start", "2024-04-01", "--end", "2027-03-31",
         "--place", "Sandwell", "--place", "Camden"],
        ["programme", "add-spend", "1", "2024", "UKSPF", "300000", "--place", "E08000028"],
        ["programme", "add-spend", "1", "2024", "UKSPF", "100000", "--place", "E09000007"],
    ):
        done = runner.invoke(app, [*args, *common])
        assert done.exit_code == 0, done.output
    result = runner.invoke(app, ["programme", "vfm", "1", "--need", str(files["need"]), *common])
    assert result.exit_code == 0, result.output
    # Sandwell is in the neediest fifth of districts, Camden is not: 300,000 of 400,000
    assert re.search(r"equity +75.0%  share of spend in most deprived fifth", result.output)
    assert "equity: needs" not in result.output
