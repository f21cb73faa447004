"""Files as users bring them: encodings, hostile bytes, their own source and vintage columns,
empty tables, shifted rows, row numbers in large files, and exports that import back unchanged.

Each failing file must be refused with a message naming the file, row, column and value, and
leave the workspace as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from levelscope.data import Geography, Indicator, Layout, Level, Workspace
from levelscope.data.exports import escape_formulas
from levelscope.data.validation import EXAMPLES
from levelscope.errors import ValidationError

HEADER = "geography_code,indicator_id,period,value\n"


@pytest.fixture()
def ws(tmp_path: Path) -> Iterator[Workspace]:
    # a workspace file, not memory: imports into a file stage in a scratch file of their own
    workspace = Workspace.open(tmp_path / "ws.duckdb")
    workspace.add_geographies(
        [Geography(code=f"E0600000{i}", name=name, level=Level.LAD)
         for i, name in enumerate(["Hartlepool", "Middlesbrough", "Redcar and Cleveland"], 1)]
    )
    workspace.add_indicators([Indicator(id="pay", name="Weekly pay", unit="£ per week")])
    yield workspace
    workspace.close()


def held(ws: Workspace) -> pd.DataFrame:
    return ws.con.execute(
        "SELECT geography_code, period, value, source, vintage FROM observation ORDER BY ALL"
    ).df()


# -- encodings ------------------------------------------------------------------------------------

TEXT = HEADER + "E06000001,pay,2023,512.5\nE06000002,pay,2023,–\nE06000003,pay,2023,498\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_encodings_are_detected(ws: Workspace, tmp_path: Path, encoding: str) -> None:
    # regression: UTF-16 was reported as "no header row"; cp1252's en dash (a Nomis-style
    # missing marker) must still read as the marker, not as mojibake
    path = tmp_path / f"pay-{encoding}.csv"
    path.write_bytes(TEXT.encode(encoding))
    report = ws.import_file(path, vintage="2024-01-01")
    assert (report.values_written, report.values_skipped) == (2, 1)
    assert report.skipped[0].value == "–" and report.skipped[0].row == 3
    assert held(ws)["value"].tolist() == [512.5, 498.0]


def test_a_stated_encoding_is_used(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes((HEADER + "E06000001,pay,2023,5\n").encode("latin-1"))
    report = ws.import_file(path, vintage="2024-01-01", encoding="latin-1")
    assert report.values_written == 1
    with pytest.raises(ValidationError, match="unknown text encoding"):
        ws.import_file(path, vintage="2024-01-01", encoding="klingon")


def test_utf8_broken_late_in_the_file_is_read_as_cp1252(ws: Workspace, tmp_path: Path) -> None:
    # the first 64 KiB are plain ASCII; a cp1252 pound sign comes near the end
    rows = "".join(f"E06000001,pay,{1900 + i % 120}-01-{1 + i % 28:02d},{i}\n" for i in range(1))
    path = tmp_path / "late.csv"
    body = HEADER + "x" * 0 + rows
    path.write_bytes(body.encode() + b" " * 70_000 + b"\n" + "E06000002,pay,2023,£5\n".encode("cp1252"))
    with pytest.raises(ValidationError) as caught:
        ws.import_file(path, vintage="2024-01-01")
    problem = next(p for p in caught.value.problems if p.column == "value")
    assert (problem.value, problem.row) == ("£5", 4)  # decoded as cp1252: the pound sign is right


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xls", ".parquet"])
def test_random_bytes_are_refused_clearly(ws: Workspace, tmp_path: Path, suffix: str) -> None:
    # regression: random bytes ended in a raw traceback
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(random.Random(1).randbytes(5000))
    before = held(ws)
    with pytest.raises(ValidationError) as caught:
        ws.import_file(path, vintage="2024-01-01")
    message = str(caught.value)
    assert f"noise{suffix}" in message and "nothing was written" in message
    pd.testing.assert_frame_equal(before, held(ws))


def test_high_bytes_without_zeros_are_refused(ws: Workspace, tmp_path: Path) -> None:
    # bytes cp1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d) and no zero bytes
    path = tmp_path / "noise.csv"
    path.write_bytes(bytes([0x81, 0x8D, 0x41, 0x90, 0x9D]) * 200)
    with pytest.raises(ValidationError, match=r"noise.csv.*not UTF-8 .*UTF-16 or Windows cp1252"):
        ws.import_file(path, vintage="2024-01-01")


# -- source and vintage columns -------------------------------------------------------------------


def test_a_source_column_is_honoured(ws: Workspace, tmp_path: Path) -> None:
    # regression: a source column in the file was silently ignored
    path = tmp_path / "sourced.csv"
    path.write_text(HEADER.replace("value", "value,source")
                    + "E06000001,pay,2023,5,ONS ASHE\nE06000002,pay,2023,6,\n")
    report = ws.import_file(path, vintage="2024-01-01")
    assert "gives each value's source" in " ".join(report.notes)
    assert held(ws)["source"].tolist() == ["ONS ASHE", "sourced.csv"]  # a blank takes the default


def test_a_different_source_given_with_a_source_column_is_refused(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "sourced.csv"
    path.write_text(HEADER.replace("value", "value,source") + "E06000001,pay,2023,5,ONS ASHE\n")
    with pytest.raises(ValidationError) as caught:
        ws.import_file(path, vintage="2024-01-01", source="My council")
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "sourced.csv", 2, "source", "ONS ASHE")
    assert ws.import_file(path, vintage="2024-01-01", source="ONS ASHE").values_written == 1


def test_a_vintage_column_that_disagrees_is_refused(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "dated.csv"
    path.write_text(HEADER.replace("value", "value,vintage") + "E06000001,pay,2023,5,2024-03-01\n")
    with pytest.raises(ValidationError, match="says its vintage is 2024-03-01, not the 2024-06-01"):
        ws.import_file(path, vintage="2024-06-01")
    assert ws.import_file(path).vintage == dt.date(2024, 3, 1)


# -- empty, shifted, many problems ----------------------------------------------------------------


def test_a_header_only_file_warns(ws: Workspace, tmp_path: Path) -> None:
    # regression: a header-only file imported "0 rows" with no warning
    path = tmp_path / "empty.csv"
    path.write_text(HEADER)
    report = ws.import_file(path, vintage="2024-01-01")
    assert report.values_read == 0
    assert report.warnings == ("the file has no data rows under its header: nothing was imported",)
    assert "warning: the file has no data rows" in str(report)


def test_a_shifted_row_is_refused(ws: Workspace, tmp_path: Path) -> None:
    # an unquoted comma in a name shifts the cells: the row has more cells than the header
    path = tmp_path / "shifted.csv"
    path.write_text("geography_code,name,indicator_id,period,value\n"
                    "E06000001,Hartlepool,pay,2023,5\n"
                    "E06000002,Newry, Mourne and Down,pay,2023,6\n")
    with pytest.raises(ValidationError) as caught:
        ws.import_file(path, vintage="2024-01-01")
    shifted = [p for p in caught.value.problems if "more cells than the header" in p.reason]
    assert [(p.row, p.value) for p in shifted] == [(3, "6")]


def test_many_bad_values_are_listed_then_counted(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    months = [f"{1900 + i // 12}-{i % 12 + 1:02d}" for i in range(250)]
    path.write_text(HEADER + "".join(f"E06000001,pay,{month},n/k\n" for month in months))
    with pytest.raises(ValidationError) as caught:
        ws.import_file(path, vintage="2024-01-01")
    problems = caught.value.problems
    listed = [p for p in problems if p.row is not None]
    assert len(listed) == EXAMPLES and listed[0].row == 2 and listed[-1].row == EXAMPLES + 1
    assert problems[-1].reason == "... and 150 more values: not a number: a value must be numeric"


# -- row numbers in a large file ------------------------------------------------------------------


def test_row_numbers_hold_across_blocks_with_blank_ragged_and_multiline_rows(
    ws: Workspace, tmp_path: Path
) -> None:
    """Rows are numbered as a spreadsheet shows them, however the file is split into blocks.

    The file is larger than the reader's block, with blank lines, short rows (notes), a quoted
    cell holding a line break and a bad value far down; the reference numbering is Python's own
    csv reader over the same text.
    """
    rng = random.Random(7)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["geography_code", "indicator_id", "period", "value", "note"])
    for i in range(80_000):
        kind = rng.random()
        if kind < 0.01:
            out.write("\n")
        elif kind < 0.02:
            writer.writerow([f"note {i}"])
        else:
            note = "two\nlines" if kind < 0.03 else ""
            writer.writerow(["E06000001", "pay", f"{1800 + i % 400}-{1 + i // 400 % 12:02d}",
                             f"{i}.5", note])
    writer.writerow(["E06000002", "pay", "2023", "twelve", ""])
    text = out.getvalue()
    path = tmp_path / "big.csv"
    path.write_text(text)
    assert path.stat().st_size > 2 * (1 << 20)  # several of the reader's 1 MiB blocks
    expected = sum(1 for _ in csv.reader(io.StringIO(text)))  # the last row's number
    with pytest.raises(ValidationError) as caught:
        ws.import_file(path, Layout(), vintage="2024-01-01")
    bad = [p for p in caught.value.problems if p.value == "twelve"]
    assert [(p.row, p.column) for p in bad] == [(expected, "value")]
    notes = [p for p in caught.value.problems if p.column == "geography_code"]
    assert not notes  # the one-cell note rows are set aside, not read as codes


# -- exports --------------------------------------------------------------------------------------


def test_export_reimports_unchanged_with_sources_and_formula_text(ws: Workspace, tmp_path: Path) -> None:
    # regression: a source starting with '=' was exported unescaped (spreadsheet formula injection)
    path = tmp_path / "in.csv"
    path.write_text(HEADER.replace("value", "value,lower,upper,source")
                    + "E06000001,pay,2023,18.6,17.1,20.35,=HYPERLINK(\"http://x\")\n"
                    + "E06000002,pay,2022/23,0.1,,,-ONS\n"
                    + "E06000003,pay,2023,123456.789,,,@council\n")
    ws.import_file(path, vintage="2024-05-01")
    out = tmp_path / "out.csv"
    assert ws.export(out) == 3
    text = out.read_text()
    assert "'=HYPERLINK" in text and ",'-ONS" in text and ",'@council" in text
    assert ",18.6,17.1,20.35,2024-05-01," in text  # shortest decimals, a date without a time
    assert text.splitlines()[0] == "geography_code,indicator_id,period,value,lower,upper,vintage,source"
    fresh = Workspace.open(tmp_path / "fresh.duckdb")
    fresh.add_geographies(ws.geography(c) for c in ("E06000001", "E06000002", "E06000003"))
    fresh.add_indicators([ws.indicator("pay")])
    report = fresh.import_file(out)
    assert report.vintage == dt.date(2024, 5, 1) and not report.vintage_assumed
    pd.testing.assert_frame_equal(held(ws), held(fresh))
    assert held(fresh)["source"].tolist() == ['=HYPERLINK("http://x")', "-ONS", "@council"]
    again = fresh.import_file(out)  # idempotent
    assert (again.values_written, again.values_unchanged) == (0, 3)
    fresh.close()


def test_formula_escaping() -> None:
    texts = pd.Series(["=1+1", "+44", "-2", "@SUM", "\tx", "ONS", "", None, "a=b"])
    assert escape_formulas(texts).tolist() == [
        "'=1+1", "'+44", "'-2", "'@SUM", "'\tx", "ONS", "", pd.NA, "a=b"]


# -- Excel, and the workspace's schema ------------------------------------------------------------


def test_excel_wide_with_names_into_an_empty_workspace(tmp_path: Path) -> None:
    fresh = Workspace.open(tmp_path / "empty.duckdb")
    fresh.add_indicators([Indicator(id="jobs", name="Jobs", unit="jobs", aggregation="sum")])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Jobs"
    sheet.append(["Jobs by district"])
    sheet.append([])
    sheet.append(["Code", "District", 2021, 2022])
    # codes no workspace knows yet (every real UK code is registered in a new workspace)
    sheet.append(["E06000998", "Hartlepool Bay", 41000, 41500.0])
    sheet.append(["E06000999", "Middlesbrough Vale", 60250, "[c]"])
    sheet.append(["Source: a survey"])
    path = tmp_path / "jobs.xlsx"
    book.save(path)
    layout = Layout(form="wide", geography="Code", name="District", indicator=None,
                    indicator_id="jobs")
    report = fresh.import_file(path, layout, vintage="2024-02-01")
    assert report.places_registered == ("E06000998", "E06000999")
    assert (report.values_written, report.values_skipped, report.rows_excluded) == (3, 1, 1)
    assert fresh.geography("E06000999").name == "Middlesbrough Vale"
    assert fresh.geography("E06000999").level == Level.LAD
    values = fresh.observations("jobs").set_index(["geography_code", "period"])["value"]
    assert values["E06000998", "2022"] == 41500 and values["E06000999", "2021"] == 60250
    fresh.close()


def test_names_without_codes_are_matched_as_publishers_write_them(ws: Workspace, tmp_path: Path) -> None:
    # case, spaces and "&" for "and" do not matter; a name no place has is reported, not guessed
    path = tmp_path / "named.csv"
    path.write_text("Area,Pay\n hartlepool ,5\nREDCAR AND CLEVELAND,6\nRedcar-by-Sea,7\n")
    layout = Layout(geography=None, name="Area", indicator=None, indicator_id="pay",
                    period=None, period_label="2023", value="Pay")
    with pytest.raises(ValidationError) as caught:
        ws.import_file(path, layout, vintage="2024-01-01")
    assert [(p.row, p.column, p.value, p.reason) for p in caught.value.problems] == [
        (4, "Area", "Redcar-by-Sea", "no place of this name in the workspace")]
    path.write_text("Area,Pay\n hartlepool ,5\nRedcar & Cleveland,6\n")
    ws.import_file(path, layout, vintage="2024-01-01")
    assert held(ws)[["geography_code", "value"]].values.tolist() == [["E06000001", 5.0],
                                                                      ["E06000003", 6.0]]


def test_workspaces_of_schema_1_keep_their_values(tmp_path: Path) -> None:
    """The observation key's index is dropped by a migration; the values stay, and the importer
    still refuses a second, different value for a key it holds."""
    import duckdb

    from levelscope.data.schema import MIGRATIONS

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, "
                "applied_at TIMESTAMP)")
    for statement in MIGRATIONS[0][2]:
        con.execute(statement)
    con.execute("INSERT INTO schema_version VALUES (1, 'first', now())")
    con.execute("INSERT INTO geography VALUES ('E06000001', 'Hartlepool', 'lad', NULL, NULL, NULL, NULL)")
    con.execute("INSERT INTO indicator VALUES ('pay', 'Weekly pay', '£ per week', 'higher_is_better', "
                "'Other', '', '', 'ONS', 'OGL', 'none', '')")
    con.execute("INSERT INTO observation VALUES ('E06000001', 'pay', '2023', DATE '2023-01-01', "
                "DATE '2023-12-31', 500.5, NULL, NULL, DATE '2024-01-01', 'ONS', 1)")
    con.close()
    with Workspace.open(path) as ws:
        assert ws.observations("pay")["value"].tolist() == [500.5]
        indexes = ws.con.execute("SELECT count(*) FROM duckdb_constraints() WHERE table_name = "
                                 "'observation' AND constraint_type = 'PRIMARY KEY'").fetchone()
        assert indexes == (0,)
        bad = tmp_path / "b.csv"
        bad.write_text(HEADER + "E06000001,pay,2023,501\n")
        with pytest.raises(ValidationError, match=r"already holds 500\.5"):
            ws.import_file(bad, vintage="2024-01-01")
