"""Drafting layouts for files the worked examples do not cover: other separators and encodings,
long tables, a year inside a prefix, files with no area codes, and the explorer's other sheets."""

from __future__ import annotations

from pathlib import Path

import pytest

from levelscope.data.publishers import EXPLORER_SHEETS
from levelscope.data.sniff import FILL_IN, suggest_layout
from levelscope.errors import ValidationError


def test_semicolons_in_cp1252_and_a_long_table(tmp_path: Path) -> None:
    path = tmp_path / "pay.csv"
    path.write_bytes(
        "Weekly pay by council – provisional\n\n"
        "Code;Council;Year;Pay (£);Lower;Upper\n"
        "E06000001;Hartlepool;2022;512,5;500;525\n"
        "E06000002;Middlesbrough;2022;..;;\n"
        "E06000001;Hartlepool;2023;530;520;540\n".replace(",", ".").encode("cp1252"))
    found = suggest_layout(path)
    layout = found.layout
    assert (layout.encoding, layout.delimiter, layout.header_row) == ("cp1252", ";", 3)
    assert (layout.form, layout.geography, layout.period, layout.value) == ("long", "Code", "Year",
                                                                           "Pay (£)")
    assert (layout.lower, layout.upper, layout.name) == ("Lower", "Upper", "Council")
    assert layout.indicator_id == "weekly_pay"
    assert "missing-value markers: '..'" in found.findings


def test_a_year_inside_a_prefix_and_notes_after_the_table(tmp_path: Path) -> None:
    path = tmp_path / "gva.csv"
    path.write_text("Code,Name,Pounds_2004,Pounds_2005\nE06000001,Hartlepool,18.6,18.5\n"
                    "E06000002,Middlesbrough,19.8,19.5\n\nNote 1: current prices\n")
    layout = suggest_layout(path).layout
    assert (layout.form, layout.period_columns, layout.ends_at_blank_row) == (
        "wide", r"^Pounds_(\d{4})$", True)
    assert layout.indicator_id == FILL_IN


def test_no_area_codes_is_said(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("Council,2022\nHartlepool,5\nMiddlesbrough,6\n")
    with pytest.raises(ValidationError, match="no column of area codes"):
        suggest_layout(path)


def test_an_empty_first_sheet_is_called_empty_and_the_sheets_with_codes_named(tmp_path: Path) -> None:
    # regression: the IMD summaries open on an empty 'Notes' sheet, which was said to have no
    # codes "in the first 0 rows"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    data = book.create_sheet("IMD")
    data.append(["Local Authority District code (2019)", "IMD - Average score"])
    for code, score in [("E06000009", 45.039), ("E08000003", 40.037), ("E06000002", 40.460)]:
        data.append([code, score])
    path = tmp_path / "summaries.xlsx"
    book.save(path)
    with pytest.raises(ValidationError, match=r"\(the sheet is empty\); choose a sheet .* 'IMD'"):
        suggest_layout(path)


def test_most_explorer_sheets_name_their_indicator(shared_data: Path) -> None:
    """The catalogue match is a heuristic: on the explorer's 50 metric sheets it finds the
    indicator the hand-written explorer parser maps each sheet to for at least 45."""
    book = shared_data / "uk_subnational_indicators" / "subnatindicators.xlsx"
    right = sum(suggest_layout(book, sheet=sheet).layout.indicator_id == ident
                for sheet, ident in EXPLORER_SHEETS.items())
    assert right >= 45


def test_productivity_indices_are_not_taken_for_pounds_and_the_sheet_is_named(shared_data: Path) -> None:
    workbook = shared_data / "uk_productivity" / "labourproductivityitls.xls"
    # regression: the first sheet ('Contents') gave "write the layout by hand"; the sheets with
    # area codes are named instead
    with pytest.raises(ValidationError, match=r"choose a sheet that has them with --sheet: 'A1', 'A2'"):
        suggest_layout(workbook)
    # regression: Table A1 (GVA per hour worked indices, UK = 100) was matched to
    # gva_per_hour_worked, in pounds per hour
    found = suggest_layout(workbook, sheet="A1")
    assert found.layout.indicator_id == FILL_IN
    assert any("speaks of indices" in f for f in found.findings)
    # Table A3 is in pounds per hour: the match stands
    assert suggest_layout(workbook, sheet="A3").layout.indicator_id == "gva_per_hour_worked"
