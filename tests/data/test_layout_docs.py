"""The layout reference page's worked examples run as written, on the publishers' own files.

docs/layouts.md shows, for a Nomis export, an ONS time series and an ONS spreadsheet with a
metadata block, what ``levelscope layout suggest`` writes and the layout to import with. Here
each suggestion is made again and must equal the page; each layout is imported into a new
workspace through the command line, as a user would, and the values are checked against the
files read independently (the csv module, openpyxl). A changed page is a changed test.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from levelscope.cli import app
from levelscope.data import Workspace
from levelscope.data.sniff import suggest_layout

runner = CliRunner()
PAGE = Path(__file__).resolve().parents[2] / "docs" / "layouts.md"
_BLOCK = re.compile(r"<!-- (suggested layout|layout): (.+?)(?: \[(.+)\])? -->\n```yaml\n(.*?)```",
                    re.S)


def examples(kind: str) -> dict[tuple[str, str | None], str]:
    found = {}
    for what, path, sheet, text in _BLOCK.findall(PAGE.read_text(encoding="utf-8")):
        if what == kind:
            found[(path, sheet or None)] = text
    return found


def test_the_page_has_the_three_examples() -> None:
    assert sorted(p for p, _ in examples("suggested layout")) == [
        "uk_gva_by_industry/Table 3c ITL3 UK current price estimates pounds million.csv",
        "uk_population/lad_pop.csv",
        "uk_subnational_indicators/subnatindicators.xlsx",
    ]


@pytest.mark.parametrize("example", sorted(examples("suggested layout")), ids=lambda e: e[0])
def test_suggestions_are_what_the_page_shows(shared_data: Path, example: tuple[str, str | None]) -> None:
    path, sheet = example
    made = suggest_layout(shared_data / path, sheet=sheet).to_yaml()
    shown = examples("suggested layout")[example]
    # the page names the layout file the user writes (--out); the suggestion leaves a blank
    assert re.sub(r"--layout \S+", "--layout LAYOUT_FILE", shown) == made


def _import(workspace: Path, data: Path, layout_text: str, tmp_path: Path, vintage: str) -> str:
    layout = tmp_path / "layout.yaml"
    layout.write_text(layout_text, encoding="utf-8")
    result = runner.invoke(app, ["import", str(data), "-w", str(workspace), "--layout", str(layout),
                                 "--vintage", vintage])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture()
def fresh(tmp_path: Path) -> Path:
    path = tmp_path / "new.duckdb"
    assert runner.invoke(app, ["init", "-w", str(path)]).exit_code == 0
    return path


def test_nomis_example(fresh: Path, shared_data: Path, tmp_path: Path) -> None:
    data = shared_data / "uk_population" / "lad_pop.csv"
    output = _import(fresh, data, examples("suggested layout")[("uk_population/lad_pop.csv", None)],
                     tmp_path, "2024-06-05")
    shown = re.search(r"```text\n(lad_pop\.csv \(vintage.*?)```", PAGE.read_text(), re.S)
    assert shown is not None
    assert " ".join(output.split()) == " ".join(shown[1].split())  # the report as the page shows it
    with data.open(newline="") as handle:
        rows = [r for r in csv.reader(handle) if len(r) == 34 and r[1][1:].isdigit()]
    with Workspace.open(fresh, read_only=True) as ws:
        values = ws.observations("population").set_index(["geography_code", "period"])["value"]
        assert ws.geography("E08000025").name == "Birmingham"
    expected = {(r[1], str(1991 + i)): float(c) for r in rows for i, c in enumerate(r[2:]) if c != "-"}
    assert len(values) == len(expected) == 11_815
    assert all(values[key] == value for key, value in expected.items())


def test_ons_time_series_example(fresh: Path, shared_data: Path, tmp_path: Path) -> None:
    name = "uk_gva_by_industry/Table 3c ITL3 UK current price estimates pounds million.csv"
    _import(fresh, shared_data / name, examples("layout")[(name, None)], tmp_path, "2023-04-25")
    with (shared_data / name).open(newline="") as handle:
        reader = csv.DictReader(handle)
        totals = {r["ITL region code"]: r for r in reader if r["SIC07 code"] == "Total"}
    with Workspace.open(fresh, read_only=True) as ws:
        values = ws.observations("gva_current_prices").set_index(["geography_code", "period"])["value"]
        names = ws.geographies("itl3").set_index("code")["name"]
    assert len(totals) == 179 and len(values) == 179 * 24
    for code, row in totals.items():
        for year in ("1998", "2010", "2021"):
            assert values[code, year] == float(row[year].replace(",", ""))
        assert names[code] == row["ITL region name"]


def test_ons_spreadsheet_example(fresh: Path, shared_data: Path, tmp_path: Path) -> None:
    name = "uk_subnational_indicators/subnatindicators.xlsx"
    layout = examples("suggested layout")[(name, "Weekly pay")]
    assert yaml.safe_load(layout)["period_label"] == "2023"
    # two rows give 2023 figures for codes the sheet itself marks obsolete: refused, as the page says
    (tmp_path / "layout.yaml").write_text(layout, encoding="utf-8")
    refused = runner.invoke(app, ["import", str(shared_data / name), "-w", str(fresh), "--layout",
                                  str(tmp_path / "layout.yaml"), "--vintage", "2024-03-21"])
    said = " ".join(refused.output.split())
    assert refused.exit_code == 1 and "nothing was written" in said
    assert "row 24" in said and "'E11000004'" in said and "E11000007 (Tyne and Wear)" in said
    assert "row 263" in said and "'E10000002'" in said and "E06000060 (Buckinghamshire)" in said
    book = openpyxl.load_workbook(shared_data / name, read_only=True, data_only=True)
    rows = list(book["Weekly pay"].iter_rows(values_only=True))
    book.close()
    kept = openpyxl.Workbook()
    sheet_out = kept.active
    assert sheet_out is not None
    sheet_out.title = "Weekly pay"
    for row in rows:
        if not (row[-1] and str(row[-1]).startswith("Obsolete code")):
            sheet_out.append(list(row))
    edited = tmp_path / "subnatindicators.xlsx"
    kept.save(edited)
    _import(fresh, edited, layout, tmp_path, "2024-03-21")
    sheet = rows[11:]
    table = {r[0]: r for r in sheet if r[0] and r[0] != "na" and isinstance(r[6], int | float)
             and not (r[-1] and str(r[-1]).startswith("Obsolete code"))}
    with Workspace.open(fresh, read_only=True) as ws:
        values = ws.observations("weekly_pay").set_index("geography_code")
        assert ws.geography("E13000001").level == "other"
        assert ws.geography("E08000025").name == "Birmingham"
    assert len(values) == len(table) == 403
    for code, row in table.items():
        assert values.at[code, "value"] == row[6]
        for column, cell in (("lower", row[7]), ("upper", row[8])):
            if cell == "na":  # a missing bound is absent, not zero
                assert pd.isna(values.at[code, column])
            else:
                assert values.at[code, column] == cell
    assert values["period"].unique().tolist() == ["2023"]


def test_layout_suggest_command_writes_a_file_and_keeps_an_existing_one(
    shared_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pop.yaml"
    data = str(shared_data / "uk_population" / "lad_pop.csv")
    result = runner.invoke(app, ["layout", "suggest", data, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"--layout {out} --vintage 2024-06-05" in out.read_text()
    assert yaml.safe_load(out.read_text())["geography"] == "mnemonic"
    again = runner.invoke(app, ["layout", "suggest", data, "--out", str(out)])
    assert again.exit_code == 1 and "exists" in again.output
