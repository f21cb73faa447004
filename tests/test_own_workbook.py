"""A user brings a publisher's table that levelscope has no connector for: the ONS regional GVA
table for ITL3 regions (current prices, £ million, one row per region and industry), kept in a
folder of its own under the name the ONS gives it, spaces included.

The layout suggestion's own command must import it when pasted into a shell, its printed YAML must
survive a narrow terminal, and ``show Birmingham`` must then find the ITL3 region the figures are
for rather than the district of the same name, which has none.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from levelscope.cli import app

runner = CliRunner()

TABLE = Path("uk_gva_by_industry") / "Table 3c ITL3 UK current price estimates pounds million.csv"


@pytest.fixture(autouse=True)
def narrow_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 60-column terminal: any line the command lets the console wrap would break."""
    from levelscope.cli import common

    monkeypatch.setattr(common.console, "width", 60)


def levelscope(*words: object) -> str:
    result = runner.invoke(app, [str(w) for w in words])
    assert result.exit_code == 0, f"levelscope {' '.join(map(str, words))}\n{result.output}"
    return result.output


def test_a_publishers_table_from_its_own_folder(shared_data: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    workspace = tmp_path / "mine.duckdb"
    table = shared_data / TABLE
    levelscope("init", "-w", workspace)
    layout = tmp_path / "gva layout.yaml"
    printed = levelscope("layout", "suggest", table, "--out", layout)
    # what was printed is the file written, line for line, however narrow the terminal
    assert printed.startswith(layout.read_text(encoding="utf-8").rstrip("\n"))
    drafted = yaml.safe_load(layout.read_text(encoding="utf-8"))
    # the whole-economy rows, and the catalogue's indicator, found from the words of the name
    assert drafted["keep"] == {"SIC07 code": ["Total"]}
    assert drafted["indicator_id"] == "gva_current_prices"
    # the suggested command, as a shell would split it, names the table and the layout written
    command = next(line for line in printed.splitlines() if "levelscope import" in line)
    words = shlex.split(command.lstrip("# "))
    assert words == ["levelscope", "import", str(table), "--layout", str(layout)]
    # and levelscope says it reads this table as published, without the layout
    note = printed[printed.index("note: levelscope knows this publisher's file"):]
    as_published = shlex.split(" ".join(note.split()).split("`")[1])
    assert as_published == ["levelscope", "import", str(table)]
    imported = " ".join(levelscope(*words[1:], "-w", workspace).split())

    # the file read by hand: the all-industries rows, thousands separators, 1998-2021
    published = pd.read_csv(table, thousands=",")
    totals = published[published["SIC07 code"] == "Total"].set_index("ITL region code")
    years = [c for c in totals.columns if c.isdigit()]
    assert f"written {totals[years].notna().sum().sum():,}" in imported  # 179 regions x 24 years
    assert "skipped 0" in imported

    from levelscope.cli import common

    monkeypatch.setattr(common.console, "width", 200)  # tables on one line each from here
    shown = " ".join(levelscope("show", "Birmingham", "-w", workspace).split())
    assert "Birmingham (TLG31)" in shown  # the ITL3 region: the figures are for it
    assert "also the name of E08000025" in shown
    # GVA in £ million is the region's size: context, never ranked or flagged as performance
    assert "no rates or indexes yet, only counts and amounts" in shown
    size = shown[shown.index("Context: the area's size"):]
    assert f"£{totals.loc['TLG31', '2021']:,.0f} million" in size  # £28,913 million in 2021
    largest = int((totals["2021"] > totals.loc["TLG31", "2021"]).sum()) + 1  # 7th of 179 by size
    assert f"{largest} of {len(totals)}" in size
    district = " ".join(levelscope("show", "E08000025", "-w", workspace).split())
    assert "Birmingham (E08000025) has no figures in this workspace yet" in district


def test_redefining_a_catalogued_indicator_says_what_changed(tmp_path: Path) -> None:
    workspace = tmp_path / "mine.duckdb"
    levelscope("init", "-w", workspace)
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump([
        {"id": "gva_current_prices", "name": "GVA", "unit": "£ million"},  # no kind, no aggregation
        {"id": "apprenticeship_places", "name": "Apprenticeship places funded", "unit": "places"},
    ]))
    said = " ".join(levelscope("indicators", "--add", mine, "-w", workspace).split())
    assert "added 1 indicator: apprenticeship_places" in said
    # the catalogue's amount, summed over areas, would now be ranked as a rate: the user is told
    assert "updated gva_current_prices:" in said
    assert "kind amount → rate" in said and "aggregation sum → none" in said
    again = " ".join(levelscope("indicators", "--add", mine, "-w", workspace).split())
    assert "unchanged 2 indicators: gva_current_prices, apprenticeship_places" in again


