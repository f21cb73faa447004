"""The geography commands: code history, lookups by year, name matching, default boundaries,
derived values and harmonised exports."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from geography_helpers import nomis
from levelscope.cli import app

runner = CliRunner()


def test_history_of_a_code(tmp_path: Path) -> None:
    result = runner.invoke(app, ["geographies", "--history", "E06000066", "-w", str(tmp_path / "w.duckdb")],
                           terminal_width=200)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "E06000066 Somerset (lad): from 2023-04-01, still in use" in said
    assert ("2023-04-01 Somerset (E06000066) ← Mendip (E07000187), Sedgemoor (E07000188), South Somerset "
            "(E07000189), Somerset West and Taunton (E07000246): merger") in said
    assert "The Somerset (Structural Changes) Order 2022 (S.I. 2022/329)" in said
    assert "Somerset (E06000066) ← Somerset (E10000027): recode" in said
    unknown = runner.invoke(app, ["geographies", "--history", "E0600006X"])
    assert unknown.exit_code == 3 and "did you mean" in unknown.output


def test_lookup_of_a_boundary_year_as_csv(tmp_path: Path) -> None:
    out = tmp_path / "lookup.csv"
    result = runner.invoke(app, ["geographies", "--geography-vintage", "2019", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in csv.DictReader(out.open())}
    assert len(rows) == 382  # 317 English, 22 Welsh, 32 Scottish and 11 Northern Irish districts
    assert rows["E07000246"]["county"] == "E10000027"
    assert rows["E08000037"]["combined_authority"] == "E47000010"


def test_name_matching_exits_1_naming_what_failed(tmp_path: Path) -> None:
    names = tmp_path / "bids.csv"
    names.write_text("Area,Amount\nRhondda Cynon Taff,1\nNewcastle,2\n")
    result = runner.invoke(app, ["geographies", "--match", str(names), "--column", "Area",
                                 "--geography-vintage", "2021"], terminal_width=200)
    assert result.exit_code == 1
    assert "unmatched: 'Newcastle' (close: Newcastle upon Tyne, Newcastle-under-Lyme)" in result.output


def test_default_boundaries_derive_and_harmonised_export(
    demo_workspace_path: Path, tmp_path: Path, shared_data: Path
) -> None:
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_workspace_path.read_bytes())
    listing = runner.invoke(app, ["geographies", "--level", "region", "-w", str(copy)], terminal_width=200)
    assert "figures are put on 2023 boundaries by default" in listing.output
    derived = runner.invoke(app, ["derive", "--indicator", "population", "-w", str(copy)], terminal_width=200)
    assert derived.exit_code == 0, derived.output
    # 163 ITL3 regions a year 1991-2000 (Northern Ireland's figures start in 2001), 174 a year
    # 2001-2021, 145 in 2022 (England and Wales only): 1,630 + 3,654 + 145
    assert "population at itl3: 5429" in derived.output
    out = tmp_path / "pop.csv"
    exported = runner.invoke(app, ["export", str(out), "--indicator", "population", "--level", "lad",
                                   "--geography-vintage", "2023", "-w", str(copy)])
    assert exported.exit_code == 0, exported.output
    rows = [r for r in csv.DictReader(out.open())
            if r["geography_code"] == "E06000063" and r["period"] == "2016"]
    pop = nomis(shared_data)
    assert float(rows[0]["value"]) == sum(pop[c]["2016"] for c in ("E07000026", "E07000028", "E07000029"))
    assert "sum of 3 areas by levelscope (E07000026;E07000028;E07000029)" in rows[0]["source"]
    runner.invoke(app, ["geographies", "--set-geography-vintage", "published", "-w", str(copy)])
    plain = tmp_path / "plain.csv"
    runner.invoke(app, ["export", str(plain), "--indicator", "population", "--level", "lad", "-w", str(copy)])
    codes = {r["geography_code"] for r in csv.DictReader(plain.open())}
    assert "E07000026" in codes and "E06000063" not in codes
