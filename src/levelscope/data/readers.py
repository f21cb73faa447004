"""Reading a table's raw cells from CSV, Excel (.xlsx, .xls) and Parquet, keeping row numbers.

Publishers put titles, notes and metadata above and below their tables, so readers return every
row with the number a spreadsheet program would show; the layout then says where the table is.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from levelscope.errors import Problem, ValidationError


@dataclass(frozen=True)
class RawRow:
    number: int  # as a spreadsheet program numbers it (1 = first line of the file)
    cells: tuple[Any, ...]


def read_rows(path: Path, sheet: str | int | None = None) -> list[RawRow]:
    """Every row of the file (or of one sheet of a workbook) with its row number."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ValidationError(Problem(file=path.name, reason="file not found"))
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, delimiter="\t" if suffix == ".tsv" else ",")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        return _read_xls(path, sheet)
    if suffix == ".parquet":
        return _read_parquet(path)
    raise ValidationError(
        Problem(file=path.name, reason=f"cannot read {suffix or 'files without a suffix'}; "
                "use CSV, Excel (.xlsx, .xls) or Parquet")
    )


def read_workbook(path: Path) -> dict[str, list[RawRow]]:
    """Every sheet of an .xlsx workbook, read in one pass (much faster than sheet by sheet)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            name: [
                RawRow(number, tuple(row))
                for number, row in enumerate(book[name].iter_rows(min_row=1, values_only=True), 1)
            ]
            for name in book.sheetnames
        }
    finally:
        book.close()


def sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook, in order."""
    if path.suffix.lower() == ".xls":
        import xlrd

        return list(xlrd.open_workbook(str(path), on_demand=True).sheet_names())
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _read_csv(path: Path, delimiter: str) -> list[RawRow]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            return [RawRow(reader.line_num, tuple(row)) for row in reader]
    except UnicodeDecodeError:
        with path.open(newline="", encoding="cp1252") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            return [RawRow(reader.line_num, tuple(row)) for row in reader]


def _pick_sheet(names: list[str], sheet: str | int | None, file: str) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise ValidationError(Problem(file=file, reason=f"no sheet number {sheet}"))
        return names[sheet]
    if sheet not in names:
        raise ValidationError(
            Problem(file=file, value=sheet, reason=f"no such sheet; the sheets are {names}")
        )
    return sheet


def _read_xlsx(path: Path, sheet: str | int | None) -> list[RawRow]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[_pick_sheet(list(book.sheetnames), sheet, path.name)]
        return [
            RawRow(number, tuple(row))
            for number, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)
        ]
    finally:
        book.close()


def _read_xls(path: Path, sheet: str | int | None) -> list[RawRow]:
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    ws = book.sheet_by_name(_pick_sheet(list(book.sheet_names()), sheet, path.name))
    return [RawRow(i + 1, tuple(ws.row_values(i))) for i in range(ws.nrows)]


def _read_parquet(path: Path) -> list[RawRow]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    columns = table.column_names
    data = table.to_pydict()
    rows = [RawRow(1, tuple(columns))]
    rows += [RawRow(i + 2, tuple(data[c][i] for c in columns)) for i in range(table.num_rows)]
    return rows