def test_a_publishers_file_is_read_as_published_without_a_layout(shared_data: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "mine.duckdb"
    levelscope("init", "-w", workspace)
    table = shared_data / TABLE
    imported = " ".join(levelscope("import", table, "-w", workspace).split())
    published = pd.read_csv(table, thousands=",")
    totals = published[published["SIC07 code"] == "Total"]
    years = [c for c in totals.columns if c.isdigit()]
    # the ONS released this edition of the regional GVA tables on 25 April 2023
    assert "(vintage 2023-04-25)" in imported
    assert f"written {totals[years].notna().sum().sum():,}" in imported
    # the Nomis export: four title lines, '-' for missing, notes under the table; its release
    # date is in its title lines
    population = shared_data / "uk_population" / "lad_pop.csv"
    by_hand = pd.read_csv(population, skiprows=6, dtype=str)
    by_hand = by_hand[by_hand["mnemonic"].fillna("").str.match(r"^[EWSN]\d{8}$")]
    cells = by_hand.drop(columns=[by_hand.columns[0], "mnemonic"])
    imported = " ".join(levelscope("import", population, "-w", workspace).split())
    assert f"written {int(cells.ne('-').sum().sum()):,}" in imported
    assert f"skipped {int(cells.eq('-').sum().sum())}" in imported
    again = " ".join(levelscope("import", population, "-w", workspace).split())
    assert "written 0" in again  # the same release again changes nothing


def test_an_oecd_extract_imports_as_international_load_reads_it(shared_data: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "mine.duckdb"
    levelscope("init", "-w", workspace)
    extract = shared_data / "international" / "oecd_tl3_gdppc_pop_2000_2020.csv"
    table = pd.read_csv(extract)
    gdp = table["GDP_PC"].notna() & table["GDP_PC"].ne(0)  # the OECD's 0 marks a missing figure
    imported = " ".join(levelscope("import", extract, "-w", workspace).split())
    assert f"written {int(gdp.sum() + table['POP'].notna().sum()):,}" in imported
    assert f"excluded {int(table['GDP_PC'].eq(0).sum())}" in imported
    from levelscope.cli import common

    monkeypatch.setattr(common.console, "width", 200)
    leipzig = table[(table["REG_ID"] == "DE008M") & (table["TIME"] == 2020)].iloc[0]
    shown = " ".join(levelscope("show", "DE008M", "-w", workspace).split())
    assert f"{leipzig['GDP_PC']:,.0f} USD per head" in shown  # 39,746 in 2020
    refused = runner.invoke(app, ["import", str(extract), "-w", str(workspace), "--dry-run"])
    assert refused.exit_code == 1 and "international load" in refused.output


def test_a_workbook_whose_first_sheet_is_empty_says_so(shared_data: Path, tmp_path: Path) -> None:
    # regression: the IoD2019 district summaries open on an empty sheet, and the import said no
    # header was found "in the first 0 rows"
    workspace = tmp_path / "mine.duckdb"
    levelscope("init", "-w", workspace)
    summaries = (shared_data / "deprivation"
                 / "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx")
    result = runner.invoke(app, ["import", str(summaries), "-w", str(workspace)])
    said = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "the first sheet is empty; choose another with --sheet" in said
    assert "first 0 rows" not in said


def test_a_layout_written_by_hand_with_a_bare_year(shared_data: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # regression: `period_label: 2019`, as anyone writes a year in YAML, was refused as "not a
    # valid string"
    workspace = tmp_path / "mine.duckdb"
    levelscope("init", "-w", workspace)
    summaries = (shared_data / "deprivation"
                 / "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx")
    layout = tmp_path / "imd.yaml"
    layout.write_text("sheet: IMD\nheader_row: 1\ngeography: Local Authority District code (2019)\n"
                      "indicator: null\nindicator_id: imd_average_score\nperiod: null\n"
                      "period_label: 2019\nvalue: IMD - Average score\n", encoding="utf-8")
    definitions = tmp_path / "mine.yaml"
    definitions.write_text(yaml.safe_dump([{"id": "imd_average_score", "name": "IMD average score",
                                            "unit": "score", "polarity": "lower_is_better"}]))
    levelscope("indicators", "--add", definitions, "-w", workspace)
    imported = " ".join(levelscope("import", summaries, "--layout", layout, "-w", workspace).split())
    by_hand = pd.read_excel(summaries, sheet_name="IMD").rename(columns=str.strip)  # 'score '
    assert f"written {len(by_hand)}" in imported  # the 317 districts of 2019
    from levelscope.cli import common

    monkeypatch.setattr(common.console, "width", 200)
    blackpool = by_hand.set_index("Local Authority District code (2019)").loc["E06000009"]
    shown = " ".join(levelscope("show", "E06000009", "-w", workspace).split())
    assert f"{blackpool['IMD - Average score']:.1f}" in shown  # 45.0, the most deprived
    assert f"{len(by_hand)} of {len(by_hand)}" in shown
